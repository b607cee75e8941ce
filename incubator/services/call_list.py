"""The "to call" list: people staff should phone because they cannot be e-mailed.

Entries come from reminders for attendees without an address, from moves and cancellations
made by someone else, from waitlist offers, and from e-mails the server refused. Each has a
unique key, so re-running a reminder job adds nobody twice. Staff tick an entry off when called.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..domain.errors import NotFound
from ..models import CallTask, Consultation, User
from . import audit
from .transactions import write


def add(
    session: Session,
    *,
    key: str,
    kind: str,
    user_id: int,
    now: datetime,
    consultation_id: int | None = None,
    note: str = "",
    branch_id: int | None = None,
    expert_id: int | None = None,
) -> bool:
    """Put a person on the list in the caller's transaction (False: the key is there already).

    The office and the expert (who sees the call on their list) come from the consultation, or
    are given (a waitlist offer: the expert whose slot is held)."""
    from .outbox import insert_once  # (outbox imports this module for failed e-mails)

    if consultation_id is not None:
        consultation = session.get(Consultation, consultation_id)
        if consultation is not None:
            branch_id, expert_id = consultation.branch_id, consultation.expert_id
    return insert_once(
        session,
        CallTask,
        {
            "key": key[:200],
            "kind": kind,
            "user_id": user_id,
            "consultation_id": consultation_id,
            "branch_id": branch_id,
            "expert_id": expert_id,
            "note": note[:300],
            "created_at_dt": now,
        },
    )


def _visible_to(user: User):
    query = select(CallTask).options(
        joinedload(CallTask.user),
        joinedload(CallTask.done_by),
    )
    if not user.is_manager:
        query = query.where(CallTask.expert_id == user.id)
    return query


def open_tasks(session: Session, user: User) -> list[tuple[CallTask, Consultation | None]]:
    """Calls still to make, oldest first: every one for managers, an expert's own for experts."""
    query = _visible_to(user).where(CallTask.done_at_dt.is_(None)).order_by(CallTask.id)
    return _with_consultations(session, list(session.scalars(query)))


def recently_done(
    session: Session, user: User, *, limit: int = 20
) -> list[tuple[CallTask, Consultation | None]]:
    query = (
        _visible_to(user)
        .where(CallTask.done_at_dt.is_not(None))
        .order_by(CallTask.done_at_dt.desc(), CallTask.id.desc())
        .limit(limit)
    )
    return _with_consultations(session, list(session.scalars(query)))


def _with_consultations(
    session: Session, tasks: list[CallTask]
) -> list[tuple[CallTask, Consultation | None]]:
    ids = {t.consultation_id for t in tasks if t.consultation_id is not None}
    found: dict[int, Consultation] = {}
    if ids:
        query = (
            select(Consultation)
            .where(Consultation.id.in_(ids))
            .options(
                joinedload(Consultation.branch),
                joinedload(Consultation.domain),
                joinedload(Consultation.expert),
            )
        )
        found = {c.id: c for c in session.scalars(query)}
    return [(t, found.get(t.consultation_id or 0)) for t in tasks]


def count_open(session: Session, user: User) -> int:
    query = select(func.count()).select_from(CallTask).where(CallTask.done_at_dt.is_(None))
    if not user.is_manager:
        query = query.where(CallTask.expert_id == user.id)
    return session.scalar(query) or 0


def mark_done(session: Session, task_id: int, *, actor: User, now: datetime) -> CallTask:
    """Tick off a call; ticking one off twice keeps the first time and person."""
    with write(session):
        task = session.scalar(_visible_to(actor).where(CallTask.id == task_id))
        if task is None:
            raise NotFound()
        if task.done_at_dt is None:
            task.done_at_dt = now
            task.done_by_id = actor.id
            audit.record(
                session,
                actor=actor,
                action="call.done",
                target=task.user,
                details={"call": task.id, "kind": task.kind},
                now=now,
            )
    return task
