"""The events API (issue #14) through the test client, on SQLite and PostgreSQL: listing and
reading events, managers creating them (a trainer's booked consultation refuses with nothing
written), registering, the full event's waiting-list offer, cancelling and the promotion that
follows. Every answer is checked against the OpenAPI document (`check`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from incubator.clock import utcnow
from incubator.domain.calendar import WARSAW
from incubator.models import (
    AuditEvent,
    CallTask,
    Event,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
    OutboxMessage,
)
from incubator.web.api.openapi import error_codes, openapi_document
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.web import test_api
from tests.web.test_api import API, ISO_WITH_OFFSET, as_user, error_code, today
from tests.web.test_openapi import check

fresh_request_globals = test_api.fresh_request_globals  # each request its own `g`

EVENTS = "/events"
EVENT = "/events/{event_id}"
REGISTRATIONS = "/events/{event_id}/registrations"
REGISTRATION = "/events/{event_id}/registrations/{registration_id}"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(server_url=API)


@pytest.fixture()
def world(db) -> dict[str, Any]:
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Partyzantów 10")
    olkusz = create_branch(code="olkusz", name="Olkusz")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    return {
        "klucze": klucze, "olkusz": olkusz, "law": law,
        "nowak": create_expert(domains=[law], branches=[klucze], title="mec.",
                               full_name="Anna Nowak"),
        "kos": create_expert(domains=[law], branches=[klucze], full_name="Jan Kos"),
        "client": create_client(full_name="Maria Wiśniewska", email="maria@example.org"),
        "other": create_client(full_name="Piotr Zając", email="piotr@example.org"),
        "phone_only": create_client(full_name="Jerzy Bąk", email=None, password=None,
                                    phone="600 100 200"),
        "manager": create_manager(full_name="Ewa Kierownik", email="ewa@example.org"),
    }  # fmt: skip


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW).isoformat()


def ahead(days: int) -> date:
    return today() + timedelta(days=days)


def training(w, **extra) -> dict[str, Any]:
    """A two-session training at Klucze led by Nowak, a week ahead."""
    return {
        "kind": "training", "title": "Księgowość dla spółdzielni socjalnych",
        "branch_id": w["klucze"].id, "capacity": 12, "trainer_ids": [w["nowak"].id],
        "sessions": [{"start": at(ahead(7), 10), "end": at(ahead(7), 14)},
                     {"start": at(ahead(8), 10), "end": at(ahead(8), 14)}],
        "topic": "Pełna księgowość", "area": "law", **extra,
    }  # fmt: skip


def create(app, w, **extra) -> dict[str, Any]:
    response = as_user(app, w["manager"]).post(f"{API}/events", json=training(w, **extra))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def move_sessions(db, event_id: int, by: timedelta) -> None:
    """Shift an event's sessions (to make one that has started or is over; the API refuses
    sessions in the past, as it should)."""
    for item in db.session.scalars(select(EventSession).where(EventSession.event_id == event_id)):
        item.start_dt, item.end_dt = item.start_dt + by, item.end_dt + by
    db.session.commit()


# --- creating -------------------------------------------------------------------------------


def test_a_manager_creates_a_training_and_everyone_logged_in_reads_it(app, world, document):
    w = world
    manager = as_user(app, w["manager"])
    created = manager.post(f"{API}/events", json=training(w))
    assert created.status_code == 201, created.get_json()
    check(document, EVENTS, "post", created)
    event = created.get_json()
    assert created.headers["Location"] == event["url"] == f"{API}/events/{event['id']}"
    assert {k: event[k] for k in ("kind", "title", "topic", "area", "venue")} == {
        "kind": "training", "title": "Księgowość dla spółdzielni socjalnych",
        "topic": "Pełna księgowość", "area": "law", "venue": None,
    }  # fmt: skip
    assert event["branch"] == {"id": w["klucze"].id, "name": "Klucze"}
    assert (event["capacity"], event["seats_taken"], event["seats_left"]) == (12, 0, 12)
    assert event["trainers"] == [{"id": w["nowak"].id, "name": "mec. Anna Nowak"}]
    assert [s["start"] for s in event["sessions"]] == [
        datetime.fromisoformat(at(ahead(d), 10)).isoformat() for d in (7, 8)
    ]
    assert all(ISO_WITH_OFFSET.match(s["start"]) and ISO_WITH_OFFSET.match(s["end"])
               for s in event["sessions"])  # fmt: skip
    assert event["registration"] is None and event["registrations"] == []

    client = as_user(app, w["client"])
    listed = client.get(f"{API}/events")
    check(document, EVENTS, "get", listed)
    [item] = listed.get_json()
    assert item["id"] == event["id"] and "registrations" not in item  # staff only
    one = client.get(event["url"])
    check(document, EVENT, "get", one)
    assert one.get_json() == item


def test_an_information_meeting_at_an_outside_venue(app, world, document):
    w = world
    meeting = create(
        app, w, kind="information_meeting", title="Jak założyć spółdzielnię socjalną",
        branch_id=None, venue="Dom Kultury, ul. Krakowska 5", trainer_ids=[], area=None,
        topic=None, sessions=[{"start": at(ahead(5), 17), "end": at(ahead(5), 19)}],
    )  # fmt: skip
    assert meeting["branch"] is None and meeting["venue"] == "Dom Kultury, ul. Krakowska 5"
    assert meeting["trainers"] == [] and meeting["area"] is None and meeting["topic"] == ""


def test_creating_is_for_managers_and_its_input_is_read_strictly(app, db, world, document):
    w = world
    for who in ("client", "nowak"):  # refused whatever the body says
        refused = as_user(app, w[who]).post(f"{API}/events", json=training(w))
        assert refused.status_code == 403 and error_code(refused) == "forbidden"
        check(document, EVENTS, "post", refused)
    manager = as_user(app, w["manager"])
    past = [{"start": at(ahead(-1), 10), "end": at(ahead(-1), 12)}]
    naive = [{"start": f"{ahead(7)}T10:00:00", "end": at(ahead(7), 12)}]
    overlapping = [{"start": at(ahead(7), 10), "end": at(ahead(7), 12)},
                   {"start": at(ahead(7), 11), "end": at(ahead(7), 13)}]  # fmt: skip
    cases = [
        ({"title": None}, "title"),
        ({"kind": "webinar"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "12"}, "capacity"),
        ({"trainer_ids": None}, "trainer_ids"),
        ({"sessions": []}, "sessions"),
        ({"sessions": past}, "sessions"),
        ({"sessions": overlapping}, "sessions"),
        ({"sessions": naive}, "sessions[0].start"),
        ({"sessions": [{"start": at(ahead(7), 10)}]}, "sessions[0].end"),
        ({"branch_id": None}, "venue"),  # an office or a venue
        ({"trainers": [w["nowak"].id]}, "trainers"),  # unknown field: a typo is not ignored
    ]
    for change, field in cases:
        response = manager.post(f"{API}/events", json={**training(w), **change})
        assert response.status_code == 422, (change, response.get_json())
        assert error_code(response) == "invalid_input"
        assert response.get_json()["error"]["field"] == field, change
        check(document, EVENTS, "post", response)
    not_an_expert = manager.post(f"{API}/events", json=training(w, trainer_ids=[w["client"].id]))
    assert not_an_expert.status_code == 422 and error_code(not_an_expert) == "unknown_expert"
    malformed = manager.post(f"{API}/events", data=b"{", content_type="application/json")
    assert malformed.status_code == 422 and malformed.get_json()["error"]["field"] == "body"
    assert count(db, Event) == count(db, EventSession) == count(db, ExpertBusyTime) == 0


def test_a_session_over_a_trainers_booked_consultation_is_trainer_busy(app, db, world, document):
    w = world
    create_consultation(
        expert=w["nowak"], client=w["client"], branch=w["klucze"], area=w["law"],
        start_dt=datetime.fromisoformat(at(ahead(7), 13)),
    )  # fmt: skip
    assert count(db, ExpertBusyTime) == 1  # the consultation's row, kept by the triggers
    manager = as_user(app, w["manager"])
    clash = manager.post(f"{API}/events", json=training(w))  # 10:00–14:00 over 13:00–14:00
    assert clash.status_code == 409 and error_code(clash) == "trainer_busy"
    assert "Anna Nowak" in clash.get_json()["error"]["message"]  # who is busy
    check(document, EVENTS, "post", clash)
    assert count(db, Event) == count(db, EventSession) == 0  # nothing written
    assert count(db, ExpertBusyTime) == 1
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event.create"))
    # Another trainer is free then; and Nowak is now busy at the training for everyone else.
    free = manager.post(f"{API}/events", json=training(w, trainer_ids=[w["kos"].id]))
    assert free.status_code == 201
    second = manager.post(f"{API}/events", json=training(w, trainer_ids=[w["kos"].id]))
    assert second.status_code == 409 and error_code(second) == "trainer_busy"


# --- reading ----------------------------------------------------------------------------------


def test_the_listing_shows_what_is_ahead_and_filters(app, db, world, document):
    w = world
    over = create(app, w, title="Minione")
    move_sessions(db, over["id"], -timedelta(days=30))
    ahead_ = create(app, w, title="Przed nami", trainer_ids=[], branch_id=w["olkusz"].id)
    meeting = create(app, w, kind="information_meeting", title="Spotkanie", trainer_ids=[])
    client = as_user(app, w["client"])

    def titles(query: str = "") -> list[str]:
        response = client.get(f"{API}/events{query}")
        check(document, EVENTS, "get", response)
        assert response.status_code == 200, response.get_json()
        return [e["title"] for e in response.get_json()]

    assert sorted(titles()) == ["Przed nami", "Spotkanie"]
    assert sorted(titles("?all=1")) == ["Minione", "Przed nami", "Spotkanie"]
    assert titles("?kind=information_meeting") == [meeting["title"]]
    assert titles(f"?branch_id={w['olkusz'].id}") == [ahead_["title"]]
    for query in ("kind=webinar", "all=maybe", "branch_id=x"):
        response = client.get(f"{API}/events?{query}")
        assert response.status_code == 422 and error_code(response) == "invalid_input"
        assert response.get_json()["error"]["field"] == query.split("=")[0]
        check(document, EVENTS, "get", response)


def test_reading_needs_a_log_in_and_a_real_event(app, client, world, document):
    event = create(app, world)
    anonymous = client.get(event["url"])
    assert anonymous.status_code == 401 and error_code(anonymous) == "unauthorized"
    check(document, EVENT, "get", anonymous)
    assert client.get(f"{API}/events").status_code == 401
    missing = as_user(app, world["client"]).get(f"{API}/events/{event['id'] + 1000}")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    check(document, EVENT, "get", missing)


# --- registering, the waiting list, cancelling --------------------------------------------------


def test_full_then_the_waiting_list_then_a_cancel_promotes_the_first_waiting(
    app, db, world, document
):
    w = world
    event = create(app, w, capacity=1)
    url = f"{API}/events/{event['id']}/registrations"
    maria, piotr = as_user(app, w["client"]), as_user(app, w["other"])
    seated = maria.post(url, json={})
    assert seated.status_code == 201, seated.get_json()
    check(document, REGISTRATIONS, "post", seated)
    mine = seated.get_json()
    assert (mine["status"], mine["user_id"], mine["event_id"]) == (
        "registered", w["client"].id, event["id"],
    )  # fmt: skip
    assert mine["seat_since"] and mine["cancelled_at"] is None
    twice = maria.post(url)  # no body at all is `{}`
    assert twice.status_code == 409 and error_code(twice) == "already_registered"
    check(document, REGISTRATIONS, "post", twice)

    full = piotr.post(url, json={})
    assert full.status_code == 409 and error_code(full) == "event_full"
    check(document, REGISTRATIONS, "post", full)
    offer = full.get_json()["waitlist"]
    assert offer == {
        "available": True, "waiting": 0,
        "join": {"method": "POST", "url": url, "body": {"waitlist": True}},
    }  # fmt: skip
    assert count(db, EventRegistration) == 1  # the refusal wrote nothing
    waiting = piotr.open(offer["join"]["url"], method="POST", json=offer["join"]["body"])
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waitlisted"
    check(document, REGISTRATIONS, "post", waiting)
    assert waiting.get_json()["seat_since"] is None
    seen = piotr.get(event["url"]).get_json()
    assert seen["seats_left"] == 0 and seen["registration"]["status"] == "waitlisted"

    not_hers = piotr.delete(f"{url}/{mine['id']}")  # cannot tell another's exists
    assert not_hers.status_code == 404 and error_code(not_hers) == "not_found"
    check(document, REGISTRATION, "delete", not_hers)
    cancelled = maria.delete(f"{url}/{mine['id']}")
    assert cancelled.status_code == 200, cancelled.get_json()
    check(document, REGISTRATION, "delete", cancelled)
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["cancelled_at"]
    promoted = piotr.get(event["url"]).get_json()
    assert promoted["registration"]["status"] == "registered" and promoted["seats_left"] == 0
    [mail] = db.session.scalars(select(OutboxMessage)).all()  # Piotr is told, by e-mail
    assert mail.kind == "event_seat" and mail.recipient_id == w["other"].id
    assert event["title"] in mail.subject and b"https://inkubator.test/" in mail.message
    assert maria.get(event["url"]).get_json()["registration"]["status"] == "cancelled"
    again = maria.delete(f"{url}/{mine['id']}")
    assert again.status_code == 409 and error_code(again) == "not_registered"
    check(document, REGISTRATION, "delete", again)


def test_staff_register_a_client_without_e_mail_who_is_put_on_the_list_to_call(
    app, db, world, document
):
    w = world
    event = create(app, w, capacity=1)
    url = f"{API}/events/{event['id']}/registrations"
    manager, nowak = as_user(app, w["manager"]), as_user(app, w["nowak"])
    nobody = manager.post(url, json={})  # staff must name the client
    assert nobody.status_code == 422 and error_code(nobody) == "unknown_client"
    check(document, REGISTRATIONS, "post", nobody)
    not_a_client = manager.post(url, json={"user_id": w["kos"].id})
    assert not_a_client.status_code == 422 and error_code(not_a_client) == "unknown_client"
    seated = nowak.post(url, json={"user_id": w["client"].id})  # the trainer, at the desk
    assert seated.status_code == 201 and seated.get_json()["user_id"] == w["client"].id
    full = manager.post(url, json={"user_id": w["phone_only"].id})
    assert full.status_code == 409
    join = full.get_json()["waitlist"]["join"]
    assert join["body"] == {"waitlist": True, "user_id": w["phone_only"].id}
    waiting = manager.post(join["url"], json=join["body"])
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waitlisted"
    check(document, REGISTRATIONS, "post", waiting)
    listed = manager.get(event["url"])
    check(document, EVENT, "get", listed)
    assert [(r["name"], r["status"]) for r in listed.get_json()["registrations"]] == [
        ("Maria Wiśniewska", "registered"), ("Jerzy Bąk", "waitlisted"),
    ]  # fmt: skip
    cancelled = manager.delete(f"{url}/{seated.get_json()['id']}")
    assert cancelled.status_code == 200
    task = db.session.scalar(select(CallTask))
    assert task.kind == "event_seat" and task.user_id == w["phone_only"].id
    assert count(db, OutboxMessage) == 0
    seats = manager.get(event["url"]).get_json()["registrations"]
    assert [(r["name"], r["status"]) for r in seats] == [
        ("Maria Wiśniewska", "cancelled"), ("Jerzy Bąk", "registered"),
    ]  # fmt: skip


def test_a_client_registers_only_themselves_and_bodies_are_read_strictly(app, world, document):
    w = world
    event = create(app, w)
    url = f"{API}/events/{event['id']}/registrations"
    maria = as_user(app, w["client"])
    for_other = maria.post(url, json={"user_id": w["other"].id})
    assert for_other.status_code == 403 and error_code(for_other) == "forbidden"
    check(document, REGISTRATIONS, "post", for_other)
    for body, field in (({"waitlist": "yes"}, "waitlist"), ({"user": 1}, "user"),
                        ({"user_id": "5"}, "user_id")):  # fmt: skip
        response = maria.post(url, json=body)
        assert response.status_code == 422 and response.get_json()["error"]["field"] == field
        check(document, REGISTRATIONS, "post", response)
    missing = maria.post(f"{API}/events/{event['id'] + 1000}/registrations", json={})
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    check(document, REGISTRATIONS, "post", missing)
    own = maria.post(url, json={"user_id": w["client"].id})  # naming oneself is fine
    assert own.status_code == 201
    wrong_event = create(app, w, trainer_ids=[w["kos"].id])
    elsewhere = maria.delete(
        f"{API}/events/{wrong_event['id']}/registrations/{own.get_json()['id']}"
    )
    assert elsewhere.status_code == 404  # a registration is cancelled under its own event


def test_registrations_close_when_the_first_session_begins(app, db, world, document):
    w = world
    event = create(app, w)
    url = f"{API}/events/{event['id']}/registrations"
    maria = as_user(app, w["client"])
    registration = maria.post(url, json={}).get_json()
    first = datetime.fromisoformat(event["sessions"][0]["start"])
    move_sessions(db, event["id"], utcnow() - timedelta(hours=1) - first)  # began an hour ago
    late = as_user(app, w["other"]).post(url, json={"waitlist": True})
    assert late.status_code == 409 and error_code(late) == "event_started"
    check(document, REGISTRATIONS, "post", late)
    cancel = maria.delete(f"{url}/{registration['id']}")
    assert cancel.status_code == 409 and error_code(cancel) == "event_started"
    check(document, REGISTRATION, "delete", cancel)
    assert maria.get(event["url"]).get_json()["registration"]["status"] == "registered"


def test_the_event_codes_are_listed_in_the_document(document) -> None:
    codes = set(error_codes())
    events_codes = {"event_full", "already_registered", "event_started", "not_registered",
                    "trainer_busy"}  # fmt: skip
    assert events_codes <= codes and "event_error" not in codes  # the base class is no answer
    enum = document["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert events_codes <= set(enum["code"]["enum"])


def test_a_manager_calls_an_event_off_through_the_api(app, db, world, document):
    from incubator.models import ExpertBusyTime, OutboxMessage

    w = world
    event = create(app, w)
    client_api = as_user(app, w["client"])
    assert client_api.post(f"{API}/events/{event['id']}/registrations", json={}).status_code == 201
    refused = client_api.post(f"{API}/events/{event['id']}/cancel", json={"reason": "x"})
    assert refused.status_code == 403
    manager = as_user(app, w["manager"])
    missing = manager.post(f"{API}/events/{event['id']}/cancel", json={})
    assert missing.status_code == 422 and error_code(missing) == "invalid_input"
    check(document, "/events/{event_id}/cancel", "post", missing)
    done = manager.post(f"{API}/events/{event['id']}/cancel", json={"reason": "Choroba"})
    assert done.status_code == 200 and done.get_json()["cancelled_at"]
    check(document, "/events/{event_id}/cancel", "post", done)
    assert count(db, ExpertBusyTime) == 0  # Nowak's time is free again
    kinds = db.session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("event_cancelled") == 1
    listed = client_api.get(f"{API}/events").get_json()
    assert all(e["id"] != event["id"] for e in listed)
    gone = manager.post(f"{API}/events/{event['id']}/cancel", json={"reason": "again"})
    assert gone.status_code == 404
    check(document, "/events/{event_id}/cancel", "post", gone)
