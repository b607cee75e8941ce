"""Who came to each session, head counts of meetings, and certificates of completion, through
the services (issue #14), on both engines. The world and the helpers: test_events_service.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from incubator.domain.errors import InvalidInput, NotAllowed, NotFound
from incubator.domain.events import (
    NotEnoughAttendance,
    NotRegistered,
    SessionNotStarted,
    WrongEventKind,
)
from incubator.models import (
    AuditEvent,
    EventCertificate,
    EventKind,
    EventRegistration,
    EventSession,
    SessionAttendance,
)
from incubator.services import event_attendance
from incubator.services.event_attendance import CertificateCheck, Progress
from tests.factories import create_client
from tests.helpers import NOW, WED, local
from tests.integration.test_events_service import (
    FRI,
    THU,
    TITLE,
    build_world,
    count,
    new_event,
    register,
    three_afternoons,
)

DURING = {day: local(day, 14) for day in (WED, THU, FRI)}  # each session is 13:00–16:00
AFTER = local(FRI, 17)
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")  # no 0/O, 1/I/L


@pytest.fixture()
def world(db) -> dict:
    w = build_world()
    w["training"] = new_event(db, w)
    w["piotr"] = create_client(full_name="Piotr Nowak")
    for person in (w["client"], w["piotr"]):
        register(db, w["training"], person)
    return w


def record(db, w, day, marks, *, actor=None, now=None, event=None):
    index = {WED: 0, THU: 1, FRI: 2}[day]
    session = (event or w["training"]).sessions[index]
    return event_attendance.record(
        db.session, session.id, marks, actor=actor or w["trainer"], now=now or DURING[day]
    )


def ticks(db) -> set[tuple]:
    db.session.rollback()
    rows = db.session.execute(
        select(
            EventSession.start_dt, SessionAttendance.user_id, SessionAttendance.attended,
            SessionAttendance.recorded_by_id, SessionAttendance.recorded_at_dt,
        ).join(EventSession, EventSession.id == SessionAttendance.session_id)
    )  # fmt: skip
    return {tuple(r) for r in rows}


def certificate(db, w, person, *, actor=None, now=AFTER, share=0.8) -> EventCertificate:
    return event_attendance.issue_certificate(
        db.session, w["training"].id, person.id, actor=actor or w["manager"], now=now, share=share
    )


# --- attendance ------------------------------------------------------------------------------


def test_trainers_and_managers_record_who_came(db, world) -> None:
    w = world
    client, piotr = w["client"].id, w["piotr"].id
    record(db, w, WED, {client: True, piotr: False})
    later = local(WED, 18)
    record(db, w, WED, {piotr: True}, actor=w["manager"], now=later)  # corrected afterwards
    start = local(WED, 13)
    assert ticks(db) == {
        (start, client, True, w["trainer"].id, DURING[WED]),
        (start, piotr, True, w["manager"].id, later),
    }
    assert count(db, AuditEvent, AuditEvent.action == "event.attendance") == 2


def test_no_attendance_for_a_session_not_started(db, world) -> None:
    with pytest.raises(SessionNotStarted) as refused:
        record(db, world, WED, {world["client"].id: True}, now=local(WED, 12, 59))
    assert datetime.fromisoformat(refused.value.params["start"]) == local(WED, 13)
    with pytest.raises(SessionNotStarted):  # Thursday's, on Wednesday
        record(db, world, THU, {world["client"].id: True}, now=DURING[WED])
    assert ticks(db) == set()
    record(db, world, WED, {world["client"].id: True}, now=local(WED, 13))  # from its start on
    assert len(ticks(db)) == 1


def test_attendance_only_for_people_registered(db, world) -> None:
    w = world
    stranger = create_client()
    full = new_event(db, w, capacity=1, trainer_ids=[])  # (the trainer is busy at the first)
    register(db, full, w["client"])
    waiting = create_client()
    register(db, full, waiting, waitlist=True)
    with pytest.raises(NotRegistered) as refused:
        record(db, w, WED, {w["client"].id: True, stranger.id: True})
    assert refused.value.params == {"user_id": stranger.id}
    with pytest.raises(NotRegistered):  # on the waiting list is not registered
        record(db, w, WED, {w["client"].id: True, waiting.id: True}, event=full, actor=w["manager"])
    assert ticks(db) == set()  # not even the registered person of the same call


def test_experts_who_do_not_train_there_may_not_record(db, world) -> None:
    w = world
    for who in (w["kos"], w["client"]):
        with pytest.raises(NotAllowed) as refused:
            record(db, w, WED, {w["client"].id: True}, actor=who)
        assert refused.value.params == {"reason": "not_trainer"}
    with pytest.raises(NotFound):
        event_attendance.record(db.session, 10**6, {}, actor=w["manager"], now=AFTER)
    assert ticks(db) == set()


def test_head_counts_are_for_information_meetings(db, world) -> None:
    w = world
    meeting = new_event(
        db, w, kind=EventKind.INFORMATION_MEETING, sessions=three_afternoons()[:1], trainer_ids=[]
    )
    training_session, meeting_session = w["training"].sessions[0].id, meeting.sessions[0].id
    with pytest.raises(WrongEventKind) as refused:
        event_attendance.set_head_count(
            db.session, training_session, 12, actor=w["manager"], now=DURING[WED]
        )
    assert refused.value.params == {"kind": "training"}
    with pytest.raises(SessionNotStarted):
        event_attendance.set_head_count(
            db.session, meeting_session, 12, actor=w["manager"], now=NOW
        )
    with pytest.raises(InvalidInput) as refused:
        event_attendance.set_head_count(
            db.session, meeting_session, -1, actor=w["manager"], now=DURING[WED]
        )
    assert refused.value.field == "anonymous_count"
    with pytest.raises(NotAllowed):  # the training's trainer does not run this meeting
        event_attendance.set_head_count(
            db.session, meeting_session, 12, actor=w["trainer"], now=DURING[WED]
        )
    db.session.rollback()
    assert set(db.session.scalars(select(EventSession.anonymous_count))) == {0}
    event_attendance.set_head_count(
        db.session, meeting_session, 12, actor=w["manager"], now=DURING[WED]
    )
    db.session.rollback()
    assert db.session.get(EventSession, meeting_session).anonymous_count == 12
    assert db.session.get(EventSession, training_session).anonymous_count == 0
    assert count(db, AuditEvent, AuditEvent.action == "event.head_count") == 1


# --- certificates ----------------------------------------------------------------------------


def test_no_certificate_below_the_share_of_sessions(db, world) -> None:
    w = world
    record(db, w, WED, {w["client"].id: True})
    record(db, w, THU, {w["client"].id: False})
    registration = db.session.scalar(
        select(EventRegistration).where(EventRegistration.user_id == w["client"].id)
    )
    assert event_attendance.progress(db.session, registration, AFTER) == Progress(1, 3)
    with pytest.raises(NotEnoughAttendance) as refused:
        certificate(db, w, w["client"])
    assert refused.value.params == {"attended": 1, "held": 3, "needed": 3}
    assert count(db, EventCertificate) == 0


def test_enough_attendance_gives_one_certificate(db, world) -> None:
    w = world
    for day in (WED, THU, FRI):
        record(db, w, day, {w["client"].id: True, w["piotr"].id: day != THU})
    issued = certificate(db, w, w["client"])
    assert CODE.match(issued.code), issued.code
    assert (issued.sessions_attended, issued.sessions_held) == (3, 3)
    assert (issued.issued_by_id, issued.issued_at_dt) == (w["manager"].id, AFTER)
    again = certificate(db, w, w["client"], actor=w["client"], now=AFTER + timedelta(days=30))
    assert (again.id, again.code, again.issued_at_dt) == (issued.id, issued.code, AFTER)
    with pytest.raises(NotEnoughAttendance):  # 2 of 3 is below 0.8 ...
        certificate(db, w, w["piotr"])
    at_share = certificate(db, w, w["piotr"], share=2 / 3)  # ... and exactly 2/3
    assert (at_share.sessions_attended, at_share.sessions_held) == (2, 3)
    assert at_share.code != issued.code
    assert count(db, EventCertificate) == 2
    assert count(db, AuditEvent, AuditEvent.action == "event.certificate") == 2


def test_sessions_before_a_persons_seat_are_not_counted_against_them(db, world) -> None:
    """A seat taken after the first session (written directly: today neither registering nor
    the waiting list can give one once the event has begun) counts only what came after."""
    w = world
    db.session.execute(
        update(EventRegistration)
        .where(EventRegistration.user_id == w["client"].id)
        .values(seat_since_dt=local(THU, 9))
    )
    db.session.commit()
    for day in (THU, FRI):
        record(db, w, day, {w["client"].id: True, w["piotr"].id: True})
    late = certificate(db, w, w["client"])
    assert (late.sessions_attended, late.sessions_held) == (2, 2)
    with pytest.raises(NotEnoughAttendance) as refused:  # seated from the start: 2 of 3
        certificate(db, w, w["piotr"])
    assert refused.value.params == {"attended": 2, "held": 3, "needed": 3}


def test_a_certificate_is_checked_by_its_code(db, world) -> None:
    w = world
    for day in (WED, THU, FRI):
        record(db, w, day, {w["client"].id: True})
    code = certificate(db, w, w["client"]).code
    expected = CertificateCheck(
        initials="Ł. W.", title=TITLE, first_day=WED, last_day=FRI, issued_on=FRI
    )
    assert event_attendance.verify(db.session, code) == expected
    typed = code.replace("-", "").lower()
    assert event_attendance.verify(db.session, typed) == expected
    assert event_attendance.verify(db.session, f" {typed[:4]} {typed[4:]} ") == expected
    assert event_attendance.verify(db.session, "ABCD-EF01") is None  # 0 and 1 are never used
    assert event_attendance.verify(db.session, "") is None
    w["client"].erased_at_dt, w["client"].full_name = NOW, f"#{w['client'].id}"  # anonymised
    db.session.commit()
    assert event_attendance.verify(db.session, code).initials == "—"


def test_certificates_are_for_people_registered_at_trainings(db, world) -> None:
    w = world
    meeting = new_event(db, w, kind=EventKind.INFORMATION_MEETING, trainer_ids=[])
    register(db, meeting, w["client"])
    with pytest.raises(WrongEventKind):
        event_attendance.issue_certificate(
            db.session, meeting.id, w["client"].id, actor=w["manager"], now=AFTER, share=0.5
        )
    with pytest.raises(NotRegistered):
        certificate(db, w, create_client())
    with pytest.raises(NotFound):  # a client asks for someone else's
        certificate(db, w, w["piotr"], actor=w["client"], share=0.0)
    assert count(db, EventCertificate) == 0
