"""Trainings and information meetings through the services (issue #14), on both engines:
creating events (who may, what is refused) and one busy-time rule for experts, shared by
consultations and the sessions they train at, kept by the database itself.

Registering, capacity and the waiting list: test_events_service_seats.py; attendance and
certificates: test_events_service_attendance.py. Both reuse this module's world and helpers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from incubator.domain.booking_rules import SlotTaken
from incubator.domain.errors import DomainError, InvalidInput, NotAllowed
from incubator.domain.events import SessionTimes, TrainerBusy
from incubator.models import (
    AuditEvent,
    Consultation,
    Event,
    EventKind,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
)
from incubator.services import booking, event_registrations, events, slots
from incubator.services.booking import BookingRequest
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES, NOW, POLICY, WED, local

THU, FRI = WED + timedelta(days=1), WED + timedelta(days=2)
TITLE = "Jak założyć spółdzielnię socjalną"


def build_world() -> dict:
    """An office, a trainer and another expert (law, Monday–Saturday 9–12), a manager, a client
    with an e-mail address and one reachable by phone only."""
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Zielona 1, 32-310 Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    trainer = create_expert(
        domains=[law], branches=[klucze], full_name="Anna Żółkiewska", email="anna@ies.example.pl"
    )
    kos = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(trainer, klucze, weekday=weekday)
    return {
        "klucze": klucze, "law": law, "trainer": trainer, "kos": kos,
        "manager": create_manager(full_name="Ewa Śliwa"),
        "client": create_client(full_name="Łucja Wiśniewska", email="lucja@example.org"),
        "phone_only": create_client(
            full_name="Jerzy Bąk", email=None, password=None, phone="600 100 200"
        ),
    }  # fmt: skip


@pytest.fixture()
def world(db) -> dict:
    return build_world()


def three_afternoons() -> list[SessionTimes]:
    return [SessionTimes(local(day, 13), local(day, 16)) for day in (WED, THU, FRI)]


def new_event(db, w, *, actor=None, now=NOW, **changes) -> Event:
    """A training at Klucze (three afternoons, 20 seats, the trainer) unless `changes` say else."""
    params = dict(
        kind=EventKind.TRAINING, title=TITLE, capacity=20, sessions=three_afternoons(),
        trainer_ids=[w["trainer"].id], branch_id=w["klucze"].id,
    )  # fmt: skip
    params.update(changes)
    return events.create(
        db.session, events.NewEvent(**params), actor=actor or w["manager"], now=now
    )


def register(db, event, person, *, actor=None, now=NOW, waitlist=False) -> EventRegistration:
    actor = actor or person
    return event_registrations.register(
        db.session, event.id, actor=actor, now=now, waitlist=waitlist,
        user_id=person.id if actor.is_staff else None,
    )  # fmt: skip


def count(db, model, *where) -> int:
    db.session.rollback()  # read what is committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def busy_rows(db, expert) -> list[tuple[datetime, datetime, int | None, int | None]]:
    db.session.rollback()
    rows = db.session.execute(
        select(
            ExpertBusyTime.start_dt, ExpertBusyTime.end_dt,
            ExpertBusyTime.consultation_id, ExpertBusyTime.session_id,
        ).where(ExpertBusyTime.expert_id == expert.id).order_by(ExpertBusyTime.start_dt)
    )  # fmt: skip
    return [tuple(r) for r in rows]


# --- creating events -------------------------------------------------------------------------


def test_a_manager_creates_a_training_its_sessions_and_the_trainers_busy_time(db, world) -> None:
    w = world
    unordered = list(reversed(three_afternoons()))
    event = new_event(db, w, sessions=unordered, trainer_ids=[w["kos"].id, w["trainer"].id])
    db.session.expire_all()
    stored = db.session.get(Event, event.id)
    assert (stored.kind, stored.title, stored.capacity, stored.seats_taken) == (
        "training",
        TITLE,
        20,
        0,
    )
    assert stored.branch_id == w["klucze"].id and stored.created_by_id == w["manager"].id
    assert [(s.start_dt, s.end_dt) for s in stored.sessions] == [
        (local(day, 13), local(day, 16)) for day in (WED, THU, FRI)
    ]
    assert [t.full_name for t in stored.trainers] == ["Anna Żółkiewska", "Jan Kos"]
    session_ids = [s.id for s in stored.sessions]
    for trainer in (w["trainer"], w["kos"]):
        assert busy_rows(db, trainer) == [
            (local(day, 13), local(day, 16), None, sid)
            for day, sid in zip((WED, THU, FRI), session_ids, strict=True)
        ]
    assert count(db, AuditEvent, AuditEvent.action == "event.create") == 1


def test_a_meeting_at_an_outside_venue_needs_no_office_nor_trainer(db, world) -> None:
    meeting = new_event(
        db, world, kind=EventKind.INFORMATION_MEETING, branch_id=None, trainer_ids=[],
        venue="  Gminny Ośrodek Kultury, Rynek 3  ", sessions=three_afternoons()[:1],
    )  # fmt: skip
    assert (meeting.kind, meeting.branch_id, meeting.venue) == (
        "information_meeting",
        None,
        "Gminny Ośrodek Kultury, Rynek 3",
    )
    assert count(db, ExpertBusyTime) == 0


@pytest.mark.parametrize("role", ["trainer", "client"])
def test_only_managers_create_events(db, world, role) -> None:
    with pytest.raises(NotAllowed) as refused:
        new_event(db, world, actor=world[role])
    assert refused.value.params == {"reason": "managers_only"}
    assert count(db, Event) == count(db, EventSession) == count(db, ExpertBusyTime) == 0


OVERLAPPING = [
    SessionTimes(local(WED, 13), local(WED, 15)),
    SessionTimes(local(WED, 14), local(WED, 16)),
]
INVALID = [
    pytest.param({"sessions": OVERLAPPING}, "sessions", "sessions_overlap", id="overlapping"),
    pytest.param(
        {"sessions": [SessionTimes(NOW - timedelta(hours=1), NOW + timedelta(hours=1))]},
        "sessions", "session_in_past", id="in-the-past",
    ),
    pytest.param(
        {"sessions": [SessionTimes(local(WED, 7), local(WED, 19, 1))]},
        "sessions", "session_length", id="longer-than-12-hours",
    ),
    pytest.param({"sessions": []}, "sessions", "missing", id="no-sessions"),
    pytest.param({"capacity": 0}, "capacity", "out_of_range", id="capacity-0"),
    pytest.param({"branch_id": None, "venue": "  "}, "venue", "place_required", id="no-place"),
    pytest.param({"title": "   "}, "title", "missing", id="no-title"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field", "reason"), INVALID)
def test_invalid_events_are_refused_and_nothing_is_written(db, world, changes, field, reason):
    with pytest.raises(InvalidInput) as refused:
        new_event(db, world, **changes)
    assert (refused.value.field, refused.value.params["reason"]) == (field, reason)
    assert count(db, Event) == count(db, EventSession) == count(db, ExpertBusyTime) == 0


def test_exactly_twelve_hours_is_allowed(db, world) -> None:
    event = new_event(db, world, sessions=[SessionTimes(local(WED, 7), local(WED, 19))])
    assert event.ends_at - event.starts_at == timedelta(hours=12)


# --- one busy-time rule for experts ----------------------------------------------------------


def book(db, w, start, *, expert=None) -> Consultation:
    request = BookingRequest(
        expert_id=(expert or w["trainer"]).id, branch_id=w["klucze"].id, domain_code="law",
        start=start,
    )  # fmt: skip
    return booking.book(
        db.session, request, actor=w["client"], now=NOW, notices=NOTICES, policy=POLICY
    )


def at(start: datetime, hours: float = 1) -> list[SessionTimes]:
    return [SessionTimes(start, start + timedelta(hours=hours))]


def free_starts(db, w) -> list[datetime]:
    db.session.rollback()
    found = slots.find_slots(
        db.session, area=w["law"], branch=w["klucze"], start_date=WED, end_date=WED, now=NOW,
        policy=POLICY, expert_id=w["trainer"].id,
    )  # fmt: skip
    return [s.start for s in found]


def test_no_session_over_a_trainers_consultation_and_nothing_written(db, world) -> None:
    consultation = book(db, world, local(WED, 10))
    with pytest.raises(TrainerBusy) as refused:
        new_event(db, world, sessions=[*three_afternoons(), *at(local(WED, 10, 30), 2)])
    assert refused.value.params == {
        "name": "Anna Żółkiewska", "start": local(WED, 10, 30).isoformat()
    }  # fmt: skip
    assert count(db, Event) == count(db, EventSession) == 0
    assert busy_rows(db, world["trainer"]) == [
        (local(WED, 10), local(WED, 11), consultation.id, None)
    ]
    new_event(db, world, sessions=at(local(WED, 11)))  # right after it: fine
    new_event(db, world, sessions=at(local(WED, 10, 30)), trainer_ids=[world["kos"].id])


def test_no_booking_over_a_trainers_session(db, world) -> None:
    assert free_starts(db, world) == [local(WED, 9), local(WED, 10), local(WED, 11)]
    new_event(db, world, sessions=at(local(WED, 9), 1.5))
    assert free_starts(db, world) == [local(WED, 11)]
    with pytest.raises(SlotTaken):
        book(db, world, local(WED, 10))
    assert count(db, Consultation) == 0
    assert book(db, world, local(WED, 11)).start_dt == local(WED, 11)


def test_the_database_refuses_overlapping_busy_time_whatever_writes_it(db, world) -> None:
    w = world
    consultation = create_consultation(
        expert=w["trainer"], client=w["client"], branch=w["klucze"], area=w["law"],
        start_dt=local(WED, 10),
    )  # fmt: skip
    (over,) = new_event(db, w, sessions=at(local(WED, 10, 30)), trainer_ids=[]).sessions
    (after,) = new_event(db, w, sessions=at(local(WED, 11)), trainer_ids=[]).sessions
    with pytest.raises(IntegrityError):  # a session row over the consultation
        db.session.add(ExpertBusyTime(
            expert_id=w["trainer"].id, start_dt=over.start_dt, end_dt=over.end_dt,
            session_id=over.id,
        ))  # fmt: skip
        db.session.commit()
    db.session.rollback()
    db.session.add(ExpertBusyTime(
        expert_id=w["trainer"].id, start_dt=after.start_dt, end_dt=after.end_dt,
        session_id=after.id,
    ))  # fmt: skip
    db.session.commit()  # touching the consultation's end: fine
    with pytest.raises(IntegrityError):  # a consultation over the session, written directly
        create_consultation(
            expert=w["trainer"], client=w["client"], branch=w["klucze"], area=w["law"],
            start_dt=local(WED, 11, 30),
        )  # fmt: skip
    db.session.rollback()
    assert busy_rows(db, w["trainer"]) == [
        (local(WED, 10), local(WED, 11), consultation.id, None),
        (local(WED, 11), local(WED, 12), None, after.id),
    ]
    assert count(db, Consultation) == 1


def test_a_cancelled_consultation_frees_its_busy_time(db, world) -> None:
    consultation = book(db, world, local(WED, 10))
    booking.cancel(
        db.session, consultation.id, actor=world["client"], now=NOW, notices=NOTICES,
        policy=POLICY,
    )  # fmt: skip
    assert busy_rows(db, world["trainer"]) == []
    event = new_event(db, world, sessions=at(local(WED, 10)))
    assert busy_rows(db, world["trainer"]) == [
        (local(WED, 10), local(WED, 11), None, event.sessions[0].id)
    ]


def test_a_moved_consultation_moves_its_busy_time(db, world) -> None:
    consultation = book(db, world, local(WED, 10))
    booking.reschedule(
        db.session, consultation.id, actor=world["client"], start=local(WED, 11), now=NOW,
        notices=NOTICES, policy=POLICY,
    )  # fmt: skip
    assert busy_rows(db, world["trainer"]) == [
        (local(WED, 11), local(WED, 12), consultation.id, None)
    ]
    with pytest.raises(TrainerBusy):
        new_event(db, world, sessions=at(local(WED, 11, 30)))
    event = new_event(db, world, sessions=at(local(WED, 10)))
    with pytest.raises(DomainError) as refused:  # and back over the session: refused
        booking.reschedule(
            db.session, consultation.id, actor=world["client"], start=local(WED, 10), now=NOW,
            notices=NOTICES, policy=POLICY,
        )  # fmt: skip
    assert isinstance(refused.value, SlotTaken)
    assert [r[3] for r in busy_rows(db, world["trainer"])] == [event.sessions[0].id, None]
