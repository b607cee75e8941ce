"""Registering for an event, within a capacity the database keeps, and its waiting list.

A seat is taken by one conditional UPDATE (``seats_taken = seats_taken + 1 WHERE seats_taken <
capacity``), checked by a CHECK constraint: however many requests race for the last seats, as
many succeed as there are seats (SQLite serialises writers; PostgreSQL re-checks the condition
under the row lock). A full event refuses with `EventFull`, or puts the person on its waiting
list when they asked for that; a seat given back goes to the first waiting person at once, in
the same transaction, and they are told (e-mail through the outbox, or the list to call).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.errors import NotFound
from ..domain.events import (
    AlreadyRegistered,
    EventFull,
    NotRegistered,
    check_open_for_registration,
)
from ..models import Event, EventRegistration, RegistrationStatus, User
from . import audit, event_notices
from .booking_parties import resolve_client
from .notifications import NoticeSettings
from .transactions import lock_rows, write

LIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None or event.cancelled_at_dt is not None:
        raise NotFound(event_id=event_id)
    return event


def take_seat(session: Session, event_id: int) -> bool:
    """Take one seat if one is left (the database decides; see the module's docstring)."""
    result = session.execute(
        update(Event)
        .where(Event.id == event_id, Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _give_back_seat(session: Session, event_id: int) -> None:
    session.execute(
        update(Event)
        .where(Event.id == event_id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def register(
    session: Session,
    event_id: int,
    *,
    actor: User,
    now: datetime,
    user_id: int | None = None,
    waitlist: bool = False,
) -> EventRegistration:
    """Register a client (themselves, or anyone for staff). Full: `EventFull`, or with
    `waitlist` a place on the event's waiting list (status ``waitlisted``)."""
    with write(session, on_conflict=lambda _: AlreadyRegistered()):
        person = resolve_client(session, actor, user_id)
        event = _event(session, event_id)
        check_open_for_registration(event.starts_at, now)
        lock_rows(session, User, [person.id])
        if _live(session, event.id, person.id) is not None:
            raise AlreadyRegistered()
        seated = take_seat(session, event.id)
        if not seated and not waitlist:
            raise EventFull(event_id=event.id, capacity=event.capacity)
        registration = EventRegistration(
            event_id=event.id, user_id=person.id,
            status=RegistrationStatus.REGISTERED if seated else RegistrationStatus.WAITLISTED,
            created_at_dt=now, registered_by_id=actor.id, seat_since_dt=now if seated else None,
        )  # fmt: skip
        session.add(registration)
        session.flush()
        audit.record(
            session, actor=actor, action=f"event.{registration.status}", target=person,
            details={"event": event.id, "registration": registration.id}, now=now,
        )  # fmt: skip
        registration_id = registration.id
    return session.get(EventRegistration, registration_id)  # type: ignore[return-value]


def _live(session: Session, event_id: int, user_id: int) -> EventRegistration | None:
    return session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id,
            EventRegistration.user_id == user_id,
            EventRegistration.status.in_(LIVE),
        )
    )


def cancel(
    session: Session,
    event_id: int,
    registration_id: int,
    *,
    actor: User,
    now: datetime,
    notices: NoticeSettings,
) -> EventRegistration:
    """Cancel a registration (the person's own, or anyone's for staff) before the event starts;
    a seat it held goes to the first person waiting, who is told."""
    with write(session):
        registration = session.get(EventRegistration, registration_id)
        if (
            registration is None
            or registration.event_id != event_id
            or (actor.is_client and registration.user_id != actor.id)
        ):
            raise NotFound(registration_id=registration_id)
        event = _event(session, event_id)
        if registration.status not in LIVE:
            raise NotRegistered()
        check_open_for_registration(event.starts_at, now)
        held_seat = registration.status == RegistrationStatus.REGISTERED
        registration.status, registration.cancelled_at_dt = RegistrationStatus.CANCELLED, now
        audit.record(
            session, actor=actor, action="event.cancel_registration", target=registration.user,
            details={"event": event.id, "registration": registration.id}, now=now,
        )  # fmt: skip
        if held_seat:
            _give_back_seat(session, event.id)
            promote_next(session, event, now=now, notices=notices)
    return registration


def promote_next(
    session: Session, event: Event, *, now: datetime, notices: NoticeSettings
) -> EventRegistration | None:
    """Give a free seat to the first person waiting (inside the caller's write)."""
    waiting = session.scalar(
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event.id,
            EventRegistration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(EventRegistration.created_at_dt, EventRegistration.id)
        .limit(1)
    )
    if waiting is None or not take_seat(session, event.id):
        return None
    waiting.status, waiting.seat_since_dt = RegistrationStatus.REGISTERED, now
    audit.record(
        session, actor=None, action="event.promoted", target=waiting.user,
        details={"event": event.id, "registration": waiting.id}, now=now,
    )  # fmt: skip
    event_notices.seat_given(session, waiting, now=now, settings=notices)
    return waiting


def registrations_of(session: Session, user_id: int) -> list[EventRegistration]:
    return list(
        session.scalars(
            select(EventRegistration)
            .where(EventRegistration.user_id == user_id)
            .order_by(EventRegistration.created_at_dt.desc())
        )
    )
