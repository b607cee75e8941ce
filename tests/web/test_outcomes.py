"""Recording outcomes through the staff pages and the JSON API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.models import AuditEvent, Consultation, TopicCategory
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
from tests.web.pages import links, page
from tests.web.test_openapi import check


@pytest.fixture()
def w(db):
    branch = create_branch(code="klucze", name="Klucze")
    area = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(
        domains=[area], branches=[branch], full_name="Anna Nowak", email="nowak@example.org"
    )
    other = create_expert(
        domains=[area], branches=[branch], full_name="Jan Kos", email="kos@example.org"
    )
    manager = create_manager(full_name="Kinga Kierownik", email="kierownik@example.org")
    client = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    guest = create_client(full_name="Tomasz Świadek", email=None)
    db.session.add(
        TopicCategory(code="statute", name_pl="Statut i dokumenty", name_en="Statute", position=1)
    )
    db.session.commit()
    start = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    past = create_consultation(
        expert=expert, client=client, branch=branch, area=area, attendees=[guest], start_dt=start
    )
    future = create_consultation(
        expert=expert,
        client=client,
        branch=branch,
        area=area,
        start_dt=start + timedelta(days=5),
    )
    return {
        "expert": expert,
        "other": other,
        "manager": manager,
        "client": client,
        "guest": guest,
        "past": past,
        "future": future,
    }


def _form(w, **kw) -> dict:
    data = {
        f"attended-{w['client'].id}": "yes",
        f"attended-{w['guest'].id}": "no",
        "duration_min": "50",
        "topic_category": "statute",
        "notes": "Tajna notatka",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def _reload(db, w) -> Consultation:
    db.session.rollback()
    return db.session.get(Consultation, w["past"].id)


# --- pages ----------------------------------------------------------------------------------


def test_expert_sees_the_count_and_records_via_the_form(client, db, w) -> None:
    login(client, "nowak@example.org", PASSWORD)
    agenda = page(client.get("/personel/agenda"))
    assert links(agenda, "/personel/do-uzupelnienia")
    listing = page(client.get("/personel/do-uzupelnienia"))
    url = f"/personel/konsultacje/{w['past'].id}/przebieg"
    assert links(listing, url) and f"/konsultacje/{w['future'].id}/przebieg" not in listing
    form = page(client.get(url))
    assert "Maria Wiśniewska" in form and "Tomasz Świadek" in form
    assert " checked" not in form  # nothing marked in advance
    assert 'value="60"' in form  # the booked length
    response = client.post(url, data=_form(w))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/personel/do-uzupelnienia")
    c = _reload(db, w)
    assert c.status == "attended" and c.duration_min == 50 and c.notes == "Tajna notatka"
    assert sorted((a.user_id, a.attended) for a in c.attendees) == sorted(
        [(w["client"].id, True), (w["guest"].id, False)]
    )
    after = page(client.get("/personel/do-uzupelnienia"))
    assert not links(after, url)


def test_missing_mark_is_refused_in_polish_and_nothing_written(client, db, w) -> None:
    login(client, "nowak@example.org", PASSWORD)
    url = f"/personel/konsultacje/{w['past'].id}/przebieg"
    response = client.post(url, data=_form(w, **{f"attended-{w['guest'].id}": None}))
    assert response.status_code == 422
    assert "Zaznacz przy każdym uczestniku" in page(response)
    bad = client.post(url, data=_form(w, duration_min="0"))
    assert bad.status_code == 422 and "minut" in page(bad)
    assert _reload(db, w).status == "booked"


def test_future_consultation_cannot_be_recorded_on_the_page(client, db, w) -> None:
    login(client, "nowak@example.org", PASSWORD)
    url = f"/personel/konsultacje/{w['future'].id}/przebieg"
    assert client.get(url).status_code == 302
    assert client.post(url, data=_form(w)).status_code == 302
    db.session.rollback()
    assert db.session.get(Consultation, w["future"].id).status == "booked"


def test_client_and_other_expert_are_kept_out(client, db, w) -> None:
    url = f"/personel/konsultacje/{w['past'].id}/przebieg"
    login(client, "maria@example.org", PASSWORD)
    assert client.get(url).status_code == 403
    assert client.post(url, data=_form(w)).status_code == 403
    assert client.get("/personel/do-uzupelnienia").status_code == 403
    client.post("/konto/wyloguj")
    login(client, "kos@example.org", PASSWORD)
    assert client.get(url).status_code == 404
    assert client.post(url, data=_form(w)).status_code == 404
    assert _reload(db, w).status == "booked"


def test_manager_corrects_and_the_form_shows_current_values(client, db, w) -> None:
    login(client, "nowak@example.org", PASSWORD)
    url = f"/personel/konsultacje/{w['past'].id}/przebieg"
    client.post(url, data=_form(w))
    client.post("/konto/wyloguj")
    login(client, "kierownik@example.org", PASSWORD)
    form = page(client.get(url))
    assert "Tajna notatka" in form and 'value="50"' in form and " checked" in form
    response = client.post(url, data=_form(w, **{f"attended-{w['client'].id}": "no"}))
    assert response.status_code == 302
    c = _reload(db, w)
    assert c.status == "no_show" and c.outcome_by_id == w["manager"].id
    events = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("consultation.outcome%"))
        .order_by(AuditEvent.id)
    ).all()
    assert events == ["consultation.outcome", "consultation.outcome_corrected"]


# --- API ------------------------------------------------------------------------------------


def _api_login(client, email: str) -> None:
    assert (
        client.post("/api/v1/session", json={"email": email, "password": PASSWORD}).status_code
        == 200
    )


def _body(w, **kw) -> dict:
    body = {
        "attendees": [
            {"user_id": w["client"].id, "attended": True},
            {"user_id": w["guest"].id, "attended": False},
        ],
        "duration_min": 60,
        "topic_category": "statute",
        "notes": "Tylko dla eksperta",
    }
    body.update(kw)
    return body


def test_api_records_and_shows_the_outcome(client, db, w) -> None:
    _api_login(client, "nowak@example.org")
    response = client.post(f"/api/v1/consultations/{w['past'].id}/outcome", json=_body(w))
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["status"] == "attended"
    assert data["duration_min"] == 60 and data["topic_category"] == "statute"
    assert data["notes"] == "Tylko dla eksperta" and data["outcome_recorded_at"]
    assert {a["user_id"]: a["attended"] for a in data["attendees"]} == {
        w["client"].id: True,
        w["guest"].id: False,
    }
    document = client.get("/api/v1/openapi.json").get_json()
    check(document, "/consultations/{consultation_id}/outcome", "post", response)
    listed = client.get("/api/v1/consultations?awaiting_outcome=true")
    check(document, "/consultations", "get", listed)
    refused = client.post(f"/api/v1/consultations/{w['future'].id}/outcome", json=_body(w))
    check(document, "/consultations/{consultation_id}/outcome", "post", refused)


def test_api_awaiting_outcome_list(client, db, w) -> None:
    _api_login(client, "nowak@example.org")
    listed = client.get("/api/v1/consultations?awaiting_outcome=true").get_json()
    assert [c["id"] for c in listed] == [w["past"].id]
    assert listed[0]["attendees"][0]["attended"] is None
    bad = client.get("/api/v1/consultations?awaiting_outcome=maybe")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "awaiting_outcome"


def test_api_notes_hidden_from_the_client(client, db, w) -> None:
    _api_login(client, "nowak@example.org")
    client.post(f"/api/v1/consultations/{w['past'].id}/outcome", json=_body(w))
    client.delete("/api/v1/session")
    _api_login(client, "maria@example.org")
    data = client.get(f"/api/v1/consultations/{w['past'].id}").get_json()
    assert "notes" not in data and data["status"] == "attended"
    assert "Tylko dla eksperta" not in client.get("/api/v1/consultations").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "target", "body", "status", "code"),
    [
        ("nowak@example.org", "future", {}, 422, "not_started"),
        ("maria@example.org", "past", {}, 403, "forbidden"),
        ("kos@example.org", "past", {}, 403, "forbidden"),
        (
            "nowak@example.org",
            "past",
            {"attendees": [{"user_id": 999999, "attended": True}]},
            422,
            "not_an_attendee",
        ),
        ("nowak@example.org", "past", {"attendees": [{"user_id": 1}]}, 422, "invalid_input"),
        ("nowak@example.org", "past", {"attendees": "all"}, 422, "invalid_input"),
        ("nowak@example.org", "past", {"duration_min": "60"}, 422, "invalid_input"),
        ("nowak@example.org", "past", {"duration_min": 481}, 422, "invalid_duration"),
        ("nowak@example.org", "past", {"topic_category": "nope"}, 422, "unknown_topic_category"),
    ],
)
def test_api_refusals(client, db, w, who, target, body, status, code) -> None:
    _api_login(client, who)
    response = client.post(f"/api/v1/consultations/{w[target].id}/outcome", json=_body(w, **body))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    assert _reload(db, w).status == "booked"


def test_api_unknown_consultation_is_404(client, db, w) -> None:
    _api_login(client, "nowak@example.org")
    response = client.post("/api/v1/consultations/2147483647/outcome", json=_body(w))
    assert response.status_code == 404
