"""Registering for events through the services (issue #14), on both engines: the rules, a
capacity the database keeps (also against 50 registrations at once), cancelling, and the waiting
list whose first person gets a freed seat and is told (e-mail through the outbox, or a call).
The world and the helpers: test_events_service.py."""

from __future__ import annotations

import email
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from incubator.domain.errors import NotAllowed, NotFound
from incubator.domain.events import AlreadyRegistered, EventFull, EventStarted, NotRegistered
from incubator.extensions import db as _db
from incubator.models import AuditEvent, CallTask, Event, EventRegistration, OutboxMessage, User
from incubator.services import event_registrations
from tests.factories import create_client
from tests.helpers import NOTICES, NOW, WED, local
from tests.integration.test_events_service import (
    THU,
    TITLE,
    build_world,
    count,
    new_event,
    register,
)


@pytest.fixture()
def world(db) -> dict:
    return build_world()


def cancel(db, registration, *, actor=None, now=NOW) -> EventRegistration:
    return event_registrations.cancel(
        db.session, registration.event_id, registration.id, now=now, notices=NOTICES,
        actor=actor or registration.user,
    )  # fmt: skip


def statuses(db, event) -> dict[int, str]:
    db.session.rollback()
    rows = db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id)
    )
    return {r.user_id: r.status for r in rows}


def seats_taken(db, event) -> int:
    db.session.rollback()
    return db.session.scalar(select(Event.seats_taken).where(Event.id == event.id))


# --- registering -----------------------------------------------------------------------------


def test_a_client_registers_and_takes_a_seat(db, world) -> None:
    event = new_event(db, world)
    registration = register(db, event, world["client"])
    assert (registration.status, registration.seat_since_dt) == ("registered", NOW)
    assert registration.registered_by_id == world["client"].id
    assert seats_taken(db, event) == 1
    assert count(db, AuditEvent, AuditEvent.action == "event.registered") == 1


def test_the_same_person_twice_is_refused(db, world) -> None:
    event = new_event(db, world, capacity=1)
    register(db, event, world["client"])
    with pytest.raises(AlreadyRegistered):
        register(db, event, world["client"], now=NOW + timedelta(minutes=5))
    with pytest.raises(AlreadyRegistered):  # staff for them, or onto the waiting list: the same
        register(db, event, world["client"], actor=world["manager"], waitlist=True)
    assert count(db, EventRegistration) == 1 and seats_taken(db, event) == 1


def test_registration_closes_when_the_first_session_starts(db, world) -> None:
    event = new_event(db, world)
    with pytest.raises(EventStarted):
        register(db, event, world["client"], now=local(WED, 13))
    with pytest.raises(EventStarted):  # staff too
        register(db, event, world["client"], actor=world["manager"], now=local(THU, 9))
    assert count(db, EventRegistration) == 0 and seats_taken(db, event) == 0
    assert register(db, event, world["client"], now=local(WED, 12, 59)).status == "registered"


def test_a_full_event_refuses_or_puts_the_person_on_its_waiting_list(db, world) -> None:
    event = new_event(db, world, capacity=1)
    register(db, event, world["client"])
    late = create_client(full_name="Maria Późna")
    with pytest.raises(EventFull) as refused:
        register(db, event, late)
    assert refused.value.params == {"event_id": event.id, "capacity": 1}
    assert count(db, EventRegistration, EventRegistration.user_id == late.id) == 0
    waiting = register(db, event, late, waitlist=True)
    assert (waiting.status, waiting.seat_since_dt) == ("waitlisted", None)
    assert seats_taken(db, event) == 1
    assert statuses(db, event) == {world["client"].id: "registered", late.id: "waitlisted"}


def test_a_client_cannot_register_someone_else(db, world) -> None:
    event = new_event(db, world)
    with pytest.raises(NotAllowed) as refused:
        event_registrations.register(
            db.session, event.id, actor=world["client"], now=NOW, user_id=world["phone_only"].id
        )
    assert refused.value.params == {"reason": "client_for_other"}
    assert count(db, EventRegistration) == 0 and seats_taken(db, event) == 0


