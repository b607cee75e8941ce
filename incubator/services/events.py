"""Trainings and information meetings: create them (managers), list and read them.

A trainer's sessions are written to `expert_busy_times` with the event, in one transaction: the
database refuses a session over one of the trainer's consultations or other sessions (and a later
booking over a session), so the check here only makes the refusal readable (`TrainerBusy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from ..domain.errors import InvalidInput, NotAllowed, NotFound, UnknownExpert
from ..domain.events import (
    SessionTimes,
    TrainerBusy,
    check_capacity,
    check_open_for_registration,
    check_sessions,
)
from ..models import (
    Event,
    EventKind,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
    RegistrationStatus,
    Role,
    User,
)
from . import audit
from .directory import resolve_area, resolve_branch
from .notifications import NoticeSettings
from .transactions import lock_rows, write


@dataclass(frozen=True)
class NewEvent:
    kind: str
    title: str
    capacity: int
    sessions: Sequence[SessionTimes]
    trainer_ids: Sequence[int] = ()
    branch_id: int | None = None
    venue: str = ""
    topic: str = ""
    area_code: str | None = None


def _check_new(
    session: Session, new: NewEvent, now: datetime
) -> tuple[list[SessionTimes], list[User]]:
    if new.kind not in (EventKind.TRAINING, EventKind.INFORMATION_MEETING):
        raise InvalidInput(field="kind", reason="not_in_list")
    if not new.title.strip():
        raise InvalidInput(field="title", reason="missing")
    if len(new.title.strip()) > 200:
        raise InvalidInput(field="title", reason="too_long")
    if new.branch_id is None and not new.venue.strip():
        raise InvalidInput(field="venue", reason="place_required")
    check_capacity(new.capacity)
    sessions = check_sessions(new.sessions, now)
    trainers = []
    for expert_id in dict.fromkeys(new.trainer_ids):
        user = session.get(User, expert_id)
        if user is None or user.role != Role.EXPERT or not user.active:
            raise UnknownExpert(expert_id=expert_id)
        trainers.append(user)
    return sessions, trainers


def create(session: Session, new: NewEvent, *, actor: User, now: datetime) -> Event:
    """A new event with its sessions; its trainers' time is taken for each session."""
    if not actor.is_manager:
        raise NotAllowed(reason="managers_only")
    with write(session, on_conflict=lambda _: TrainerBusy()):
        sessions, trainers = _check_new(session, new, now)
        branch = resolve_branch(session, new.branch_id) if new.branch_id is not None else None
        area = resolve_area(session, new.area_code) if new.area_code else None
        lock_rows(session, User, [t.id for t in trainers])
        for trainer in trainers:
            for item in sessions:
                _check_trainer_free(session, trainer, item)
        event = Event(
            kind=new.kind, title=new.title.strip(), topic=new.topic.strip()[:300],
            area_id=area.id if area else None, branch_id=branch.id if branch else None,
            venue=new.venue.strip()[:300], capacity=new.capacity, seats_taken=0,
            created_by_id=actor.id, created_at_dt=now,
        )  # fmt: skip
        event.trainers = trainers
        event.sessions = [EventSession(start_dt=s.start, end_dt=s.end) for s in sessions]
        session.add(event)
        session.flush()
        session.add_all(event.trainers_busy_times())
        session.flush()
        audit.record(
            session, actor=actor, action="event.create", target=event,
            details={"kind": new.kind, "sessions": len(sessions)}, now=now,
        )  # fmt: skip
        event_id = event.id
    return get(session, event_id)


def _check_trainer_free(session: Session, trainer: User, item: SessionTimes) -> None:
    clash = session.scalar(
        select(ExpertBusyTime.start_dt).where(
            ExpertBusyTime.expert_id == trainer.id,
            ExpertBusyTime.start_dt < item.end,
            ExpertBusyTime.end_dt > item.start,
        )
    )
    if clash is not None:
        raise TrainerBusy(name=trainer.full_name, start=item.start.isoformat())


def trainer_candidates(session: Session) -> list[User]:
    """Active experts, by name: who may train."""
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.EXPERT, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def _options():
    return (
        selectinload(Event.sessions),
        selectinload(Event.trainers),
        selectinload(Event.registrations).selectinload(EventRegistration.user),
    )


def get(session: Session, event_id: int) -> Event:
    event = session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(*_options())
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise NotFound(event_id=event_id)
    return event


def listing(
    session: Session,
    *,
    now: datetime,
    upcoming: bool = True,
    kind: str | None = None,
    branch_id: int | None = None,
) -> list[Event]:
    """Events in time order: those not over yet (`upcoming`), or all; cancelled ones left out."""
    stmt = select(Event).where(Event.cancelled_at_dt.is_(None)).options(*_options())
    if kind:
        stmt = stmt.where(Event.kind == kind)
    if branch_id is not None:
        stmt = stmt.where(Event.branch_id == branch_id)
    if upcoming:
        stmt = stmt.where(
            select(EventSession.id)
            .where(EventSession.event_id == Event.id, EventSession.end_dt > now)
            .exists()
        )
    events = list(session.scalars(stmt))
    return sorted(events, key=lambda e: (e.starts_at is None, e.starts_at))


__all__ = ["NewEvent", "cancel_event", "create", "get", "listing"]


def cancel_event(
    session: Session,
    event_id: int,
    *,
    actor: User,
    reason: str,
    now: datetime,
    notices: NoticeSettings,
) -> Event:
    """Call an event off before it starts (managers): its trainers' time is free again, and
    everyone registered or waiting is told (an e-mail, or the list to call)."""
    from . import event_notices  # (event_notices reads events through the models only)

    if not actor.is_manager:
        raise NotAllowed(reason="managers_only")
    reason = reason.strip()[:300]
    if not reason:
        raise InvalidInput(field="reason", reason="missing")
    with write(session):
        event = session.get(Event, event_id)
        if event is None or event.cancelled_at_dt is not None:
            raise NotFound(event_id=event_id)
        check_open_for_registration(event.starts_at, now)
        event.cancelled_at_dt = now
        session.execute(
            delete(ExpertBusyTime).where(
                ExpertBusyTime.session_id.in_([s.id for s in event.sessions])
            )
        )
        for registration in event.registrations:
            if registration.status != RegistrationStatus.CANCELLED:
                event_notices.event_cancelled(
                    session, registration, reason=reason, now=now, settings=notices
                )
        audit.record(
            session, actor=actor, action="event.cancel", target=event,
            details={"reason": reason}, now=now,
        )  # fmt: skip
    return get(session, event_id)
