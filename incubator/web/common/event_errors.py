"""The refusals of trainings and information meetings (issue #14, incubator.domain.events), for
the tables in `errors`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .record_errors import Message, Params


def _not_enough_attendance(p: Params) -> str:
    held = int(p.get("held", 0))
    if not held:
        return _("No session has been held since the registration yet: no certificate.")
    return ngettext(
        "Attended %(attended)d of %(num)d session held; a certificate needs %(needed)d.",
        "Attended %(attended)d of %(num)d sessions held; a certificate needs %(needed)d.",
        held,
        attended=int(p.get("attended", 0)),
        needed=int(p.get("needed", 1)),
    )


def _trainer_busy(p: Params) -> str:
    if p.get("name"):
        return _(
            "%(name)s has a consultation or another session at that time: choose another time "
            "or another trainer.",
            name=p["name"],
        )
    return _("A trainer has a consultation or another session at that time.")


EVENT_STATUS: dict[str, int] = {
    "event_error": 422,
    "event_full": 409,
    "already_registered": 409,
    "event_started": 409,
    "not_registered": 409,
    "session_not_started": 422,
    "not_enough_attendance": 422,
    "trainer_busy": 409,
    "wrong_event_kind": 422,
}

EVENT_MESSAGES: dict[str, Message] = {
    "event_error": _l("The event could not be changed."),
    "event_full": _l("All seats are taken. You can join the waiting list: a freed seat goes to "
                     "the first person waiting."),
    "already_registered": _l("This person is registered for this event already."),
    "event_started": _l("The event has started: registrations can no longer change."),
    "not_registered": _l("This person is not registered for this event."),
    "session_not_started": _l("This session has not started yet: attendance is recorded from "
                              "its start."),
    "not_enough_attendance": _not_enough_attendance,
    "trainer_busy": _trainer_busy,
    "wrong_event_kind": _l("Certificates are for trainings; head counts for information "
                           "meetings."),
}  # fmt: skip