def test_staff_register_a_client_reachable_by_phone_only(db, world) -> None:
    event = new_event(db, world)
    registration = register(db, event, world["phone_only"], actor=world["manager"])
    assert registration.user_id == world["phone_only"].id
    assert registration.registered_by_id == world["manager"].id
    assert registration.status == "registered" and seats_taken(db, event) == 1


def test_a_cancelled_or_unknown_event_is_not_found(db, world) -> None:
    event = new_event(db, world)
    db.session.execute(update(Event).values(cancelled_at_dt=NOW))
    db.session.commit()
    for event_id in (event.id, event.id + 1000):
        with pytest.raises(NotFound):
            event_registrations.register(db.session, event_id, actor=world["client"], now=NOW)
    assert count(db, EventRegistration) == 0


# --- the capacity is kept by the database ----------------------------------------------------


def all_at_once(app, actions: list[Callable[[], str]]) -> list[str | BaseException]:
    """Each action in its own thread with its own app context (so its own database session),
    released together by a barrier; what each returned or raised, none lost."""
    barrier = threading.Barrier(len(actions), timeout=30)
    results: list[str | BaseException | None] = [None] * len(actions)

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = actions[i]()
            except BaseException as error:  # counted by the caller, never lost in the thread
                results[i] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    return results  # type: ignore[return-value]


@pytest.mark.slow
def test_fifty_simultaneous_registrations_for_the_last_ten_seats(app, db, world) -> None:
    event = new_event(db, world, capacity=30)
    for i in range(20):
        register(db, event, create_client(email=f"wczesna{i}@example.org"))
    racers = [create_client(email=f"osoba{i}@example.org").id for i in range(50)]
    event_id = event.id
    db.session.rollback()  # hold no transaction open while the threads work

    def press(user_id: int) -> str:
        person = _db.session.get(User, user_id)
        event_registrations.register(_db.session, event_id, actor=person, now=NOW)
        return "registered"

    results = all_at_once(app, [lambda u=u: press(u) for u in racers])
    outcome = Counter(r if isinstance(r, str) else type(r).__name__ for r in results)
    unexpected = [r for r in results if not isinstance(r, str | EventFull)]
    assert outcome == {"registered": 10, "EventFull": 40}, (outcome, unexpected[:3])
    assert seats_taken(db, event) == 30
    winners = [u for u, r in zip(racers, results, strict=True) if r == "registered"]
    registered = EventRegistration.status == "registered"
    assert count(db, EventRegistration, registered) == 30
    assert count(db, EventRegistration, registered, EventRegistration.user_id.in_(racers)) == 10
    assert count(db, EventRegistration, EventRegistration.user_id.in_(winners)) == 10
    assert count(db, EventRegistration, EventRegistration.status != "registered") == 0


def test_the_database_refuses_more_seats_taken_than_the_capacity(db, world) -> None:
    event = new_event(db, world, capacity=3)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).values(seats_taken=Event.capacity + 1))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).values(seats_taken=-1))
        db.session.commit()
    assert seats_taken(db, event) == 0
    db.session.execute(update(Event).values(seats_taken=Event.capacity))  # exactly full: fine
    db.session.commit()
    assert seats_taken(db, event) == 3


# --- cancelling, and the waiting list --------------------------------------------------------


def full_with_two_waiting(db, w, first=None):
    """Two seats, both taken; `first` (default: a client with e-mail) then another wait."""
    event = new_event(db, w, capacity=2)
    seated = [register(db, event, create_client()) for _ in range(2)]
    first = first or create_client(full_name="Łucja Czekająca", email="czeka@example.org")
    second = create_client(full_name="Piotr Drugi")
    register(db, event, first, actor=w["manager"], now=NOW + timedelta(minutes=1), waitlist=True)
    register(db, event, second, now=NOW + timedelta(minutes=2), waitlist=True)
    return event, seated, first, second


def seat_mails(db) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "event_seat")))


def seat_mail_text(row: OutboxMessage) -> str:
    """The plain-text body. Its Subject header is not compared: Python 3.11's folder can drop
    the space between two encoded words ("spółdzielnię socjalną" reads back without it;
    CPython gh-144156), so the subject is checked on the stored row."""
    message = email.message_from_bytes(row.message, policy=policy.default)
    return message.get_body(("plain",)).get_content()


