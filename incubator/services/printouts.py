"""Loading what the printable documents need: one consultation, or a day's for an office or an
expert, each only for someone the rules of `domain.printouts` allow.

An advisory record lists attendees by name and whether they came: printing one is an export of
personal data, so each record printed leaves an audit event (ids only, no names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput, NotFound, UnknownBranch, UnknownExpert
from ..domain.printouts import NothingToPrint, can_print_confirmation, can_print_record
from ..models import Consultation, User
from . import audit, directory
from .consultations import list_consultations, load
from .project_entries import projects_covering
from .transactions import write

RECORD_PRINTED = "consultation.record_printed"


@dataclass(frozen=True)
class Records:
    """The consultations of an advisory-record document, and for each the name of the funded
    project it falls in (by date and office), when there is one."""

    consultations: list[Consultation]
    projects: dict[int, str]


def _project_names(session: Session, consultations: list[Consultation]) -> dict[int, str]:
    names = {}
    for c in consultations:
        covering = projects_covering(session, c)
        if covering:
            names[c.id] = covering[-1].name  # the one started last, as `current_project`
    return names


def _audit(
    session: Session, actor: User, consultations: list[Consultation], now: datetime, ip: str, **kw
) -> None:
    with write(session):
        for c in consultations:
            audit.record(
                session, actor=actor, action=RECORD_PRINTED, target=c, ip=ip, now=now,
                details={"consultation_id": c.id, **kw},
            )  # fmt: skip


def advisory_record(
    session: Session, actor: User, consultation_id: int, *, now: datetime, ip: str = ""
) -> Records:
    """One consultation's record, for its expert or a manager (anyone else: not found)."""
    c = load(session, consultation_id)
    if c is None or not can_print_record(actor, c):
        raise NotFound(consultation_id=consultation_id)
    records = Records([c], _project_names(session, [c]))
    _audit(session, actor, [c], now, ip)
    return records


def day_records(
    session: Session,
    actor: User,
    day: date,
    *,
    branch_id: int | None,
    expert_id: int | None,
    now: datetime,
    ip: str = "",
) -> Records:
    """The records of one day at an office (or of one expert), cancelled ones left out.

    An expert gets their own consultations only (`list_consultations` keeps to what the actor
    may see); a manager names the office or the expert.
    """
    if not actor.is_staff:
        raise NotFound()
    if actor.is_manager and branch_id is None and expert_id is None:
        raise InvalidInput(field="branch", reason="missing")
    if branch_id is not None and directory.get_branch(session, branch_id) is None:
        raise UnknownBranch(field="branch")
    if expert_id is not None and directory.get_expert(session, expert_id) is None:
        raise UnknownExpert(field="expert")
    consultations = list_consultations(
        session,
        actor,
        branch_id=branch_id,
        expert_id=expert_id,
        date_from=day,
        date_to=day,
        include_cancelled=False,
    )
    consultations = [c for c in consultations if can_print_record(actor, c)]
    if not consultations:
        raise NothingToPrint(day=day.isoformat())
    records = Records(consultations, _project_names(session, consultations))
    _audit(session, actor, consultations, now, ip, day=day.isoformat())
    return records


def confirmation(session: Session, actor: User, consultation_id: int) -> Consultation:
    """The consultation to confirm, for whoever may see it (anyone else: not found)."""
    c = load(session, consultation_id)
    if c is None or not can_print_confirmation(actor, c):
        raise NotFound(consultation_id=consultation_id)
    return c
