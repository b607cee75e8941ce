"""The refusals of the waiting list (issue #13, incubator.domain.waitlist), for the tables in
`errors`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .record_errors import Message, Params


def _offer_closed(p: Params) -> str:
    if p.get("status") == "accepted":
        return _("This offer has been confirmed already: the consultation is booked.")
    return _("This offer is no longer open.")


WAITLIST_STATUS: dict[str, int] = {
    "waitlist_error": 422,
    "already_waiting": 409,
    "area_not_at_office": 422,
    "offer_expired": 409,
    "offer_closed": 409,
    "not_waiting": 409,
}

WAITLIST_MESSAGES: dict[str, Message] = {
    "waitlist_error": _l("The waiting list could not be changed."),
    "already_waiting": _l(
        "This person is on the waiting list for this area at this office already."
    ),
    "area_not_at_office": _l("Nobody gives consultations in this area at this office."),
    "offer_expired": _l(
        "The time held for you has run out and may have gone to the next person waiting. "
        "Please choose another time or join the waiting list again."
    ),
    "offer_closed": _offer_closed,
    "not_waiting": _l("This entry is no longer on the waiting list."),
}
