"""What the events pages call kinds and registration states, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "training": _l("Training"),
    "information_meeting": _l("Information meeting"),
}
STATUSES = {
    "registered": _l("registered"),
    "waitlisted": _l("on the waiting list"),
    "cancelled": _l("cancelled"),
}


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))
