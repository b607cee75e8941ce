"""Recording a consultation's outcome, and the list of consultations still waiting for one.

The rules (who, when, every attendee marked, length, topic category) are in
`incubator.domain.outcomes`; this module loads, asks them, writes through `transactions.write`
with an audit entry in the same transaction, and writes the project entry rows of the people who
came (`project_entries.record_entries`), so a person served is counted with their data at entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.consultations import ConsultationStatus
from ..domain.errors import NotFound
from ..domain.outcomes import Outcome, changed_fields, check_outcome
from ..models import Consultation, ConsultationAttendee, TopicCategory, User
from . import audit, project_entries
from .consultations import load as load_consultation
from .transactions import lock_rows, write


def topic_categories(session: Session, *, include: int | None = None) -> list[TopicCategory]:
    """The active categories in their order (plus `include`, the one a consultation already
    has, so a correction form can show it even if it was retired)."""
    stmt = select(TopicCategory).order_by(TopicCategory.position, TopicCategory.id)
    rows = list(session.scalars(stmt))
    return [c for c in rows if c.active or c.id == include]


def _category_id(session: Session, code_or_id: str | int | None) -> int | None:
    """An active category's id from its code or id; None when there is no such one."""
    if code_or_id is None or code_or_id == "":
        return None
    if isinstance(code_or_id, int) and not isinstance(code_or_id, bool):
        row = session.get(TopicCategory, code_or_id)
    elif isinstance(code_or_id, str):
        row = session.scalar(select(TopicCategory).where(TopicCategory.code == code_or_id))
    else:
        return None
    return row.id if row is not None and row.active else None


def _snapshot(consultation: Consultation) -> dict[str, object]:
    """The outcome's fields, to name what a correction changed. The notes are compared here
    and only the word "notes" reaches the audit entry, never their text."""
    return {
        "attendance": tuple(sorted((a.user_id, a.attended) for a in consultation.attendees)),
        "status": str(consultation.status),
        "duration_min": consultation.duration_min,
        "topic_category": consultation.topic_category_id,
        "notes": consultation.notes or "",
    }


def _apply(consultation: Consultation, outcome: Outcome, user: User, now: datetime) -> None:
    for attendee in consultation.attendees:
        attendee.attended = outcome.attended[attendee.user_id]
    consultation.status = outcome.status
    consultation.duration_min = outcome.duration_min
    consultation.topic_category_id = outcome.topic_category_id
    consultation.notes = outcome.notes
    consultation.outcome_at_dt = now
    consultation.outcome_by_id = user.id
    consultation.updated_at_dt = now


def record_outcome(
    session: Session,
    user: User,
    consultation_id: int,
    marks: Iterable[tuple[int, bool]],
    duration_min: int | None,
    topic_category: str | int | None,
    notes: str,
    now: datetime,
    ip: str = "",
) -> Consultation:
    """Record (or correct) who came, the actual length, the topic category and the notes.

    Refuses with a `DomainError` and writes nothing when the rules say no; `NotFound` only for
    an unknown id (anyone else is `NotAllowed`: the issue wants a 403 for them).
    """
    marks = list(marks)
    with write(session):
        lock_rows(session, Consultation, [consultation_id])
        consultation = load_consultation(session, consultation_id)
        if consultation is None:
            raise NotFound(consultation_id=consultation_id)
        category_id = _category_id(session, topic_category)
        outcome = check_outcome(
            user,
            consultation,
            now,
            marks=marks,
            duration_min=duration_min,
            topic_category_id=category_id,
            notes=notes,
        )
        had_outcome = consultation.has_outcome
        before = _snapshot(consultation)
        _apply(consultation, outcome, user, now)
        changed = changed_fields(before, _snapshot(consultation))
        audit.record(
            session,
            actor=user,
            action="consultation.outcome_corrected" if had_outcome else "consultation.outcome",
            target=consultation,
            details={
                "expert_id": consultation.expert_id,
                "status": str(outcome.status),
                "came": len(outcome.came),
                "did_not_come": len(outcome.attended) - len(outcome.came),
                "changed": changed,
                "by_manager": user.is_manager and user.id != consultation.expert_id,
            },
            ip=ip,
            now=now,
        )
        project_entries.record_entries(session, consultation, outcome.came)
        absent = [uid for uid, came in outcome.attended.items() if not came]
        project_entries.forget_entries(session, consultation, absent)
    return consultation


def _awaiting(user: User, now: datetime):  # noqa: ANN202 - a Select
    """Started, not cancelled, no outcome: still ``booked`` after its start. An expert's own;
    a manager's: everyone's. (A client has none: they record nothing.)"""
    stmt = select(Consultation).where(
        Consultation.status == ConsultationStatus.BOOKED, Consultation.start_dt <= now
    )
    if not user.is_manager:
        stmt = stmt.where(Consultation.expert_id == (user.id if user.is_expert else -1))
    return stmt


def awaiting_outcome(
    session: Session, user: User, now: datetime, limit: int | None = None
) -> list[Consultation]:
    """The consultations `user` should record, oldest first."""
    stmt = (
        _awaiting(user, now)
        .options(
            selectinload(Consultation.attendees).selectinload(ConsultationAttendee.user),
            selectinload(Consultation.expert).selectinload(User.expert_profile),
            selectinload(Consultation.branch),
            selectinload(Consultation.domain),
        )
        .order_by(Consultation.start_dt, Consultation.id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_awaiting_outcome(session: Session, user: User, now: datetime) -> int:
    """How many `awaiting_outcome` would list (one COUNT query)."""
    stmt = _awaiting(user, now).with_only_columns(func.count(Consultation.id))
    return int(session.scalar(stmt) or 0)
