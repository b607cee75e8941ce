"""Events as their users meet them (issue #14): a manager creates one from the form, a client
registers and joins the waiting list, staff register a client by phone, trainers tick
attendance. Rules are tested without HTTP in tests/integration/test_events_service*.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from incubator.domain.events import SessionTimes
from incubator.extensions import db
from incubator.models import Event, EventRegistration, OutboxMessage, SessionAttendance
from incubator.services import events
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.helpers import local
from tests.web.pages import page


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    trainer = create_expert(domains=[law], branches=[klucze], full_name="Anna Żółkiewska")
    other = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    return {
        "klucze": klucze, "law": law, "trainer": trainer, "other": other,
        "client": create_client(full_name="Łucja Wiśniewska", email="lucja@example.org"),
        "second": create_client(full_name="Grzegorz Brzęczyszczykiewicz", email="g@example.org"),
        "phone_only": create_client(full_name="Jerzy Bąk", email=None, password=None,
                                    phone="600 1"),
        "manager": create_manager(full_name="Ewa Śliwa", email="ewa@ies.example.pl"),
    }  # fmt: skip


def day_ahead(days: int = 7):
    day = local_date(utcnow()) + timedelta(days=days)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def make_event(w, *, capacity=2, start=None, now=None, kind="training"):
    start = start or local(day_ahead(), 9)
    new = events.NewEvent(
        kind=kind, title="Ekonomia społeczna od podstaw", capacity=capacity,
        sessions=[SessionTimes(start, start + timedelta(hours=3)),
                  SessionTimes(start + timedelta(days=1), start + timedelta(days=1, hours=3))],
        trainer_ids=[w["trainer"].id], branch_id=w["klucze"].id,
    )  # fmt: skip
    return events.create(db.session, new, actor=w["manager"], now=now or utcnow())


def test_a_manager_creates_an_event_and_a_clash_is_refused_in_polish(client, db, world):
    w = world
    login(client, w["manager"].email, PASSWORD)
    form = page(client.get("/wydarzenia/nowe"))
    assert "Nowe wydarzenie" in form and "Anna Żółkiewska" in form
    day = day_ahead()
    create_consultation(
        expert=w["trainer"], client=w["client"], branch=w["klucze"], area=w["law"],
        start_dt=local(day, 10),
    )  # fmt: skip
    data = {
        "kind": "training", "title": "Księgowość w spółdzielni", "branch": w["klucze"].id,
        "capacity": 12, "trainers": [w["trainer"].id],
        "sessions": f"{day.isoformat()} 09:00-13:00\n"
                    f"{day.day:02d}.{day.month:02d}.{day.year} 14:00-16:00",
    }  # fmt: skip
    refused = client.post("/wydarzenia/nowe", data=data)
    assert refused.status_code == 422
    assert "Anna Żółkiewska ma o tej porze konsultację" in page(refused)
    assert db.session.scalar(select(Event)) is None
    bad = client.post("/wydarzenia/nowe", data={**data, "sessions": "jutro rano"})
    assert "Wiersz 1" in page(bad)
    created = client.post("/wydarzenia/nowe", data={**data, "trainers": [w["other"].id]})
    event = db.session.scalar(select(Event))
    assert created.headers["Location"].endswith(f"/wydarzenia/{event.id}")
    assert [s.start_dt for s in event.sessions] == [local(day, 9), local(day, 14)]
    html = page(client.get(f"/wydarzenia/{event.id}"))
    assert "Księgowość w spółdzielni" in html and "Jan Kos" in html
    raw = client.get(f"/wydarzenia/{event.id}").get_data(as_text=True)
    title = raw[raw.index("<title>") : raw.index("</title>")]
    assert "Księgowość w spółdzielni" in title and "<section" not in title  # text only
    assert raw.count('id="call-off-heading"') == 1  # the manager's form, once, in the page


def test_clients_register_then_wait_and_a_freed_seat_is_given_and_told(client, db, world):
    w = world
    event = make_event(w, capacity=1)
    login(client, w["second"].email, PASSWORD)
    client.post(f"/wydarzenia/{event.id}/zapis", data={})
    client.post("/konto/wyloguj")
    login(client, w["client"].email, PASSWORD)
    html = page(client.get(f"/wydarzenia/{event.id}"))
    assert "Zapisz się na listę oczekujących" in html
    full = client.post(f"/wydarzenia/{event.id}/zapis", data={}, follow_redirects=True)
    assert "Wszystkie miejsca są zajęte" in page(full)
    waiting = client.post(f"/wydarzenia/{event.id}/zapis", data={"waitlist": "y"},
                          follow_redirects=True)  # fmt: skip
    assert "lista oczekujących" in page(waiting).lower()
    rows = db.session.scalars(select(EventRegistration).order_by(EventRegistration.id)).all()
    assert [r.status for r in rows] == ["registered", "waitlisted"]
    client.post("/konto/wyloguj")
    login(client, w["manager"].email, PASSWORD)
    client.post(f"/wydarzenia/{event.id}/zapisy/{rows[0].id}/rezygnacja")
    db.session.expire_all()
    assert [r.status for r in rows] == ["cancelled", "registered"]
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.kind == "event_seat" and "Ekonomia społeczna od podstaw" in mail.subject


def test_staff_register_a_phone_client_and_trainers_tick_who_came(client, db, world):
    w = world
    start = utcnow() - timedelta(hours=1)  # the first session is under way
    event = make_event(w, capacity=5, start=start, now=start - timedelta(days=2))
    login(client, w["manager"].email, PASSWORD)
    search = page(client.get(f"/wydarzenia/{event.id}?q=B%C4%85k"))
    assert "rejestracja jest zamknięta" not in search  # staff see the list; it has started
    event2 = make_event(w, capacity=5, start=local(day_ahead(9), 9))
    found = page(client.get(f"/wydarzenia/{event2.id}?q=B%C4%85k"))
    assert "Jerzy Bąk" in found
    client.post(f"/wydarzenia/{event2.id}/zapis", data={"client": w["phone_only"].id})
    assert db.session.scalar(select(EventRegistration.user_id)) == w["phone_only"].id
    # attendance of the running session: registered people only
    from incubator.models import EventRegistration as Reg

    db.session.add(Reg(event_id=event.id, user_id=w["client"].id, status="registered",
                       created_at_dt=start - timedelta(days=2),
                       seat_since_dt=start - timedelta(days=2)))  # fmt: skip
    db.session.commit()
    client.post("/konto/wyloguj")
    login(client, w["trainer"].email, PASSWORD)
    first, second = event.sessions
    sheet = page(client.get(f"/wydarzenia/{event.id}/sesje/{first.id}/obecnosc"))
    assert "Łucja Wiśniewska" in sheet
    saved = client.post(
        f"/wydarzenia/{event.id}/sesje/{first.id}/obecnosc",
        data={"person": [w["client"].id], "came": [w["client"].id]}, follow_redirects=True,
    )  # fmt: skip
    assert "Zapisano obecność: przyszło 1" in page(saved)
    assert db.session.scalar(select(SessionAttendance.attended)) is True
    later = page(client.get(f"/wydarzenia/{event.id}/sesje/{second.id}/obecnosc"))
    assert "Ta sesja jeszcze się nie zaczęła" in later
    client.post("/konto/wyloguj")
    login(client, w["other"].email, PASSWORD)  # an expert who does not train here
    assert client.get(f"/wydarzenia/{event.id}/sesje/{first.id}/obecnosc").status_code == 403


def test_sessions_are_in_the_event_file_and_in_the_trainers_and_participants_feeds(
    client, db, world
):
    from icalendar import Calendar

    from incubator.services import calendar_feeds

    w = world
    event = make_event(w, capacity=3)
    from incubator.services import event_registrations

    event_registrations.register(db.session, event.id, actor=w["client"], now=utcnow())
    login(client, w["client"].email, PASSWORD)
    data = client.get(f"/wydarzenia/{event.id}.ics").data
    events_in = [c for c in Calendar.from_ical(data).walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events_in] == [
        "Szkolenie: Ekonomia społeczna od podstaw (1/2)",
        "Szkolenie: Ekonomia społeczna od podstaw (2/2)",
    ]
    assert events_in[0].decoded("DTSTART") == event.sessions[0].start_dt
    for person in (w["client"], w["trainer"]):
        feed = calendar_feeds.get_or_create(db.session, user=person, branch_id=None, now=utcnow())
        body = client.get(f"/kalendarz/{feed.token}.ics").data
        uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(body).walk("VEVENT")}
        assert {f"event-session-{s.id}" for s in event.sessions} <= uids, person.full_name
    outsider = calendar_feeds.get_or_create(db.session, user=w["second"], branch_id=None,
                                            now=utcnow())  # fmt: skip
    body = client.get(f"/kalendarz/{outsider.token}.ics").data
    assert b"event-session" not in body


def test_a_manager_calls_an_event_off_and_everyone_is_told(client, db, world):
    from icalendar import Calendar

    from incubator.models import CallTask, ExpertBusyTime
    from incubator.services import calendar_feeds, event_registrations

    w = world
    event = make_event(w, capacity=1)
    event_registrations.register(db.session, event.id, actor=w["client"], now=utcnow())
    event_registrations.register(db.session, event.id, actor=w["manager"], now=utcnow(),
                                 user_id=w["phone_only"].id, waitlist=True)  # fmt: skip
    login(client, w["client"].email, PASSWORD)
    assert client.post(f"/wydarzenia/{event.id}/odwolanie", data={"reason": "x"}).status_code == 403
    client.post("/konto/wyloguj")
    login(client, w["manager"].email, PASSWORD)
    empty = client.post(f"/wydarzenia/{event.id}/odwolanie", data={"reason": ""},
                        follow_redirects=True)  # fmt: skip
    assert "Podaj powód odwołania" in page(empty)
    done = client.post(f"/wydarzenia/{event.id}/odwolanie",
                       data={"reason": "Choroba prowadzącej"}, follow_redirects=True)  # fmt: skip
    html = page(done)
    assert "Wydarzenie jest odwołane." in html and "Zapisz się" not in html
    assert "Ekonomia społeczna od podstaw" not in page(client.get("/wydarzenia/"))
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.kind == "event_cancelled" and mail.subject.startswith("Odwołane:")
    assert b"Choroba prowadz" in mail.message or "Choroba" in mail.message.decode(
        "utf-8", "replace"
    )
    task = db.session.scalar(select(CallTask))
    assert (task.kind, task.user_id) == ("event_cancelled", w["phone_only"].id)
    # the trainer's time is free again; the participant's calendar shows the sessions cancelled
    assert db.session.scalar(select(ExpertBusyTime.id).where(
        ExpertBusyTime.session_id.in_([s.id for s in event.sessions]))) is None  # fmt: skip
    feed = calendar_feeds.get_or_create(db.session, user=w["client"], branch_id=None,
                                        now=utcnow())  # fmt: skip
    body = client.get(f"/kalendarz/{feed.token}.ics").data
    statuses = {str(e["STATUS"]) for e in Calendar.from_ical(body).walk("VEVENT")
                if str(e["UID"]).startswith("event-session-")}  # fmt: skip
    assert statuses == {"CANCELLED"}
    again = client.post(f"/wydarzenia/{event.id}/odwolanie", data={"reason": "x"})
    assert again.status_code == 404
