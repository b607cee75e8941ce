"""E-mails and calls for bookings, moves and cancellations: written to the outbox in the same
transaction as the change, with the .ics (same UID, rising SEQUENCE), on both engines."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from incubator.domain import errors
from incubator.models import CallTask, Consultation, OutboxMessage
from incubator.services import booking, reminders
from incubator.services.booking import BookingRequest
from tests.factories import (
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES, NOW, POLICY, WED, local


@pytest.fixture()
def world(db):
    klucze = create_branch(
        code="klucze", name="Klucze", address="ul. Zielona 1, 32-310 Klucze", phone="32 642 00 00"
    )
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law], branches=[klucze], title="mec.", full_name="Anna Żółkiewska",
        email="anna@ies.example.pl",
    )  # fmt: skip
    kos = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
        create_rule(kos, klucze, weekday=weekday)
    client = create_client(full_name="Łucja Wiśniewska", email="lucja@example.org")
    english = create_client(full_name="Grace Hopper", preferred_language="en")
    phone_only = create_client(
        full_name="Jerzy Bąk", email=None, password=None, phone="600 100 200"
    )
    manager = create_manager(full_name="Ewa Śliwa")
    return {
        "klucze": klucze, "nowak": nowak, "kos": kos, "client": client,
        "english": english, "phone_only": phone_only, "manager": manager,
    }  # fmt: skip


def _book(db, w, client, actor=None, start=None, expert=None):
    request = BookingRequest(
        expert_id=(expert or w["nowak"]).id,
        branch_id=w["klucze"].id,
        domain_code="law",
        start=start or local(WED, 10),
        client_id=client.id if actor is not None and actor.is_staff else None,
    )
    return booking.book(
        db.session, request, actor=actor or client, now=NOW, notices=NOTICES, policy=POLICY
    )


def messages(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def parsed(row: OutboxMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(row.message, policy=policy.default)


def ics_of(message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def event_of(message):
    return next(iter(ics_of(message).walk("VEVENT")))


def test_a_booking_queues_one_email_to_the_client_and_one_to_the_expert(db, world) -> None:
    c = _book(db, world, world["client"])
    rows = messages(db)
    assert sorted(r.to_address for r in rows) == [
        "Anna Żółkiewska <anna@ies.example.pl>",
        "Łucja Wiśniewska <lucja@example.org>",
    ]
    to_client = next(r for r in rows if r.recipient_id == world["client"].id)
    assert to_client.status == "queued" and to_client.next_attempt_at_dt == NOW
    message = parsed(to_client)
    assert message["Subject"] == "Konsultacja zarezerwowana: środa, 25 listopada 2026, 10:00–11:00"
    body = message.get_body(("plain",)).get_content()
    assert "Dzień dobry, Łucja Wiśniewska" in body
    assert "ul. Zielona 1, 32-310 Klucze" in body and "mec. Anna Żółkiewska (Prawo)" in body
    assert "https://inkubator.test/moje-konsultacje" in body  # PUBLIC_URL, never the request
    calendar = ics_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = event_of(message)
    assert str(event["UID"]) == f"{c.uid}@inkubator.test"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == local(WED, 10)
    assert str(event["ATTENDEE"]) == "mailto:lucja@example.org"
    # The calendar part says its method in the Content-Type too (Outlook and Gmail read it).
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"


def test_each_recipient_reads_their_own_language(db, world) -> None:
    _book(db, world, world["english"])
    row = next(r for r in messages(db) if r.recipient_id == world["english"].id)
    message = parsed(row)
    assert message["Subject"].startswith("Consultation booked: Wednesday, November 25, 2026")
    assert "Your consultation is booked." in message.get_body(("plain",)).get_content()
    expert_row = next(r for r in messages(db) if r.recipient_id == world["nowak"].id)
    assert parsed(expert_row)["Subject"].startswith("Konsultacja zarezerwowana")
    assert "Grace Hopper" in parsed(expert_row).get_body(("plain",)).get_content()


def test_move_and_cancel_keep_the_uid_and_raise_the_sequence(db, world) -> None:
    c = _book(db, world, world["client"])
    booking.reschedule(
        db.session,
        c.id,
        actor=world["client"],
        start=local(WED, 11),
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    booking.cancel(db.session, c.id, actor=world["client"], now=NOW, notices=NOTICES, policy=POLICY)
    to_client = [parsed(r) for r in messages(db) if r.recipient_id == world["client"].id]
    assert len(to_client) == 3
    methods = [str(ics_of(m)["METHOD"]) for m in to_client]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    events = [event_of(m) for m in to_client]
    assert {str(e["UID"]) for e in events} == {f"{c.uid}@inkubator.test"}
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1].decoded("DTSTART") == local(WED, 11)
    assert str(events[2]["STATUS"]) == "CANCELLED"
    moved = to_client[1].get_body(("plain",)).get_content()
    assert "11:00–12:00" in moved and "10:00–11:00" in moved  # the new time and the old one
    assert to_client[1]["Subject"].startswith("Konsultacja przeniesiona na środa, 25 listopada")


def test_a_move_to_another_expert_cancels_with_the_first_and_invites_the_second(db, world) -> None:
    c = _book(db, world, world["client"])
    booking.reschedule(
        db.session, c.id, actor=world["manager"], start=local(WED, 11), now=NOW,
        notices=NOTICES, policy=POLICY, expert_id=world["kos"].id,
    )  # fmt: skip
    by_person = {(r.recipient_id, r.kind): parsed(r) for r in messages(db)}
    old = by_person[(world["nowak"].id, "cancelled")]
    assert str(ics_of(old)["METHOD"]) == "CANCEL"
    assert event_of(old).decoded("DTSTART") == local(WED, 10)  # the time they had
    assert int(event_of(old)["SEQUENCE"]) == 1
    new = by_person[(world["kos"].id, "booked")]
    assert str(ics_of(new)["METHOD"]) == "REQUEST"
    assert event_of(new).decoded("DTSTART") == local(WED, 11)


def test_a_phone_only_client_is_called_when_someone_else_changes_the_booking(db, world) -> None:
    c = _book(db, world, world["phone_only"], actor=world["manager"])
    assert db.session.scalar(select(func.count()).select_from(CallTask)) == 0  # was on the line
    assert [r.recipient_id for r in messages(db)] == [world["nowak"].id]
    booking.cancel(
        db.session,
        c.id,
        actor=world["nowak"],
        reason="Choroba",
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )
    task = db.session.scalar(select(CallTask))
    assert (task.user_id, task.kind, task.consultation_id) == (
        world["phone_only"].id,
        "cancelled",
        c.id,
    )
    assert task.branch_id == world["klucze"].id and task.expert_id == world["nowak"].id


def test_a_refused_change_queues_nothing(db, world) -> None:
    c = _book(db, world, world["client"])
    before = len(messages(db))
    with pytest.raises(errors.DomainError):
        booking.reschedule(
            db.session, c.id, actor=world["client"], start=local(WED, 10, 7), now=NOW,
            notices=NOTICES, policy=POLICY,
        )  # fmt: skip
    late = NOW + timedelta(days=2, hours=1)  # after the start: too late to cancel
    with pytest.raises(errors.DomainError):
        booking.cancel(
            db.session, c.id, actor=world["client"], now=late, notices=NOTICES, policy=POLICY
        )
    assert len(messages(db)) == before


def test_reminders_are_queued_once_per_person_and_day(db, world) -> None:
    c = _book(db, world, world["client"])
    other = _book(db, world, world["phone_only"], actor=world["manager"], start=local(WED, 11))
    day_before = NOW + timedelta(days=1)
    first = reminders.queue_reminders(db.session, WED, now=day_before, settings=NOTICES)
    assert (first.consultations, first.emails, first.calls) == (2, 1, 1)
    again = reminders.queue_reminders(db.session, WED, now=day_before, settings=NOTICES)
    assert (again.consultations, again.emails, again.calls) == (2, 0, 0)
    reminder = next(r for r in messages(db) if r.kind == "reminder")
    assert reminder.consultation_id == c.id
    assert parsed(reminder)["Subject"].startswith("Przypomnienie: jutro konsultacja")
    call = db.session.scalar(select(CallTask).where(CallTask.kind == "reminder"))
    assert call.user_id == world["phone_only"].id and call.consultation_id == other.id


def test_reminders_skip_cancelled_consultations_and_refuse_a_past_day(db, world) -> None:
    c = _book(db, world, world["client"])
    booking.cancel(db.session, c.id, actor=world["client"], now=NOW, notices=NOTICES, policy=POLICY)
    run = reminders.queue_reminders(db.session, WED, now=NOW, settings=NOTICES)
    assert (run.consultations, run.queued) == (0, 0)
    with pytest.raises(errors.InvalidInput):
        reminders.queue_reminders(
            db.session, NOW.date() - timedelta(days=1), now=NOW, settings=NOTICES
        )


def test_the_outbox_row_and_the_booking_commit_together(db, world) -> None:
    c = _book(db, world, world["client"])
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Consultation, c.id) is not None
    keys = {r.key for r in messages(db)}
    assert f"consultation:{c.id}:booked:0:{world['client'].id}" in keys


def test_a_second_parser_reads_the_attached_event_at_the_same_instant(db, world) -> None:
    import vobject

    summer = date(2027, 6, 2)  # a Wednesday in summer time (CEST)
    request = BookingRequest(
        expert_id=world["nowak"].id, branch_id=world["klucze"].id, domain_code="law",
        start=local(summer, 9),
    )  # fmt: skip
    booking.book(
        db.session, request, actor=world["client"], now=local(summer, 9) - timedelta(days=7),
        notices=NOTICES, policy=POLICY,
    )  # fmt: skip
    row = next(r for r in messages(db) if r.recipient_id == world["client"].id)
    part = next(p for p in parsed(row).walk() if p.get_content_type() == "text/calendar")
    event = vobject.readOne(part.get_content()).vevent
    assert event.dtstart.value.astimezone(UTC) == datetime(2027, 6, 2, 7, 0, tzinfo=UTC)
    assert event_of(parsed(row)).decoded("DTSTART").astimezone(UTC) == datetime(
        2027, 6, 2, 7, 0, tzinfo=UTC
    )
