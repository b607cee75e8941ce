"""The JSON API through the test client (SQLite and PostgreSQL).

The views read the real clock, so the world here has availability on every working day and the
tests take their slots from `GET /api/v1/slots` instead of hard-coding dates. Every refusal is
checked for its status, its stable code, and that nothing was written.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import icalendar
import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import func, select

from incubator import create_app
from incubator.config import TestConfig
from incubator.domain.booking_rules import BookingPolicy
from incubator.domain.calendar import WARSAW
from incubator.domain.errors import Busy
from incubator.domain.slots import Slot
from incubator.models import (
    AuditEvent,
    Branch,
    Consultation,
    User,
)
from incubator.services import booking
from incubator.services import slots as slot_service
from incubator.web.api import serializers
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_group,
    create_manager,
    create_rule,
)

API = "/api/v1"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
# Slots at least this far ahead: a client may still cancel or move them during the test
# (the cancellation notice is 24 hours, and slots start 24 hours ahead at the earliest).
SAFE_AHEAD = timedelta(hours=26)


@pytest.fixture(autouse=True)
def fresh_request_globals(app: Flask) -> Iterator[None]:
    """Each request gets its own `g`, as in production (see tests/web/test_auth.py)."""

    def clear(sender, **extra) -> None:
        for key in ("_login_user", "_flask_babel"):
            g.pop(key, None)

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture()
def world(db) -> dict[str, Any]:
    nowy_sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 1")
    piwniczna = create_branch(code="piwniczna-zdroj", name="Piwniczna-Zdrój", parent=nowy_sacz)
    create_branch(code="zamkniety", name="Zamknięty", active=False)
    klucze = create_branch(
        code="klucze", name="Klucze", address="ul. Partyzantów 10", phone="32 642 00 00"
    )
    law = create_domain(code="law", name_pl="Prawo", name_en="Law", position=1)
    create_domain(code="accounting", name_pl="Rachunkowość", name_en="Accounting", position=2)
    create_domain(code="marketing", name_pl="Marketing", name_en="Marketing", position=3)
    create_domain(
        code="social-enterprise",
        name_pl="Zakładanie przedsiębiorstw społecznych",
        name_en="Founding social enterprises",
        position=4,
    )
    nowak = create_expert(
        domains=[law], branches=[klucze, nowy_sacz], title="mec.", full_name="Anna Nowak"
    )
    kos = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    for weekday in range(6):  # Monday..Saturday: slots exist whatever day the suite runs
        create_rule(nowak, klucze, weekday=weekday, start_time=time(8), end_time=time(16))
        create_rule(kos, klucze, weekday=weekday, start_time=time(8), end_time=time(16))
    return {
        "klucze": klucze,
        "nowy_sacz": nowy_sacz,
        "piwniczna": piwniczna,
        "law": law,
        "nowak": nowak,
        "kos": kos,
        "client": create_client(full_name="Maria Wiśniewska", email="maria@example.org"),
        "other": create_client(full_name="Piotr Zając", email="piotr@example.org"),
        "manager": create_manager(full_name="Ewa Kierownik", email="ewa@example.org"),
    }


# --- helpers --------------------------------------------------------------------------------


def log_in(client: FlaskClient, user: User) -> dict:
    response = client.post(f"{API}/session", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json


def as_user(app: Flask, user: User) -> FlaskClient:
    fresh = app.test_client()
    log_in(fresh, user)
    return fresh


def count(db, model=Consultation) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def booking_events(db) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("consultation.%"))
    )


def today() -> date:
    return datetime.now(WARSAW).date()


def get_slots(client: FlaskClient, world, expert: User | None = None, days: int = 20) -> list:
    query = f"domain=law&branch={world['klucze'].id}&from={today()}&to={today() + timedelta(days)}"
    if expert is not None:
        query += f"&expert={expert.id}"
    response = client.get(f"{API}/slots?{query}")
    assert response.status_code == 200, response.json
    return response.json


def bookable(client: FlaskClient, world, expert: User | None = None) -> list[dict]:
    """Free slots far enough ahead to be booked, moved and cancelled during the test."""
    limit = datetime.now(UTC) + SAFE_AHEAD
    found = [
        s for s in get_slots(client, world, expert) if datetime.fromisoformat(s["start"]) > limit
    ]
    assert len(found) >= 3
    return found


def body_for(slot: dict, **extra) -> dict:
    return {
        "expert_id": slot["expert_id"],
        "branch_id": slot["branch_id"],
        "domain": "law",
        "start": slot["start"],
        **extra,
    }


def book(client: FlaskClient, slot: dict, **extra):
    return client.post(f"{API}/consultations", json=body_for(slot, **extra))


def error_code(response) -> str:
    body = response.get_json()
    assert set(body) >= {"error"} and set(body["error"]) - {"field"} == {"code", "message"}, body
    assert body["error"]["message"]
    return body["error"]["code"]


def local(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), tzinfo=WARSAW).isoformat()


def next_day(after: date, accept: Callable[[date], bool]) -> date:
    day = after
    while not accept(day):
        day += timedelta(days=1)
    return day


PL_HOLIDAYS = holidays.Poland(years=range(today().year, today().year + 3))


def is_working_day(day: date) -> bool:
    return day.weekday() != 6 and day not in PL_HOLIDAYS


# --- reference data -------------------------------------------------------------------------


def test_branches_lists_active_offices_with_their_filie(client, world) -> None:
    response = client.get(f"{API}/branches")
    assert response.status_code == 200
    rows = response.json
    assert [b["code"] for b in rows] == ["klucze", "nowy-sacz", "piwniczna-zdroj"]
    klucze = rows[0]
    assert klucze == {
        "id": world["klucze"].id,
        "code": "klucze",
        "name": "Klucze",
        "parent_id": None,
        "address": "ul. Partyzantów 10",
        "phone": "32 642 00 00",
    }
    assert rows[2]["parent_id"] == world["nowy_sacz"].id


def test_domains_are_named_in_the_request_language(client, world) -> None:
    polish = client.get(f"{API}/domains").json
    assert [d["code"] for d in polish] == ["law", "accounting", "marketing", "social-enterprise"]
    assert polish[0] == {"code": "law", "name": "Prawo"}
    english = client.get(f"{API}/domains?lang=en").json
    assert english[0] == {"code": "law", "name": "Law"}
    assert english[3]["name"] == "Founding social enterprises"


def test_experts_filtered_by_domain_and_branch(client, world) -> None:
    everyone = client.get(f"{API}/experts").json
    assert everyone == [  # by full name: Anna Nowak, Jan Kos
        {
            "id": world["nowak"].id,
            "name": "mec. Anna Nowak",
            "domains": ["law"],
            "branches": [world["klucze"].id, world["nowy_sacz"].id],
        },
        {
            "id": world["kos"].id,
            "name": "Jan Kos",
            "domains": ["law"],
            "branches": [world["klucze"].id],
        },
    ]
    in_nowy_sacz = client.get(f"{API}/experts?domain=law&branch={world['nowy_sacz'].id}").json
    assert [e["id"] for e in in_nowy_sacz] == [world["nowak"].id]
    assert client.get(f"{API}/experts?domain=marketing").json == []


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("domain=astrology", "unknown_domain"),
        ("branch=999999", "unknown_branch"),
        ("branch=abc", "invalid_input"),
    ],
)
def test_experts_bad_filters(client, world, query: str, code: str) -> None:
    response = client.get(f"{API}/experts?{query}")
    assert response.status_code == 422
    assert error_code(response) == code


# --- slots ----------------------------------------------------------------------------------


def test_slots_are_public_and_carry_the_warsaw_offset(client, world) -> None:
    slots = get_slots(client, world)
    assert slots, "rules on every working day give slots in any 3-week window"
    now = datetime.now(UTC)
    for s in slots:
        assert set(s) == {"expert_id", "branch_id", "start", "end"}
        assert ISO_WITH_OFFSET.match(s["start"]) and ISO_WITH_OFFSET.match(s["end"])
        start = datetime.fromisoformat(s["start"])
        # The offset is Warsaw's for that very instant (+01:00 in winter, +02:00 in summer).
        assert start.utcoffset() == start.astimezone(WARSAW).utcoffset()
        assert start.astimezone(WARSAW).hour in range(8, 16)
        assert start >= now + timedelta(hours=24)
        assert datetime.fromisoformat(s["end"]) - start == timedelta(hours=1)
        assert s["branch_id"] == world["klucze"].id
    assert {s["expert_id"] for s in slots} == {world["nowak"].id, world["kos"].id}
    only_kos = get_slots(client, world, expert=world["kos"])
    assert only_kos and {s["expert_id"] for s in only_kos} == {world["kos"].id}
    assert only_kos == [s for s in slots if s["expert_id"] == world["kos"].id]


def test_a_booked_slot_disappears_from_the_list(client, world) -> None:
    log_in(client, world["client"])
    slot = bookable(client, world)[0]
    assert book(client, slot).status_code == 201
    assert slot not in get_slots(client, world)


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("branch={klucze}&from={d0}&to={d1}", "invalid_input", "domain"),
        ("domain=law&from={d0}&to={d1}", "invalid_input", "branch"),
        ("domain=law&branch={klucze}&to={d1}", "invalid_input", "from"),
        ("domain=law&branch={klucze}&from={d0}", "invalid_input", "to"),
        ("domain=law&branch={klucze}&from=30.03.2026&to={d1}", "invalid_input", "from"),
        ("domain=law&branch={klucze}&from=2026-02-30&to={d1}", "invalid_input", "from"),
        ("domain=law&branch={klucze}&from=2026-W14-1&to={d1}", "invalid_input", "from"),
        ("domain=law&branch={klucze}&from={d0}&to=20260330", "invalid_input", "to"),
        ("domain=law&branch={klucze}&from={d1}&to={d0}", "invalid_input", "to"),
        ("domain=law&branch={klucze}&from={d0}&to={d62}", "invalid_input", "to"),
        ("domain=law&branch=abc&from={d0}&to={d1}", "invalid_input", "branch"),
        ("domain=law&branch={klucze}&expert=-1&from={d0}&to={d1}", "invalid_input", "expert"),
        ("domain=astrology&branch={klucze}&from={d0}&to={d1}", "unknown_domain", None),
        ("domain=law&branch=999999&from={d0}&to={d1}", "unknown_branch", None),
        ("domain=law&branch={closed}&from={d0}&to={d1}", "unknown_branch", None),
        ("domain=law&branch={klucze}&expert=999999&from={d0}&to={d1}", "unknown_expert", None),
        # Kos works in Klucze only.
        ("domain=law&branch={nowy_sacz}&expert={kos}&from={d0}&to={d1}", "unknown_expert", None),
    ],
)
def test_slots_bad_input(client, world, db, query: str, code: str, field: str | None) -> None:
    closed = db.session.scalar(select(Branch.id).where(Branch.code == "zamkniety"))
    url = f"{API}/slots?" + query.format(
        klucze=world["klucze"].id,
        nowy_sacz=world["nowy_sacz"].id,
        closed=closed,
        kos=world["kos"].id,
        d0=today(),
        d1=today() + timedelta(days=7),
        d62=today() + timedelta(days=62),
    )
    response = client.get(url + "&lang=en")
    assert response.status_code == 422
    assert error_code(response) == code
    assert response.json["error"].get("field") == field


def test_a_range_of_62_days_is_accepted(client, world) -> None:
    url = f"{API}/slots?domain=law&branch={world['klucze'].id}"
    response = client.get(f"{url}&from={today()}&to={today() + timedelta(days=61)}")
    assert response.status_code == 200


def test_slot_json_shows_the_offset_of_each_season() -> None:
    """Unit level: a 09:00 rule is 09:00 on the Warsaw clock, +01:00 in winter, +02:00 in
    summer, and the end of a slot across the autumn change shows its own offset."""
    winter = Slot(
        datetime(2026, 1, 12, 9, tzinfo=WARSAW), datetime(2026, 1, 12, 10, tzinfo=WARSAW), 1, 2
    )
    summer = Slot(
        datetime(2026, 7, 13, 9, tzinfo=WARSAW), datetime(2026, 7, 13, 10, tzinfo=WARSAW), 1, 2
    )
    assert serializers.slot(winter) == {
        "expert_id": 1,
        "branch_id": 2,
        "start": "2026-01-12T09:00:00+01:00",
        "end": "2026-01-12T10:00:00+01:00",
    }
    assert serializers.slot(summer)["start"] == "2026-07-13T09:00:00+02:00"
    # An instant given in UTC is shown in Warsaw time.
    utc = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the clocks go back
    assert serializers.iso(utc) == "2026-10-25T02:30:00+02:00"
    assert serializers.iso(utc + timedelta(hours=1)) == "2026-10-25T02:30:00+01:00"


def test_slots_around_the_spring_change_through_the_service(db, world) -> None:
    """Saturday before the last Sunday of March is +01:00, the Monday after is +02:00."""
    now = datetime(2026, 3, 20, 12, tzinfo=UTC)
    found = slot_service.find_slots(
        db.session,
        area=world["law"],
        branch=world["klucze"],
        start_date=date(2026, 3, 28),
        end_date=date(2026, 3, 30),
        now=now,
        policy=BookingPolicy(),
        expert_id=world["kos"].id,
    )
    starts = [serializers.slot(s)["start"] for s in found]
    assert starts[0] == "2026-03-28T08:00:00+01:00"
    assert "2026-03-30T08:00:00+02:00" in starts
    assert not any(s.startswith("2026-03-29") for s in starts)  # Sunday
    assert len(starts) == 16


# --- session --------------------------------------------------------------------------------


def test_session_log_in_and_out(client, world) -> None:
    anonymous = client.get(f"{API}/session")
    assert anonymous.status_code == 200
    assert anonymous.json["user"] is None and anonymous.json["csrf_token"]
    body = log_in(client, world["client"])
    assert body["user"] == {
        "id": world["client"].id,
        "name": "Maria Wiśniewska",
        "email": "maria@example.org",
        "role": "client",
        "language": "pl",
    }
    assert body["csrf_token"]
    assert client.get(f"{API}/session").json["user"]["id"] == world["client"].id
    assert client.get(f"{API}/consultations").status_code == 200
    out = client.delete(f"{API}/session")
    assert out.status_code == 200 and out.json["user"] is None
    assert client.get(f"{API}/session").json["user"] is None
    assert client.get(f"{API}/consultations").status_code == 401


def test_wrong_password_and_inactive_account(client, world, db) -> None:
    wrong = client.post(f"{API}/session", json={"email": "maria@example.org", "password": "x"})
    assert wrong.status_code == 401 and error_code(wrong) == "invalid_credentials"
    nobody = client.post(f"{API}/session", json={"email": "nikt@example.org", "password": "x"})
    assert nobody.status_code == 401 and error_code(nobody) == "invalid_credentials"
    world["other"].active = False
    db.session.commit()
    inactive = client.post(
        f"{API}/session", json={"email": "piotr@example.org", "password": PASSWORD}
    )
    assert inactive.status_code == 401 and error_code(inactive) == "account_inactive"
    assert client.get(f"{API}/session").json["user"] is None


@pytest.mark.parametrize(
    "data",
    [
        b"{not json",
        b"[1, 2]",
        b'{"email": "maria@example.org"}',
        b'{"email": 5, "password": "x"}',
        b"",
        b"\xff\xfe",
    ],
)
def test_log_in_with_a_malformed_body(client, world, data: bytes) -> None:
    response = client.post(f"{API}/session", data=data, content_type="application/json")
    assert response.status_code == 422
    assert error_code(response) == "invalid_input"


# --- booking --------------------------------------------------------------------------------


def test_book_a_consultation(client, world, db) -> None:
    log_in(client, world["client"])
    slot = bookable(client, world, expert=world["nowak"])[0]
    response = book(client, slot, topic="Statut spółdzielni socjalnej")
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == f"{API}/consultations/{body['id']}"
    assert body == {
        "id": body["id"],
        "status": "booked",
        "start": slot["start"],
        "end": slot["end"],
        "expert": {"id": world["nowak"].id, "name": "mec. Anna Nowak"},
        "branch": {"id": world["klucze"].id, "name": "Klucze"},
        "domain": "law",
        "client_id": world["client"].id,
        "attendee_ids": [world["client"].id],
        "topic": "Statut spółdzielni socjalnej",
        "sequence": 0,
        "url": f"{API}/consultations/{body['id']}",
        "ics_url": f"{API}/consultations/{body['id']}.ics",
        "attendees": [{"user_id": body["client_id"], "attended": None}],
        "duration_min": None,
        "topic_category": None,
        "outcome_recorded_at": None,
    }
    assert count(db) == 1
    assert client.get(body["url"]).json == body
    assert client.get(f"{API}/consultations").json == [body]


def test_the_start_may_be_given_in_utc(client, world, db) -> None:
    log_in(client, world["client"])
    slot = bookable(client, world)[0]
    in_utc = (
        datetime.fromisoformat(slot["start"]).astimezone(UTC).isoformat().replace("+00:00", "Z")
    )
    response = client.post(f"{API}/consultations", json=body_for(slot, start=in_utc))
    assert response.status_code == 201, response.json
    assert response.json["start"] == slot["start"]


def test_a_taken_slot_is_409_with_the_next_free_slots(app, client, world, db) -> None:
    log_in(client, world["client"])
    slot = bookable(client, world, expert=world["nowak"])[0]
    assert book(client, slot).status_code == 201
    rival = as_user(app, world["other"])
    response = book(rival, slot)
    assert response.status_code == 409
    body = response.json
    assert body["error"]["code"] == "slot_taken" and body["error"]["message"]
    assert body["next_slots"], "another expert or a later hour is free"
    for alternative in body["next_slots"]:
        assert set(alternative) == {"expert_id", "branch_id", "start", "end"}
        assert datetime.fromisoformat(alternative["start"]) > datetime.fromisoformat(slot["start"])
    assert body["next_slots"][0]["expert_id"] == world["nowak"].id
    assert count(db) == 1


def _past(_world) -> str:
    return local(today() - timedelta(days=1), 9)


def _holiday(_world) -> str:
    # Checked before the notice and the horizon, so any future holiday answers closed_day.
    day = next_day(today() + timedelta(days=2), lambda d: d in PL_HOLIDAYS and d.weekday() != 6)
    return local(day, 9)


def _sunday(_world) -> str:
    return local(next_day(today() + timedelta(days=2), lambda d: d.weekday() == 6), 9)


def _beyond_horizon(_world) -> str:
    return local(next_day(today() + timedelta(days=62), is_working_day), 9)


@pytest.mark.parametrize(
    ("who", "change", "status", "code"),
    [
        ("client", {"domain": "astrology"}, 422, "unknown_domain"),
        ("client", {"branch_id": 999_999}, 422, "unknown_branch"),
        ("client", {"expert_id": 999_999}, 422, "unknown_expert"),
        ("client", {"expert_id": "kos", "branch_id": "nowy_sacz"}, 422, "unknown_expert"),
        ("client", {"start": "+30min"}, 422, "not_a_slot"),
        ("client", {"start": _past}, 422, "in_the_past"),
        ("client", {"start": _holiday}, 422, "closed_day"),
        ("client", {"start": _sunday}, 422, "closed_day"),
        ("client", {"start": _beyond_horizon}, 422, "beyond_horizon"),
        ("client", {"start": "naive"}, 422, "invalid_input"),
        ("client", {"start": "jutro o 9"}, 422, "invalid_input"),
        ("client", {"start": None}, 422, "invalid_input"),
        ("client", {"start": "0001-01-01T00:00:00+01:00"}, 422, "invalid_input"),
        ("client", {"expert_id": "1"}, 422, "invalid_input"),
        ("client", {"expert_id": True}, 422, "invalid_input"),
        ("client", {"branch_id": 1.5}, 422, "invalid_input"),
        ("client", {"domain": ["law"]}, 422, "invalid_input"),
        ("client", {"topic": "x" * 301}, 422, "invalid_input"),
        ("client", {"attendee_ids": "1,2"}, 422, "invalid_input"),
        ("client", {"attendee_ids": [999_999]}, 422, "invalid_attendee"),
        ("client", {"client_id": "other"}, 403, "forbidden"),
        ("kos", {"client_id": "client"}, 403, "forbidden"),  # Nowak's slot, Kos's hands
        ("manager", {}, 422, "unknown_client"),
        ("manager", {"client_id": 999_999}, 422, "unknown_client"),
    ],
)
def test_refused_bookings_write_nothing(
    app, db, world, who: str, change: dict, status: int, code: str
) -> None:
    actor = as_user(app, world[who])
    slot = bookable(actor, world, expert=world["nowak"])[0]
    body = body_for(slot)
    for key, value in change.items():
        if callable(value):
            value = value(world)
        elif key in ("expert_id", "branch_id", "client_id") and value in world:
            value = world[value].id
        elif key == "start" and value == "+30min":
            value = (datetime.fromisoformat(slot["start"]) + timedelta(minutes=30)).isoformat()
        elif key == "start" and value == "naive":
            value = slot["start"][:19]
        body[key] = value
    before = count(db, AuditEvent)
    response = actor.post(f"{API}/consultations", json=body)
    assert response.status_code == status, response.json
    assert error_code(response) == code
    if code == "invalid_input":
        assert response.json["error"]["field"] in change
    assert count(db) == 0
    assert booking_events(db) == 0 and count(db, AuditEvent) == before


@pytest.mark.parametrize(
    "data", [b"{", b"null", b'"text"', b"[]", b"", b'{"start": }', '{"a": "\u0000"'.encode()]
)
def test_malformed_json_is_422_never_500(client, world, db, data: bytes) -> None:
    log_in(client, world["client"])
    response = client.post(f"{API}/consultations", data=data, content_type="application/json")
    assert response.status_code == 422
    assert error_code(response) == "invalid_input" and response.json["error"]["field"] == "body"
    assert count(db) == 0


def test_staff_book_for_a_client_experts_only_into_their_own_calendar(app, world, db) -> None:
    manager = as_user(app, world["manager"])
    slot = bookable(manager, world, expert=world["nowak"])[0]
    response = book(manager, slot, client_id=world["client"].id)
    assert response.status_code == 201, response.json
    assert response.json["client_id"] == world["client"].id
    kos = as_user(app, world["kos"])
    own = bookable(kos, world, expert=world["kos"])[0]
    response = book(kos, own, client_id=world["other"].id)
    assert response.status_code == 201, response.json
    assert count(db) == 2


def test_a_group_consultation_lists_every_attendee(client, world, db) -> None:
    friend = create_client(full_name="Zofia Lis")
    create_group(
        name="Spółdzielnia Socjalna „Opoka”",
        branch_id=world["klucze"].id,
        created_at_dt=datetime.now(UTC),
        members=[world["client"], friend],
    )
    log_in(client, world["client"])
    response = book(client, bookable(client, world)[0], attendee_ids=[friend.id])
    assert response.status_code == 201, response.json
    assert response.json["attendee_ids"] == sorted([world["client"].id, friend.id])
    friend_view = as_user(client.application, friend)
    assert friend_view.get(response.json["url"]).status_code == 200


def test_not_logged_in_is_401_json_not_a_redirect(client, world, db) -> None:
    slot = bookable(client, world)[0]
    calls = [
        ("post", f"{API}/consultations", body_for(slot)),
        ("get", f"{API}/consultations", None),
        ("get", f"{API}/consultations/1", None),
        ("get", f"{API}/consultations/1.ics", None),
        ("post", f"{API}/consultations/1/cancel", {}),
        ("post", f"{API}/consultations/1/reschedule", {"start": slot["start"]}),
    ]
    for method, url, data in calls:
        response = getattr(client, method)(url, json=data)
        assert response.status_code == 401, url
        assert response.mimetype == "application/json"
        assert error_code(response) == "unauthorized"
    assert count(db) == 0


def test_busy_database_is_503_with_retry_after(client, world, db, monkeypatch) -> None:
    log_in(client, world["client"])
    slot = bookable(client, world)[0]

    def locked(*args, **kwargs):
        raise Busy()

    monkeypatch.setattr(booking, "book", locked)
    response = book(client, slot)
    assert response.status_code == 503
    assert error_code(response) == "busy"
    assert int(response.headers["Retry-After"]) > 0


def test_unknown_api_urls_and_methods_answer_json(client, world) -> None:
    missing = client.get(f"{API}/nothing-here")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    wrong = client.put(f"{API}/slots")
    assert wrong.status_code == 405 and error_code(wrong) == "method_not_allowed"


def test_messages_are_polish_by_default_and_follow_the_request_language(client, world) -> None:
    url = f"{API}/slots?domain=astrology&branch=1&from={today()}&to={today()}"
    assert client.get(url).json["error"]["message"] == "Nieznana dziedzina doradztwa."
    english = client.get(url + "&lang=en").json["error"]
    assert english == {"code": "unknown_domain", "message": "Unknown consultation area."}


# --- listing, reading, cancelling, moving -------------------------------------------------


def test_everyone_sees_only_what_they_may(app, world, db) -> None:
    maria = as_user(app, world["client"])
    piotr = as_user(app, world["other"])
    mine = book(maria, bookable(maria, world, expert=world["nowak"])[0]).json
    theirs = book(piotr, bookable(piotr, world, expert=world["kos"])[0]).json
    assert [c["id"] for c in maria.get(f"{API}/consultations").json] == [mine["id"]]
    for url in (theirs["url"], theirs["ics_url"]):
        refused = maria.get(url)
        assert refused.status_code == 404 and error_code(refused) == "not_found"
    refused = maria.post(f"{theirs['url']}/cancel", json={})
    assert refused.status_code == 404
    kos = as_user(app, world["kos"])
    assert [c["id"] for c in kos.get(f"{API}/consultations").json] == [theirs["id"]]
    manager = as_user(app, world["manager"])
    every = manager.get(f"{API}/consultations").json
    assert {c["id"] for c in every} == {mine["id"], theirs["id"]}
    by_expert = manager.get(f"{API}/consultations?expert={world['kos'].id}").json
    assert [c["id"] for c in by_expert] == [theirs["id"]]
    day = datetime.fromisoformat(mine["start"]).date()
    by_day = manager.get(f"{API}/consultations?from={day}&to={day}").json
    assert mine["id"] in {c["id"] for c in by_day}
    assert manager.get(f"{API}/consultations?branch={world['nowy_sacz'].id}").json == []
    bad = manager.get(f"{API}/consultations?from=yesterday")
    assert bad.status_code == 422 and error_code(bad) == "invalid_input"
    assert maria.get(f"{API}/consultations/999999").status_code == 404


def test_cancel(app, client, world, db) -> None:
    log_in(client, world["client"])
    c = book(client, bookable(client, world, expert=world["nowak"])[0]).json
    response = client.post(f"{c['url']}/cancel", json={"reason": "Choroba"})
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled" and response.json["sequence"] == 1
    again = client.post(f"{c['url']}/cancel")
    assert again.status_code == 409 and error_code(again) == "not_cancellable"
    # The slot is free again.
    assert c["start"] in [s["start"] for s in get_slots(client, world, expert=world["nowak"])]


def test_staff_cancel_needs_a_reason(app, client, world, db) -> None:
    log_in(client, world["client"])
    c = book(client, bookable(client, world)[0]).json
    manager = as_user(app, world["manager"])
    refused = manager.post(f"{c['url']}/cancel", json={})
    assert refused.status_code == 422 and error_code(refused) == "invalid_input"
    assert manager.post(f"{c['url']}/cancel", json={"reason": 5}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Consultation, c["id"]).status == "booked"
    done = manager.post(f"{c['url']}/cancel", json={"reason": "Choroba eksperta"})
    assert done.status_code == 200 and done.json["status"] == "cancelled"


def test_reschedule(client, world, db) -> None:
    log_in(client, world["client"])
    slots = bookable(client, world, expert=world["nowak"])
    c = book(client, slots[0]).json
    moved = client.post(f"{c['url']}/reschedule", json={"start": slots[2]["start"]})
    assert moved.status_code == 200, moved.json
    assert moved.json["start"] == slots[2]["start"] and moved.json["sequence"] == 1
    assert moved.json["id"] == c["id"]
    kos_slot = next(
        s for s in bookable(client, world, expert=world["kos"]) if s["start"] != slots[2]["start"]
    )
    to_kos = client.post(
        f"{c['url']}/reschedule",
        json={"start": kos_slot["start"], "expert_id": world["kos"].id},
    )
    assert to_kos.status_code == 200, to_kos.json
    assert to_kos.json["expert"]["id"] == world["kos"].id and to_kos.json["sequence"] == 2
    assert count(db) == 1


def test_reschedule_onto_a_taken_slot_changes_nothing(app, client, world, db) -> None:
    log_in(client, world["client"])
    slots = bookable(client, world, expert=world["nowak"])
    mine = book(client, slots[0]).json
    rival = as_user(app, world["other"])
    assert book(rival, slots[2]).status_code == 201
    response = client.post(f"{mine['url']}/reschedule", json={"start": slots[2]["start"]})
    assert response.status_code == 409 and error_code(response) == "slot_taken"
    assert isinstance(response.json["next_slots"], list)
    for body, code in (
        ({"start": slots[2]["start"][:19]}, "invalid_input"),
        ({}, "invalid_input"),
        ({"start": slots[1]["start"], "branch_id": 999_999}, "unknown_branch"),
        ({"start": slots[1]["start"], "expert_id": "x"}, "invalid_input"),
    ):
        refused = client.post(f"{mine['url']}/reschedule", json=body)
        assert refused.status_code == 422 and error_code(refused) == code, body
    db.session.expire_all()
    stored = db.session.get(Consultation, mine["id"])
    assert serializers.iso(stored.start_dt) == slots[0]["start"] and stored.sequence == 0


# --- .ics -----------------------------------------------------------------------------------


def _event(response) -> icalendar.Event:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Warsaw"]
    return events[0]


def test_ics_follows_the_consultation(app, client, world, db) -> None:
    log_in(client, world["client"])
    slots = bookable(client, world, expert=world["nowak"])
    c = book(client, slots[0], topic="Statut").json
    uid = db.session.get(Consultation, c["id"]).uid

    first = _event(client.get(c["ics_url"]))
    assert str(first["UID"]).startswith(uid)
    assert int(first["SEQUENCE"]) == 0 and str(first["STATUS"]) == "CONFIRMED"
    assert first["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert first.decoded("DTSTART") == datetime.fromisoformat(c["start"])
    assert first.decoded("DTEND") == datetime.fromisoformat(c["end"])
    assert str(first["SUMMARY"]) == "Konsultacja: Prawo — mec. Anna Nowak"  # Polish by default
    assert str(first["LOCATION"]) == "Klucze, ul. Partyzantów 10"
    assert "Statut" in str(first["DESCRIPTION"])
    english = _event(client.get(c["ics_url"] + "?lang=en"))
    assert str(english["SUMMARY"]) == "Consultation: Law — mec. Anna Nowak"

    client.post(f"{c['url']}/reschedule", json={"start": slots[2]["start"]})
    moved = _event(client.get(c["ics_url"]))
    assert moved["UID"] == first["UID"]
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime.fromisoformat(slots[2]["start"])

    client.post(f"{c['url']}/cancel", json={})
    cancelled = _event(client.get(c["ics_url"]))
    assert cancelled["UID"] == first["UID"]
    assert int(cancelled["SEQUENCE"]) == 2 and str(cancelled["STATUS"]) == "CANCELLED"

    stranger = as_user(app, world["other"])
    assert stranger.get(c["ics_url"]).status_code == 404
    assert app.test_client().get(c["ics_url"]).status_code == 401


# --- CSRF -----------------------------------------------------------------------------------


@pytest.fixture()
def csrf_app(app: Flask, db, tmp_path) -> Iterator[Flask]:
    """A second app on the same database with CSRF protection on, as in production."""

    class CsrfConfig(TestConfig):
        DATABASE_URL = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = True

    csrf_app = create_app(CsrfConfig)
    csrf_app.instance_path = str(tmp_path)
    yield csrf_app
    with csrf_app.app_context():
        from incubator.extensions import db as _db

        _db.engine.dispose()


def test_state_changing_calls_need_the_csrf_header(csrf_app: Flask, world, db) -> None:
    client = csrf_app.test_client()
    credentials = {"email": "maria@example.org", "password": PASSWORD}
    refused = client.post(f"{API}/session", json=credentials)
    assert refused.status_code == 400 and error_code(refused) == "csrf_failed"
    assert client.get(f"{API}/session").json["user"] is None

    token = client.get(f"{API}/session").json["csrf_token"]
    logged_in = client.post(f"{API}/session", json=credentials, headers={"X-CSRFToken": token})
    assert logged_in.status_code == 200, logged_in.json
    new_token = logged_in.json["csrf_token"]

    slot = bookable(client, world)[0]  # GET needs no token
    for headers in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": token}):  # token: pre-login
        response = client.post(f"{API}/consultations", json=body_for(slot), headers=headers)
        assert response.status_code == 400 and error_code(response) == "csrf_failed", headers
    assert count(db) == 0

    booked = client.post(
        f"{API}/consultations", json=body_for(slot), headers={"X-CSRFToken": new_token}
    )
    assert booked.status_code == 201, booked.json
    url = booked.json["url"]
    for path in (f"{url}/cancel", f"{url}/reschedule"):
        response = client.post(path, json={"start": slot["start"]})
        assert response.status_code == 400 and error_code(response) == "csrf_failed"
    assert client.delete(f"{API}/session").status_code == 400
    assert client.get(f"{API}/session").json["user"]["email"] == "maria@example.org"
    db.session.rollback()  # the other app wrote it: end this session's older snapshot
    assert db.session.get(Consultation, booked.json["id"]).sequence == 0
    out = client.delete(f"{API}/session", headers={"X-CSRFToken": new_token})
    assert out.status_code == 200 and out.json["user"] is None


# --- rate limit -----------------------------------------------------------------------------

RATE_LIMIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from incubator import create_app
    from incubator.config import TestConfig
    from incubator.extensions import db

    class Limited(TestConfig):
        DATABASE_URL = "sqlite:///" + sys.argv[1]
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        LOGIN_RATE_LIMIT = "3 per minute"

    app = create_app(Limited)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    data = {"email": "nikt@example.org", "password": "zle-haslo-123"}
    # Two attempts on the login page, then the API: one bucket for both.
    page = [client.post("/konto/logowanie", data=data) for _ in range(2)]
    answers = [client.post("/api/v1/session", json=data) for _ in range(2)]
    print([r.status_code for r in page + answers], answers[-1].get_json()["error"]["code"],
          client.get("/api/v1/session").status_code)
    """
)


@pytest.mark.slow
def test_log_in_is_rate_limited_across_page_and_api(tmp_path) -> None:
    """In a separate process: Flask-Limiter keeps global state, so no second app in this one."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", RATE_LIMIT_SCRIPT, str(tmp_path / "rl.db")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[200, 200, 401, 429] too_many_requests 200"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "domain=law&branch=1&from=2026-13-01&to=2026-12-02",
            "from",
            "Pole „from” musi zawierać datę w formacie RRRR-MM-DD.",
        ),
        (
            "domain=law&branch=1&from=2026-12-05&to=2026-12-02",
            "to",
            "Data końcowa „to” jest wcześniejsza niż data początkowa.",
        ),
        ("branch=1&from=2026-12-01&to=2026-12-02", "domain", "Pole „domain” jest wymagane."),
    ],
)
def test_invalid_query_says_which_field_and_how_in_polish_utf8(client, query, field, message):
    response = client.get(f"/api/v1/slots?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid_input",
        "field": field,
        "message": message,
    }
    assert "\\u" not in response.get_data(as_text=True)  # UTF-8, not escapes
