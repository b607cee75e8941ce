"""The refusals about a person's data (issue #15: export, erasure, retention), for the tables in
`errors`."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .record_errors import Message, Params


def _date(value: object) -> str:
    from .wording import long_date

    return long_date(value) if hasattr(value, "isoformat") else str(value or "")


def _staff_has_work(p: Params) -> str:
    return _(
        "This staff account still has %(consultations)s consultations and %(events)s trainings or "
        "meetings in its name; those records need the expert's name. Deactivate the account "
        "instead.",
        consultations=p.get("consultations", 0),
        events=p.get("events", 0),
    )


def _upcoming(p: Params) -> str:
    count = (p.get("consultations") or 0) + (p.get("events") or 0) + (p.get("offers") or 0)
    text = ngettext(
        "This person has %(num)d consultation, event or held time ahead",
        "This person has %(num)d consultations, events or held times ahead",
        count,
    )
    if p.get("first"):
        text += " " + _("(the first on %(day)s)", day=_date(p["first"]))
    return text + ". " + _("Cancel them first, then anonymise.")


def _retention(p: Params) -> str:
    projects = ", ".join(p.get("projects") or [])
    if p.get("unset"):
        return _(
            "The identity must be kept for the projects %(projects)s: %(unset)s has no retention "
            "date set yet. Set it on the project's page, or choose a documented legal ground.",
            projects=projects,
            unset=", ".join(p["unset"]),
        )
    return _(
        "The identity must be kept for the projects %(projects)s until %(day)s (the retention "
        "period of the grant agreement). Only a documented legal ground allows erasure sooner.",
        projects=projects,
        day=_date(p.get("until")),
    )


def _reason(p: Params) -> str:
    if p.get("max"):
        return _("The reason may be at most %(max)s characters long.", max=p["max"])
    return _("Give the reason for the erasure (e.g. the date and form of the person's request).")


PERSON_STATUS: dict[str, int] = {
    # subject access (incubator.domain.subject_access)
    "unknown_person": 404,
    "export_not_allowed": 403,
    # erasure and retention (incubator.domain.erasure)
    "erasure_error": 409,
    "already_erased": 409,
    "erasure_self": 409,
    "erasure_staff_has_work": 409,
    "erasure_upcoming": 409,
    "erasure_retention": 409,
    "erasure_reason": 422,
    "erasure_ground": 422,
    "retention_not_set": 409,
    "project_retention_order": 422,
}

PERSON_MESSAGES: dict[str, Message] = {
    "unknown_person": _l(
        "There is no person with this number. The record may have been merged into another one; "
        "nothing has been changed."
    ),
    "export_not_allowed": _l(
        "Only managers can export a person's data. Clients can download their own data from "
        "their account page."
    ),
    "erasure_error": _l("This person cannot be anonymised."),
    "already_erased": _l("This person has been anonymised already. Nothing was changed."),
    "erasure_self": _l("You cannot anonymise your own account. Ask another manager."),
    "erasure_staff_has_work": _staff_has_work,
    "erasure_upcoming": _upcoming,
    "erasure_retention": _retention,
    "erasure_reason": _reason,
    "erasure_ground": _l("Choose one of the legal grounds from the list."),
    "retention_not_set": _l(
        "No project has a retention date yet: set it on each project's page first."
    ),
    "project_retention_order": _l(
        "The documentation must be kept at least until the project's last day."
    ),
}