def test_a_seat_given_back_goes_to_the_first_person_waiting_who_is_told(db, world) -> None:
    event, seated, first, second = full_with_two_waiting(db, world)
    later = NOW + timedelta(hours=3)
    gone = cancel(db, seated[0], now=later)
    assert (gone.status, gone.cancelled_at_dt) == ("cancelled", later)
    assert statuses(db, event) == {
        seated[0].user_id: "cancelled", seated[1].user_id: "registered",
        first.id: "registered", second.id: "waitlisted",
    }  # fmt: skip
    promoted = db.session.scalar(
        select(EventRegistration).where(EventRegistration.user_id == first.id)
    )
    assert promoted.seat_since_dt == later and promoted.created_at_dt == NOW + timedelta(minutes=1)
    assert seats_taken(db, event) == 2
    (row,) = seat_mails(db)
    assert (row.recipient_id, row.to_address) == (first.id, "Łucja Czekająca <czeka@example.org>")
    assert TITLE in row.subject  # (not read back from the header: see seat_mail_text)
    body = seat_mail_text(row)
    assert TITLE in body and "ul. Zielona 1, 32-310 Klucze" in body
    assert "https://inkubator.test/" in body  # a link on PUBLIC_URL
    assert count(db, AuditEvent, AuditEvent.action == "event.promoted") == 1
    assert count(db, CallTask) == 0


def test_the_seat_email_is_in_polish(db, world) -> None:
    event, seated, first, _ = full_with_two_waiting(db, world)
    cancel(db, seated[0])
    (row,) = seat_mails(db)
    assert TITLE in row.subject and not row.subject.startswith("A seat is yours")
    body = seat_mail_text(row)
    assert "Dzień dobry, Łucja Czekająca" in body and "Gdzie: Klucze" in body
    assert "A seat has become free" not in body and "If you cannot come" not in body


def test_a_person_reachable_by_phone_only_is_put_on_the_list_to_call(db, world) -> None:
    event, seated, first, second = full_with_two_waiting(db, world, first=world["phone_only"])
    cancel(db, seated[1], actor=world["manager"])
    assert statuses(db, event)[world["phone_only"].id] == "registered"
    task = db.session.scalar(select(CallTask))
    assert (task.kind, task.user_id, task.branch_id) == (
        "event_seat",
        world["phone_only"].id,
        world["klucze"].id,
    )
    assert task.note.startswith(TITLE)
    assert seat_mails(db) == []


def test_cancelling_twice_is_refused(db, world) -> None:
    event = new_event(db, world)
    registration = register(db, event, world["client"])
    cancel(db, registration)
    with pytest.raises(NotRegistered):
        cancel(db, registration, now=NOW + timedelta(minutes=1))
    assert seats_taken(db, event) == 0
    assert count(db, AuditEvent, AuditEvent.action == "event.cancel_registration") == 1


def test_cancelling_a_place_on_the_waiting_list_frees_no_seat(db, world) -> None:
    event, seated, first, second = full_with_two_waiting(db, world)
    waiting = db.session.scalar(
        select(EventRegistration).where(EventRegistration.user_id == first.id)
    )
    cancel(db, waiting)
    assert seats_taken(db, event) == 2
    assert statuses(db, event) == {
        seated[0].user_id: "registered", seated[1].user_id: "registered",
        first.id: "cancelled", second.id: "waitlisted",
    }  # fmt: skip
    assert seat_mails(db) == [] and count(db, CallTask) == 0


def test_a_client_cannot_cancel_anothers_registration_nor_after_the_start(db, world) -> None:
    event = new_event(db, world)
    registration = register(db, event, world["client"])
    with pytest.raises(NotFound):
        cancel(db, registration, actor=create_client())
    with pytest.raises(EventStarted):
        cancel(db, registration, now=local(WED, 13, 30))
    assert statuses(db, event) == {world["client"].id: "registered"}
    assert seats_taken(db, event) == 1
