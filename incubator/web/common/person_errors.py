"""The refusals about a person's data (issue #15: export, erasure, retention), for the tables in
`errors`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .record_errors import Message

PERSON_STATUS: dict[str, int] = {
    # subject access (incubator.domain.subject_access)
    "unknown_person": 404,
    "export_not_allowed": 403,
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
}
