"""The information clause (RODO art. 13) and the record of when and how each person was informed:
the controller and the DPO from the settings (flagged when unset or a demo stand-in), `page` at
self-registration, `phone` for clients staff enter, and staff recording a reading for a person
with no record (audited `person.informed`)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from incubator.config import DEMO_DATA_CONTROLLER, DEMO_DATA_PROTECTION_OFFICER
from incubator.models import AuditEvent, User
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
from tests.web.pages import page

CONTROLLER = "Fundacja Próbna „Łąka”, ul. Żytnia 7, 00-950 Warszawa"
OFFICER = "Jan Ćwik, iod@laka.example.org"
FLAG = re.compile(r'<span class="placeholder-flag">([^<]*)</span>')


def _as(client, user, lang: str = "en"):
    login(client, user.email, PASSWORD)
    client.post("/jezyk", data={"lang": lang})
    return client


def _english(client):
    client.post("/jezyk", data={"lang": "en"})
    return client


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture()
def parties(app, monkeypatch):
    """Set the controller and the DPO for one test (the app is shared by the session)."""

    def set_to(controller: str | None, officer: str | None) -> None:
        monkeypatch.setitem(app.config, "DATA_CONTROLLER", controller)
        monkeypatch.setitem(app.config, "DATA_PROTECTION_OFFICER", officer)

    return set_to


def _clause(html: str) -> str:
    start = html.index('<div class="rodo-clause">')
    return html[start : html.index("</div>", start)]


# --- the clause names the controller and the DPO ----------------------------------------------


def test_the_clause_names_the_configured_controller_and_officer(client, db, parties) -> None:
    parties(CONTROLLER, OFFICER)
    clause = _clause(page(_english(client).get("/rodo")))
    assert f"The controller of your personal data is: <strong>{CONTROLLER}</strong>." in clause
    assert f"<strong>{OFFICER}</strong>" in clause and "data protection officer" in clause
    assert FLAG.search(clause) is None
    assert "PUODO" in clause and "automated decision-making" in clause
    assert "kept for the period required by the grant agreement" in clause
    assert "right to object" in clause and "withdraw it at any time" in clause
    assert "PESEL" in clause and "Art. 9(2)(a)" in clause and "You may refuse" in clause


def test_an_unset_controller_and_officer_are_flagged(client, db, parties) -> None:
    parties(None, "  ")
    clause = _clause(page(_english(client).get("/rodo")))
    flags = FLAG.findall(clause)
    assert flags == ["placeholder — the operator must fill this in"] * 2
    assert "<strong>" not in clause  # no value to show


def test_the_demo_placeholders_are_shown_and_flagged(client, db, parties) -> None:
    parties(DEMO_DATA_CONTROLLER, DEMO_DATA_PROTECTION_OFFICER)
    clause = _clause(page(client.get("/rodo")))  # Polish: the values themselves are data
    assert DEMO_DATA_CONTROLLER in clause and DEMO_DATA_PROTECTION_OFFICER in clause
    assert len(FLAG.findall(clause)) == 2
    assert 'style="' not in clause


def test_one_real_and_one_placeholder_flags_only_the_placeholder(client, db, parties) -> None:
    parties(CONTROLLER, "TODO")
    clause = _clause(page(_english(client).get("/rodo")))
    assert len(FLAG.findall(clause)) == 1
    assert clause.index(CONTROLLER) < clause.index("placeholder-flag")
    assert clause.index("data protection officer") < clause.index("placeholder-flag")


def test_registration_and_the_staff_form_show_the_same_clause(client, db, parties) -> None:
    parties(CONTROLLER, OFFICER)
    assert CONTROLLER in page(client.get("/konto/rejestracja"))
    _as(client, create_expert())
    html = page(client.get("/personel/klienci/nowy"))
    assert CONTROLLER in _clause(html) and OFFICER in _clause(html)


# --- how each person was informed ----------------------------------------------------------


def test_self_registration_records_informed_on_the_page(client, db) -> None:
    r = client.post(
        "/konto/rejestracja",
        data={
            "full_name": "Ewa Strona",
            "email": "ewa@example.org",
            "phone": "600 700 800",
            "password": "zielona-lampa-nad-rzeka",
            "password_confirm": "zielona-lampa-nad-rzeka",
            "preferred_language": "en",
            "consent": "y",
        },
    )
    assert r.status_code == 302, page(r)
    user = db.session.scalar(select(User).where(User.email == "ewa@example.org"))
    assert user.consent_dt is not None and user.informed_via == "page"
    login(client, "ewa@example.org", "zielona-lampa-nad-rzeka")
    html = page(_english(client).get("/konto/"))
    day = user.consent_dt
    assert "Informed about the processing of personal data on" in html
    assert "(on the page)." in html and str(day.year) in html


def test_a_client_entered_by_staff_is_recorded_as_informed_by_phone(client, db) -> None:
    expert = create_expert()
    _as(client, expert)
    r = client.post(
        "/personel/klienci/nowy",
        data={"full_name": "Tadeusz Telefon", "phone": "601 222 333", "rodo_read": "y"},
    )
    assert r.status_code == 302, page(r)
    user = db.session.scalar(select(User).where(User.full_name == "Tadeusz Telefon"))
    assert user.informed_via == "phone" and user.consent_dt is not None
    create_consultation(  # so the expert advises him and may open his record
        expert=expert, client=user, branch=create_branch(), area=create_domain()
    )
    html = page(client.get(f"/personel/klienci/{user.id}/dane-uczestnika"))
    assert "(by phone)." in html
    assert "/poinformowano" not in html  # already informed: nothing to record


def test_staff_record_that_the_clause_was_read_out(client, db) -> None:
    manager, person = create_manager(), create_client(full_name="Stefan Bez Zapisu")
    assert person.consent_dt is None
    _as(client, manager)
    url = f"/personel/klienci/{person.id}/dane-uczestnika"
    html = page(client.get(url))
    assert "There is no record of this person having been informed" in html
    assert f'action="/personel/klienci/{person.id}/poinformowano"' in html
    r = client.post(f"/personel/klienci/{person.id}/poinformowano", follow_redirects=True)
    html = page(r)
    assert "Recorded: the information clause was read out on the phone today." in html
    assert "(by phone)." in html and "/poinformowano" not in html
    db.session.expire_all()
    stored = db.session.get(User, person.id)
    assert stored.informed_via == "phone" and stored.consent_dt is not None
    (event,) = _events(db, "person.informed")
    assert (event.actor_id, event.target_id, event.subject_id) == (
        manager.id,
        person.id,
        person.id,
    )
    assert event.details == {"via": "phone"}
    # a second record is refused politely: the first one stands, nothing more is written
    first = stored.consent_dt
    r = client.post(f"/personel/klienci/{person.id}/poinformowano", follow_redirects=True)
    assert "already been informed; the earlier record stays" in page(r)
    db.session.expire_all()
    assert db.session.get(User, person.id).consent_dt == first
    assert len(_events(db, "person.informed")) == 1


def test_a_page_informed_person_is_not_informed_again(client, db) -> None:
    manager = create_manager()
    person = create_client(consent_dt=NOW, informed_via="page")
    _as(client, manager)
    r = client.post(f"/personel/klienci/{person.id}/poinformowano")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).informed_via == "page"
    assert _events(db, "person.informed") == []


def test_only_staff_who_may_open_the_record_may_record_informing(client, db, app) -> None:
    person, other_client = create_client(), create_client()
    adviser, stranger = create_expert(), create_expert()
    create_consultation(
        expert=adviser, client=person, branch=create_branch(), area=create_domain(),
        status="cancelled",
    )  # fmt: skip
    url = f"/personel/klienci/{person.id}/poinformowano"
    for user in (stranger, other_client, person):
        c = app.test_client()
        _as(c, user)
        assert c.post(url).status_code == 403, user.role
    db.session.expire_all()
    assert db.session.get(User, person.id).consent_dt is None
    c = app.test_client()
    _as(c, adviser)
    assert c.post(url).status_code == 302  # a cancelled consultation still makes an adviser
    (event,) = _events(db, "person.informed")
    assert event.actor_id == adviser.id


def test_an_unknown_person_is_404(client, db) -> None:
    _as(client, create_manager())
    assert client.post("/personel/klienci/999999/poinformowano").status_code == 404
    assert client.post(f"/personel/klienci/{create_expert().id}/poinformowano").status_code == 404


def test_the_clients_own_pages_say_how_they_were_informed(client, db) -> None:
    person = create_client(consent_dt=NOW, informed_via="phone")
    _as(client, person)
    for url in ("/konto/", "/konto/dane-uczestnika"):
        html = page(client.get(url))
        assert "Informed about the processing of personal data on" in html, url
        assert "(by phone)." in html, url
        assert 'href="/rodo"' in html, url


def test_a_merge_keeps_the_earlier_record_with_its_way(db) -> None:
    from datetime import timedelta

    from incubator.services import person_merge

    manager = create_manager()
    keep = create_client(consent_dt=NOW, informed_via="page", full_name="Ola Dwa")
    drop = create_client(
        consent_dt=NOW - timedelta(days=30), informed_via="phone", full_name="Ola Dwa"
    )
    person_merge.merge(db.session, manager, keep.id, drop.id, now=NOW, ip="")
    kept = db.session.get(User, keep.id)
    assert kept.informed_via == "phone"
    assert kept.consent_dt == NOW - timedelta(days=30)
