"""Least privilege (RODO, issue #15): who sees a person's participant record, the sensitive
answers and a consultation's private notes, on every page, PDF, feed and API answer an expert or
a client can reach.

The world: expert X advised client A (with guest G attending) on a day in the past and wrote
private notes; expert Z had a consultation with A that was cancelled; expert Y never met A. A has
every sensitive answer and a PESEL recorded.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from incubator.domain import participants as rules
from incubator.models import AuditEvent, ClientProfile
from incubator.services import calendar_feeds
from tests.conftest import IsolatedClient, login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_group,
    create_manager,
)
from tests.helpers import NOW, local
from tests.web.pages import page

DAY = date(2026, 3, 3)  # a Tuesday before NOW: the consultation has happened
PESEL = "85010112345"
NOTES = "Notatka-poufna-7Q: klientka w trudnej sytuacji"
# What a leaked sensitive answer would print: the PESEL, or the questions' Polish/English labels.
SENSITIVE_MARKS = (
    PESEL,
    "niepełnosprawno",
    "mniejszości",
    "bezdomn",
    "disabilit",
    "minority",
    "homeless",
    "third country",
    "państwa trzeciego",
)


@pytest.fixture()
def w(db):
    branch = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    kw = {"domains": [law], "branches": [branch]}
    x = create_expert(email="x@example.org", **kw)
    y = create_expert(email="y@example.org", **kw)
    z = create_expert(email="z@example.org", **kw)
    manager = create_manager(email="m@example.org")
    a = create_client(email="a@example.org", full_name="Anna Wrażliwa", phone="600 111 222")
    g = create_client(email="g@example.org", full_name="Gość Towarzyszący", phone="600 333 444")
    profile = db.session.get(ClientProfile, a.id)
    for name in rules.SENSITIVE_FIELDS:
        setattr(profile, name, "yes")
    profile.pesel, profile.gender = PESEL, "female"
    db.session.commit()
    held = create_consultation(
        expert=x, client=a, branch=branch, area=law, attendees=[g], start_dt=local(DAY, 10),
        status="attended", notes=NOTES, topic="Spółdzielnia",
    )  # fmt: skip
    create_consultation(
        expert=z, client=a, branch=branch, area=law, start_dt=local(DAY, 12), status="cancelled"
    )
    return {"x": x, "y": y, "z": z, "m": manager, "a": a, "g": g, "c": held, "branch": branch}


def _as(app, user, lang: str = "en"):
    app.test_client_class = IsolatedClient  # each request in its own context, as in production
    c = app.test_client()
    login(c, user.email, PASSWORD)
    c.post("/jezyk", data={"lang": lang})
    return c


def _record(person) -> str:
    return f"/personel/klienci/{person.id}/dane-uczestnika"


def _pdf(response) -> str:
    assert response.status_code == 200, response.status_code
    reader = PdfReader(io.BytesIO(response.data))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


# --- the participant record -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "person", "status"),
    [
        ("x", "a", 200),  # X advised A
        ("x", "g", 200),  # ...and G, who attended with A
        ("z", "a", 200),  # a cancelled consultation still makes Z A's adviser
        ("y", "a", 403),  # Y never met A
        ("y", "g", 403),
        ("z", "g", 403),  # G was not at Z's (cancelled) consultation
        ("m", "a", 200),
        ("g", "a", 403),  # another client
    ],
)
def test_who_opens_a_participant_record(app, w, reader, person, status) -> None:
    response = _as(app, w[reader]).get(_record(w[person]))
    assert response.status_code == status
    if status == 403:
        html = page(response)
        assert "Anna" not in html and "600 111 222" not in html and "600 333 444" not in html
    if reader == "y":
        assert "Experts see the participant data only of the people they advise." in page(response)


def test_an_expert_who_does_not_advise_changes_nothing_and_leaves_no_view(app, db, w) -> None:
    c = _as(app, w["y"])
    assert c.post(_record(w["a"]), data={"gender": "male"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(ClientProfile, w["a"].id).gender == "female"
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("participant.%")))
    assert list(viewed) == []


def test_the_advising_expert_sees_contact_but_no_sensitive_answer(app, w) -> None:
    html = page(_as(app, w["x"]).get(_record(w["a"])))
    assert "600 111 222" in html and "a@example.org" in html
    assert 'name="gender"' in html
    for name in (*rules.SENSITIVE_FIELDS, "pesel"):
        assert f'name="{name}"' not in html, name
    assert PESEL not in html
    html = page(_as(app, w["m"]).get(_record(w["a"])))
    assert PESEL in html and all(f'name="{n}"' in html for n in rules.SENSITIVE_FIELDS)


def test_no_sensitive_answer_on_any_page_the_expert_reaches(app, w) -> None:
    x, held = _as(app, w["x"]), w["c"]
    pages = {
        "printout": f"/personel/konsultacje/{held.id}/wydruk",
        "outcome": f"/personel/konsultacje/{held.id}/przebieg",
        "day": f"/personel/dzien?date={DAY.isoformat()}&branch={w['branch'].id}",
        "agenda": "/personel/agenda",
        "search": "/personel/rezerwacja?q=Wra%C5%BCliwa",
        "api": f"/api/v1/consultations/{held.id}",
        "api list": "/api/v1/consultations",
    }
    for name, url in pages.items():
        response = x.get(url)
        assert response.status_code == 200, name
        text = page(response).lower()
        for mark in SENSITIVE_MARKS:
            assert mark.lower() not in text, (name, mark)
    for url in (
        f"/personel/konsultacje/{held.id}/karta.pdf",
        f"/personel/dzien/{DAY.isoformat()}/karty.pdf",
    ):
        text = _pdf(x.get(url)).lower()
        assert "wrażliwa" in text  # the record is A's
        for mark in SENSITIVE_MARKS:
            assert mark.lower() not in text, (url, mark)


def test_the_reports_with_answers_are_for_managers_only(app, w) -> None:
    for url in ("/raporty/uczestnicy", "/raporty/", "/api/v1/reports/summary"):
        for who in ("x", "y", "a"):
            assert _as(app, w[who]).get(url).status_code == 403, (url, who)


# --- links to the record ----------------------------------------------------------------------


def test_search_links_only_the_records_the_expert_may_open(app, w) -> None:
    link = f'href="{_record(w["a"])}"'
    assert link in page(_as(app, w["x"]).get("/personel/rezerwacja?q=Wra%C5%BCliwa"))
    html = page(_as(app, w["y"]).get("/personel/rezerwacja?q=Wra%C5%BCliwa"))
    assert "Anna Wrażliwa" in html and link not in html
    assert "600 111 222" not in html  # masked


def test_a_possible_duplicate_shows_an_unknown_persons_contact_masked(app, w) -> None:
    form = {"full_name": "Anna Inna", "phone": "600 111 222", "rodo_read": "y"}
    html = page(_as(app, w["y"]).post("/personel/klienci/nowy", data=form))
    assert "Anna Wrażliwa" in html  # the same phone: staff must be warned
    assert "600 111 222" not in html.split("<form")[0] and "a@example.org" not in html
    assert f'href="{_record(w["a"])}"' not in html
    html = page(_as(app, w["x"]).post("/personel/klienci/nowy", data=form))
    assert "a@example.org" in html and f'href="{_record(w["a"])}"' in html


# --- private notes ----------------------------------------------------------------------------


def test_private_notes_reach_the_expert_and_managers_only(app, w) -> None:
    held = w["c"]
    outcome = f"/personel/konsultacje/{held.id}/przebieg"
    api = f"/api/v1/consultations/{held.id}"
    for who in ("x", "m"):
        c = _as(app, w[who])
        assert NOTES in page(c.get(outcome)), who
        assert c.get(api).json["notes"] == NOTES, who
    y = _as(app, w["y"])
    assert y.get(outcome).status_code == 404 and y.get(api).status_code == 404
    for who in ("a", "g"):  # the client and the guest: their consultation, never the notes
        c = _as(app, w[who])
        body = c.get(api)
        assert body.status_code == 200 and "notes" not in body.json, who
        for url in (f"/rezerwacja/{held.id}/gotowe", "/moje-konsultacje", api):
            assert NOTES not in page(c.get(url)), (who, url)
        assert c.get(outcome).status_code == 403, who


def test_private_notes_are_never_printed_nor_in_a_feed(app, db, w) -> None:
    held = w["c"]
    for who in ("x", "m"):
        c = _as(app, w[who])
        assert NOTES not in _pdf(c.get(f"/personel/konsultacje/{held.id}/karta.pdf"))
        assert NOTES not in page(c.get(f"/personel/konsultacje/{held.id}/wydruk"))
    x = _as(app, w["x"])
    assert NOTES not in _pdf(x.get(f"/personel/dzien/{DAY.isoformat()}/karty.pdf"))
    # the calendar feeds of the expert and of the client cover the last 30 days
    held.start_dt = NOW - timedelta(days=2)
    held.end_dt = held.start_dt + timedelta(hours=1)
    db.session.commit()
    for who in ("x", "a"):
        feed = calendar_feeds.get_or_create(db.session, user=w[who], now=NOW)
        app.test_client_class = IsolatedClient
        body = app.test_client().get(f"/kalendarz/{feed.token}.ics")
        assert body.status_code == 200
        text = body.get_data(as_text=True).replace("\r\n ", "")
        assert held.uid in text and "Notatka-poufna" not in text, who


# --- founding groups: the members' at-risk categories -------------------------------------------


def test_a_member_never_sees_another_members_at_risk_category(app, db, w) -> None:
    """The art. 4 categories name illness, addiction or prison (art. 9 and 10 GDPR): the group's
    guardian and managers see them, a member only their own."""
    group = create_group(branch_id=w["branch"].id, guardian_id=w["x"].id, members=[w["a"], w["g"]])
    by_user = {m.user_id: m for m in group.members}
    by_user[w["a"].id].at_risk_category = "unemployed"
    by_user[w["g"].id].at_risk_category = "mentally_ill"
    db.session.commit()
    url, api = f"/grupy/{group.id}", f"/api/v1/groups/{group.id}"
    a = _as(app, w["a"])
    html = page(a.get(url))
    assert "unemployed" in html and "mentally ill" not in html
    members = {m["user_id"]: m for m in a.get(api).json["members"]}
    assert members[w["a"].id]["at_risk"] == "unemployed"
    assert "at_risk" not in members[w["g"].id]
    listed = a.get("/api/v1/groups").json
    assert all("mentally_ill" != m.get("at_risk") for g in listed for m in g["members"])
    for who in ("x", "m"):  # the guardian and a manager
        c = _as(app, w[who])
        assert "mentally ill" in page(c.get(url)), who
        members = {m["user_id"]: m for m in c.get(api).json["members"]}
        assert members[w["g"].id]["at_risk"] == "mentally_ill", who
