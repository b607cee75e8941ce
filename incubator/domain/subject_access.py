"""Subject access (RODO art. 15): who may have everything held about a person, and the refusals.

Pure rules over plain values; `services.subject_access` gathers the data.
"""

from __future__ import annotations

from .errors import NotAllowed, NotFound

FORMAT = "inkubator.subject-access/1"
# What a self-service download leaves out, by a stable code (the pages and docs explain each).
CONSULTATION_NOTES = "consultation_notes"


class UnknownPerson(NotFound):
    """No person with this id (never was, or their record was merged into another)."""

    code = "unknown_person"


class ExportNotAllowed(NotAllowed):
    """Only managers export anyone; a client exports only themselves; experts never."""

    code = "export_not_allowed"


def may_export(*, viewer_role: str, viewer_active: bool, viewer_id: int, person_id: int) -> bool:
    """Managers anyone (clients and staff); a client themselves; experts nobody (their questions
    go through a manager)."""
    if not viewer_active:
        return False
    if viewer_role == "manager":
        return True
    return viewer_role == "client" and viewer_id == person_id


def includes_notes(*, viewer_role: str) -> bool:
    """The experts' private notes on consultations go into a manager's export only; a client's
    own download leaves them out (they may ask the incubator for them)."""
    return viewer_role == "manager"
