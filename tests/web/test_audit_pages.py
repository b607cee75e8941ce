"""The audit trail through the managers' page and `GET /api/v1/audit`, and the audit entry that
staff reading a consultation's private notes leave (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.models import AuditEvent, Consultation
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
from tests.helpers import NOW
from tests.web.pages import links, page
from tests.web.test_openapi import check

API = "/api/v1/audit"
NOTES = "Klientka rozważa spółdzielnię socjalną"


@pytest.fixture()
def w(db):
    branch = create_branch(code="klucze", name="Klucze")
    area = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(
        domains=[area], branches=[branch], full_name="Anna Nowak", email="nowak@example.org"
    )
    other = create_expert(domains=[area], branches=[branch], email="kos@example.org")
    manager = create_manager(full_name="Kinga Kierownik", email="kierownik@example.org")
    maria = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    start = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    held = create_consultation(
        expert=expert, client=maria, branch=branch, area=area, start_dt=start,
        status="attended", notes=NOTES, outcome_at_dt=start + timedelta(hours=1),
        outcome_by_id=expert.id, duration_min=60,
    )  # fmt: skip
    bare = create_consultation(
        expert=expert, client=maria, branch=branch, area=area, start_dt=start - timedelta(days=1)
    )
    for n in range(3):
        db.session.add(
            AuditEvent(at_dt=NOW + timedelta(minutes=n), action="participant.viewed",
                       actor_id=expert.id, subject_id=maria.id, target_type="user",
                       target_id=maria.id, details={"sensitive": n == 0}, ip="203.0.113.9")
        )  # fmt: skip
    db.session.commit()
    return {"expert": expert, "other": other, "manager": manager, "maria": maria,
            "held": held, "bare": bare}  # fmt: skip


def _english(client) -> None:
    client.post("/jezyk", data={"lang": "en"})


def _events(db, action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the page -------------------------------------------------------------------------------


def test_manager_sees_the_trail_with_names_and_a_nav_link(client, w) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    _english(client)
    html = page(client.get("/audyt/"))
    assert links(html, "/audyt/")  # the menu has it
    assert "Audit trail" in html
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)[1:]  # after the header row
    viewed = [r for r in rows if "participant.viewed" in r]
    assert len(viewed) == 3
    assert "Anna Nowak" in viewed[0] and "Maria Wiśniewska" in viewed[0]
    assert "Participant data viewed" in viewed[0] and "203.0.113.9" in viewed[0]
    assert f"/audyt/?person_id={w['maria'].id}" in viewed[0]  # whose: a link to their entries
    assert "23 November 2026, 10:02:00" in viewed[0]  # NOW + 2 min, Warsaw time, newest first


def test_the_page_filters(client, w) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    maria = w["maria"].id
    assert page(client.get(f"/audyt/?person_id={maria}")).count("participant.viewed</code>") == 3
    html = page(client.get("/audyt/?action=user.&from=2000-01-01&to=2999-12-31"))
    assert "participant.viewed</code>" not in html and "user.login</code>" in html
    none = client.get(f"/audyt/?actor_id={w['other'].id}")
    assert none.status_code == 200 and "<table" not in page(none)
    form = page(client.get("/audyt/?action=participant."))
    chosen = r'<option selected value="participant\.">|value="participant\." selected'
    assert re.search(chosen, form)


@pytest.mark.parametrize(
    ("query", "field_id"),
    [
        ("person_id=abc", "person_id"),
        ("actor_id=-3", "actor_id"),
        ("from=2026-02-30", "from"),
        ("from=2026-11-24&to=2026-11-23", "to"),
        ("action=<script>", "action"),
    ],
)
def test_bad_filters_are_shown_at_their_field(client, w, query, field_id) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    _english(client)
    response = client.get(f"/audyt/?{query}")
    assert response.status_code == 422
    html = page(response)
    assert f'id="{field_id}-error"' in html and 'aria-invalid="true"' in html
    assert f'href="#{field_id}"' in html  # the summary leads to the field
    assert "<table" not in html


def test_a_page_that_is_not_a_number_is_a_clear_message(client, w) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    _english(client)
    response = client.get("/audyt/?page=0")
    assert response.status_code == 422
    assert "This page of results does not exist." in page(response)


def test_pages_link_to_each_other_keeping_the_filters(client, db, w) -> None:
    for n in range(60):
        db.session.add(AuditEvent(at_dt=NOW - timedelta(days=1, minutes=n), action="call.done",
                                  actor_id=w["expert"].id, subject_id=w["maria"].id))  # fmt: skip
    db.session.commit()
    login(client, "kierownik@example.org", PASSWORD)
    first = page(client.get(f"/audyt/?person_id={w['maria'].id}"))
    assert first.count("<time ") == 50
    (nxt,) = links(first, "/audyt/")[-1:]
    assert "page=2" in nxt and f"person_id={w['maria'].id}" in nxt
    second = page(client.get(nxt))
    assert second.count("<time ") == 13  # 63 in all: 60 calls and the 3 views


def test_staff_and_clients_cannot_open_the_trail(client, w) -> None:
    login(client, "nowak@example.org", PASSWORD)
    assert client.get("/audyt/").status_code == 403
    assert "/audyt/" not in page(client.get("/"))


# --- the API --------------------------------------------------------------------------------


@pytest.fixture()
def document():
    from incubator.web.api.openapi import openapi_document

    return openapi_document(server_url=API.removesuffix("/audit"))


def test_api_lists_entries_as_documented(app, client, w, document) -> None:
    login(client, "kierownik@example.org", PASSWORD, follow=False)
    response = client.get(f"{API}?person_id={w['maria'].id}&action=participant.&lang=en")
    assert response.status_code == 200
    check(document, "/audit", "get", response)
    body = response.json
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 3)
    first = body["items"][0]
    assert first["actor"] == {"id": w["expert"].id, "name": "Anna Nowak", "role": "expert"}
    assert first["subject"] == {"id": w["maria"].id, "name": "Maria Wiśniewska"}
    assert first["action"] == "participant.viewed"
    assert first["action_label"] == "Participant data viewed"
    assert first["target"] == {"type": "user", "id": w["maria"].id}
    assert first["ip"] == "203.0.113.9" and first["at"] == "2026-11-23T10:02:00+01:00"
    assert [i["details"]["sensitive"] for i in body["items"]] == [False, False, True]


def test_api_shows_the_system_as_the_actor(client, db, w, document) -> None:
    db.session.add(AuditEvent(at_dt=NOW, action="waitlist.lapsed", subject_id=w["maria"].id))
    db.session.commit()
    login(client, "kierownik@example.org", PASSWORD, follow=False)
    response = client.get(f"{API}?action=waitlist.lapsed")
    check(document, "/audit", "get", response)
    (item,) = response.json["items"]
    assert item["actor"] == {"id": None, "name": None, "role": "system"}
    assert item["target"] is None


def test_api_refuses_others(client, w, document) -> None:
    anonymous = client.get(API)
    assert anonymous.status_code == 401 and anonymous.json["error"]["code"] == "unauthorized"
    login(client, "nowak@example.org", PASSWORD, follow=False)
    for query in ("", "?person_id=abc"):  # refused before the filters are read
        response = client.get(API + query)
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
        check(document, "/audit", "get", response)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("person_id=abc", "person_id"),
        ("actor_id=1.5", "actor_id"),
        ("from=2026-11-31", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-24&to=2026-11-23", "to"),
        ("action=DROP%20TABLE", "action"),
        ("page=0", "page"),
        ("page=x", "page"),
    ],
)
def test_api_bad_parameters_are_422_naming_the_field(client, w, document, query, field) -> None:
    login(client, "kierownik@example.org", PASSWORD, follow=False)
    response = client.get(f"{API}?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_input"
    assert response.json["error"]["field"] == field
    check(document, "/audit", "get", response)


def test_api_unknown_ids_give_no_entries(client, w) -> None:
    login(client, "kierownik@example.org", PASSWORD, follow=False)
    body = client.get(f"{API}?person_id=987654&actor_id=987655").json
    assert body == {"items": [], "page": 1, "per_page": 50, "total": 0}


# --- reading private notes is audited -------------------------------------------------------


def test_opening_the_outcome_page_with_notes_is_audited(client, db, w) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    html = page(client.get(f"/personel/konsultacje/{w['held'].id}/przebieg"))
    assert NOTES in html
    (event,) = _events(db, "consultation.notes_viewed")
    assert event.actor_id == w["manager"].id and event.subject_id == w["maria"].id
    assert (event.target_type, event.target_id) == ("consultation", w["held"].id)
    assert event.details == {"expert_id": w["expert"].id, "via": "page"}
    assert event.ip == "127.0.0.1"
    assert NOTES not in str(event.details)
    client.get(f"/personel/konsultacje/{w['bare'].id}/przebieg")  # no notes: nothing read
    assert len(_events(db, "consultation.notes_viewed")) == 1


def test_notes_through_the_api_are_audited_for_staff_only(app, db, w) -> None:
    from tests.web.test_api import as_user

    expert = as_user(app, w["expert"])
    assert expert.get(f"/api/v1/consultations/{w['held'].id}").json["notes"] == NOTES
    (event,) = _events(db, "consultation.notes_viewed")
    assert event.actor_id == w["expert"].id and event.details["via"] == "api"
    listing = expert.get("/api/v1/consultations").json  # two consultations, one with notes
    assert len(listing) == 2
    assert len(_events(db, "consultation.notes_viewed")) == 2
    maria = as_user(app, w["maria"])  # the client: never shown the notes, nothing recorded
    assert "notes" not in maria.get(f"/api/v1/consultations/{w['held'].id}").json
    assert len(maria.get("/api/v1/consultations").json) == 2
    assert len(_events(db, "consultation.notes_viewed")) == 2
    assert all(e.subject_id == w["maria"].id for e in _events(db, "consultation.notes_viewed"))


def test_notes_viewed_entries_show_in_the_trail(app, client, db, w) -> None:
    login(client, "kierownik@example.org", PASSWORD, follow=False)
    client.get(f"/api/v1/consultations/{w['held'].id}")
    body = client.get(f"{API}?action=consultation.notes_viewed&person_id={w['maria'].id}").json
    assert body["total"] == 1
    assert body["items"][0]["target"] == {"type": "consultation", "id": w["held"].id}
    db.session.rollback()
    assert db.session.get(Consultation, w["held"].id).notes == NOTES  # reading changed nothing
