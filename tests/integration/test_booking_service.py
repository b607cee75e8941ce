"""The booking service against the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from incubator.domain import booking_rules as rules
from incubator.domain import errors
from incubator.models import (
    AuditEvent,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
)
from incubator.services import booking
from incubator.services import slots as slot_service
from incubator.services.booking import BookingRequest
from tests.factories import (
    create_branch,
    create_client,
    create_domain,
    create_exception,
    create_expert,
    create_group,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES, NOW, POLICY, WED, local


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze")
    other = create_branch(code="nowy-sacz", name="Nowy Sącz")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law], branches=[klucze, other], title="mec.", full_name="Anna Nowak"
    )
    kos = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
        create_rule(kos, klucze, weekday=weekday)
    client = create_client(full_name="Maria Wiśniewska")
    return {
        "klucze": klucze,
        "other": other,
        "law": law,
        "nowak": nowak,
        "kos": kos,
        "client": client,
    }


def request(w, start: datetime, expert=None, **kw) -> BookingRequest:
    return BookingRequest(
        expert_id=(expert or w["nowak"]).id,
        branch_id=w["klucze"].id,
        domain_code="law",
        start=start,
        **kw,
    )


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Consultation))


def test_find_slots_lists_each_experts_free_hours(db, world) -> None:
    slots = slot_service.find_slots(
        db.session,
        area=world["law"],
        branch=world["klucze"],
        start_date=WED,
        end_date=WED,
        now=NOW,
        policy=POLICY,
    )
    assert [(s.start.hour, s.expert_id) for s in slots] == sorted(
        (h, e.id) for h in (9, 10, 11) for e in (world["nowak"], world["kos"])
    )
    assert all(
        s.start.tzinfo is not None and s.start.utcoffset() == timedelta(hours=1) for s in slots
    )


def test_no_slots_on_a_public_holiday(db, world) -> None:
    slots = slot_service.find_slots(
        db.session,
        area=world["law"],
        branch=world["klucze"],
        start_date=date(2026, 12, 24),
        end_date=date(2026, 12, 26),
        now=NOW,
        policy=POLICY,
    )
    assert slots == []  # Wigilia, Christmas Day, St Stephen's Day


def test_book_creates_one_consultation_with_its_attendee(db, world) -> None:
    c = booking.book(
        db.session,
        request(world, local(WED, 9), topic=" Statut spółdzielni "),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    db.session.expire_all()
    assert count(db) == 1
    stored = db.session.get(Consultation, c.id)
    assert stored.start_dt == local(WED, 9) and stored.end_dt == local(WED, 10)
    assert stored.client_id == world["client"].id == stored.created_by_id
    assert stored.topic == "Statut spółdzielni"
    assert [a.user_id for a in stored.attendees] == [world["client"].id]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "consultation.book")
        )
        == 1
    )


def test_a_taken_slot_answers_slot_taken_with_alternatives(db, world) -> None:
    booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    other = create_client()
    with pytest.raises(rules.SlotTaken) as caught:
        booking.book(
            db.session,
            request(world, local(WED, 9)),
            actor=other,
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    assert count(db) == 1
    alternatives = caught.value.next_slots
    assert alternatives and alternatives[0].start == local(WED, 10)
    assert alternatives[0].expert_id == world["nowak"].id


def test_cancelled_slot_can_be_booked_again(db, world) -> None:
    first = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    booking.cancel(
        db.session, first.id, actor=world["client"], now=NOW, notices=NOTICES, policy=POLICY
    )
    other = create_client()
    again = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=other,
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    assert again.id != first.id
    statuses = db.session.scalars(select(Consultation.status).order_by(Consultation.id)).all()
    assert statuses == [ConsultationStatus.CANCELLED, ConsultationStatus.BOOKED]


@pytest.mark.parametrize(
    ("start", "error"),
    [
        (local(WED, 9, 30), rules.OutsideAvailability),  # not on a slot boundary
        (local(WED, 13), rules.OutsideAvailability),  # outside the rule
        (NOW - timedelta(days=1), errors.InThePast),
        (local(date(2026, 11, 24), 9), rules.TooShortNotice),  # 23 hours ahead
        (local(date(2026, 11, 29), 9), rules.ClosedDay),  # Sunday
        (local(date(2026, 12, 24), 9), rules.ClosedDay),  # Wigilia
        (local(date(2027, 2, 1), 9), rules.BeyondHorizon),
    ],
)
def test_bad_starts_are_refused_and_write_nothing(db, world, start, error) -> None:
    with pytest.raises(error):
        booking.book(
            db.session,
            request(world, start),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    assert count(db) == 0


def test_day_off_removes_the_slot(db, world) -> None:
    create_exception(world["nowak"], start_date=WED, reason="urlop")
    with pytest.raises(rules.OutsideAvailability):
        booking.book(
            db.session,
            request(world, local(WED, 9)),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )


@pytest.mark.parametrize(
    ("domain_code", "branch_key", "expert_key", "error"),
    [
        ("astrology", "klucze", "nowak", rules.UnknownDomain),
        ("law", None, "nowak", errors.UnknownBranch),
        ("law", "other", "kos", errors.UnknownExpert),  # Kos does not work in Nowy Sącz
    ],
)
def test_unknown_references(db, world, domain_code, branch_key, expert_key, error) -> None:
    req = BookingRequest(
        expert_id=world[expert_key].id,
        branch_id=world[branch_key].id if branch_key else 999_999,
        domain_code=domain_code,
        start=local(WED, 9),
    )
    with pytest.raises(error):
        booking.book(
            db.session, req, actor=world["client"], now=NOW, notices=NOTICES, policy=POLICY
        )
    assert count(db) == 0


def test_a_client_may_hold_three_future_bookings(db, world) -> None:
    for day in (WED, WED + timedelta(days=1), WED + timedelta(days=2)):
        booking.book(
            db.session,
            request(world, local(day, 9)),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    with pytest.raises(rules.TooManyBookings):
        booking.book(
            db.session,
            request(world, local(WED + timedelta(days=5), 9)),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    assert count(db) == 3


def test_a_client_cannot_hold_two_overlapping_bookings(db, world) -> None:
    booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    with pytest.raises(rules.OverlapsOwnBooking):
        booking.book(
            db.session,
            request(world, local(WED, 9), expert=world["kos"]),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    assert count(db) == 1


def test_a_client_cannot_book_for_someone_else(db, world) -> None:
    other = create_client()
    with pytest.raises(errors.NotAllowed):
        booking.book(
            db.session,
            request(world, local(WED, 9), client_id=other.id),
            actor=world["client"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    assert count(db) == 0


def test_an_expert_books_only_into_their_own_calendar(db, world) -> None:
    client = world["client"]
    with pytest.raises(errors.NotAllowed):
        booking.book(
            db.session,
            request(world, local(WED, 9), client_id=client.id),
            actor=world["kos"],
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    c = booking.book(
        db.session,
        request(world, local(WED, 9), expert=world["kos"], client_id=client.id),
        actor=world["kos"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    assert c.created_by_id == world["kos"].id and c.client_id == client.id


def test_staff_must_name_the_client(db, world) -> None:
    with pytest.raises(rules.UnknownClient):
        booking.book(
            db.session,
            request(world, local(WED, 9)),
            actor=create_manager(),
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )


def test_group_consultation_records_every_attendee(db, world) -> None:
    client, friend, stranger = world["client"], create_client(), create_client()
    group = create_group(
        name="Spółdzielnia Socjalna „Opoka”", branch_id=world["klucze"].id, members=[client, friend]
    )
    with pytest.raises(rules.InvalidAttendee):
        booking.book(
            db.session,
            request(world, local(WED, 9), attendee_ids=(stranger.id,)),
            actor=client,
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    c = booking.book(
        db.session,
        request(world, local(WED, 9), attendee_ids=(friend.id,)),
        actor=client,
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    db.session.expire_all()
    attendees = db.session.scalars(
        select(ConsultationAttendee.user_id).where(ConsultationAttendee.consultation_id == c.id)
    ).all()
    assert sorted(attendees) == sorted([client.id, friend.id])
    assert db.session.get(Consultation, c.id).founding_group_id == group.id


def test_clients_cancel_only_24_hours_ahead_staff_always_with_reason(db, world) -> None:
    c = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    late = local(WED, 9) - timedelta(hours=2)
    with pytest.raises(rules.TooLateToCancel):
        booking.cancel(
            db.session, c.id, actor=world["client"], now=late, notices=NOTICES, policy=POLICY
        )
    manager = create_manager()
    with pytest.raises(errors.InvalidInput):
        booking.cancel(db.session, c.id, actor=manager, now=late, notices=NOTICES, policy=POLICY)
    booking.cancel(
        db.session,
        c.id,
        actor=manager,
        reason="Choroba eksperta",
        now=late,
        notices=NOTICES,
        policy=POLICY,
    )
    db.session.expire_all()
    stored = db.session.get(Consultation, c.id)
    assert stored.status == ConsultationStatus.CANCELLED and stored.sequence == 1
    assert stored.cancelled_by_id == manager.id and stored.cancel_reason == "Choroba eksperta"
    with pytest.raises(rules.NotCancellable):
        booking.cancel(
            db.session, c.id, actor=manager, reason="x", now=late, notices=NOTICES, policy=POLICY
        )


def test_others_consultations_are_not_found(db, world) -> None:
    c = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    with pytest.raises(errors.NotFound):
        booking.cancel(
            db.session, c.id, actor=create_client(), now=NOW, notices=NOTICES, policy=POLICY
        )
    with pytest.raises(errors.NotFound):
        booking.cancel(
            db.session,
            c.id,
            actor=world["kos"],
            reason="x",
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )


def test_reschedule_moves_in_place_keeping_the_uid(db, world) -> None:
    c = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    uid = c.uid
    booking.reschedule(
        db.session,
        c.id,
        actor=world["client"],
        start=local(WED, 11),
        expert_id=world["kos"].id,
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    db.session.expire_all()
    stored = db.session.get(Consultation, c.id)
    assert (stored.uid, stored.sequence, stored.expert_id) == (uid, 1, world["kos"].id)
    assert stored.start_dt == local(WED, 11)
    assert count(db) == 1
    # The old time is free again.
    free = slot_service.find_slots(
        db.session,
        area=world["law"],
        branch=world["klucze"],
        start_date=WED,
        end_date=WED,
        now=NOW,
        policy=POLICY,
        expert_id=world["nowak"].id,
    )
    assert local(WED, 9) in [s.start for s in free]


def test_reschedule_onto_a_taken_slot_changes_nothing(db, world) -> None:
    mine = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    booking.book(
        db.session,
        request(world, local(WED, 10)),
        actor=create_client(),
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    with pytest.raises(rules.SlotTaken):
        booking.reschedule(
            db.session,
            mine.id,
            actor=world["client"],
            start=local(WED, 10),
            now=NOW,
            notices=NOTICES,
            policy=POLICY,
        )
    db.session.expire_all()
    stored = db.session.get(Consultation, mine.id)
    assert stored.start_dt == local(WED, 9) and stored.sequence == 0
    assert stored.status == ConsultationStatus.BOOKED


def test_reschedule_by_one_hour_onto_its_own_buffer_is_allowed(db, world) -> None:
    c = booking.book(
        db.session,
        request(world, local(WED, 9)),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    booking.reschedule(
        db.session,
        c.id,
        actor=world["client"],
        start=local(WED, 10),
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).start_dt == local(WED, 10)


def test_database_refuses_overlapping_consultations(db, world) -> None:
    """A direct insert that bypasses the service: PostgreSQL's exclusion constraint refuses an
    overlap with a different start; both engines refuse the same start."""
    nowak, client = world["nowak"], world["client"]

    def insert(start: datetime, minutes: int) -> None:
        db.session.add(
            Consultation(
                expert_id=nowak.id,
                client_id=client.id,
                branch_id=world["klucze"].id,
                domain_id=world["law"].id,
                start_dt=start,
                end_dt=start + timedelta(minutes=minutes),
                created_at_dt=NOW,
                updated_at_dt=NOW,
            )
        )
        db.session.commit()

    insert(local(WED, 9), 90)
    with pytest.raises(IntegrityError):
        insert(local(WED, 9), 30)
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(IntegrityError):
            insert(local(WED, 10), 60)  # starts inside 09:00–10:30
        db.session.rollback()
        assert (
            db.session.scalar(
                text(
                    "SELECT count(*) FROM pg_constraint "
                    "WHERE conname = 'ex_consultations_expert_overlap'"
                )
            )
            == 1
        )
    assert count(db) == 1
