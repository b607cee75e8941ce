"""The waiting list as its users meet it: the booking page's way in when nothing is free, the
client's page (join, confirm, decline, leave), the staff's list and joining on a client's
behalf, the API and `incubator waitlist process` (issue #13)."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy as email_policy

import pytest
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from incubator.models import Consultation, SlotOffer, WaitlistEntry
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
    create_rule,
    create_waitlist_offer,
)
from tests.helpers import local
from tests.web.pages import links, page
from tests.web.test_openapi import check

API = "/api/v1"


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1", phone="32 1")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(domains=[law], branches=[klucze], full_name="Anna Żółkiewska")
    client = create_client(full_name="Łucja Wiśniewska", email="lucja@example.org")
    phone_only = create_client(full_name="Jerzy Bąk", email=None, password=None, phone="600 1")
    manager = create_manager(full_name="Ewa Śliwa", email="ewa@ies.example.pl")
    return {
        "klucze": klucze, "law": law, "nowak": nowak, "client": client,
        "phone_only": phone_only, "manager": manager,
    }  # fmt: skip


def as_client(client, w):
    login(client, w["client"].email, PASSWORD)
    return client


def open_hours(w) -> None:
    """New consultation hours for Nowak: every working day (what frees times up)."""
    for weekday in range(6):
        create_rule(w["nowak"], w["klucze"], weekday=weekday)


def test_no_free_time_leads_to_the_waiting_list_and_back(client, db, world, outbox, runner):
    w = world
    as_client(client, w)
    html = page(client.get(f"/rezerwacja/dzien?domain=law&branch={w['klucze'].id}"))
    assert "Brak wolnych terminów w całym okresie zapisów" in html
    [join_link] = [u for u in links(html, "/lista-oczekujacych") if "domain=law" in u]
    html = page(client.get(join_link))
    assert "Czekaj na wolny termin" in html and "Prawo — Klucze" in html
    today = local_date(utcnow())
    answer = client.post(
        "/lista-oczekujacych",
        data={"domain": "law", "branch": w["klucze"].id, "from_date": today.isoformat()},
        follow_redirects=True,
    )
    assert "Zapisano na listę oczekujących" in page(answer)
    again = client.post("/lista-oczekujacych", data={"domain": "law", "branch": w["klucze"].id})
    assert "już na liście oczekujących" in page(client.get(again.headers["Location"]))
    assert db.session.scalar(select(WaitlistEntry.status)) == "waiting"
    html = page(client.get(join_link))  # waiting there already: the entry, no second form
    assert "Czekaj na wolny termin" not in html and "Gdzie czekasz" in html

    open_hours(w)
    result = runner.invoke(args=["waitlist", "process"])
    assert result.exit_code == 0 and "new offers: 1" in result.output, result.output
    offer = db.session.scalar(select(SlotOffer))
    html = page(client.get("/lista-oczekujacych"))
    assert "termin czeka na potwierdzenie" in html and "Potwierdzam ten termin" in html
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    [mail] = [f for f in outbox.glob("*.eml")]
    message = email.message_from_bytes(mail.read_bytes(), policy=email_policy.default)
    assert message["Subject"].startswith("Termin konsultacji czeka na Ciebie")
    body = message.get_body(("plain",)).get_content()
    assert "Anna Żółkiewska" in body and "https://inkubator.test/lista-oczekujacych" in body

    done = client.post(f"/lista-oczekujacych/oferty/{offer.id}/potwierdzenie")
    booked = db.session.scalar(select(Consultation))
    assert done.headers["Location"].endswith(f"/rezerwacja/{booked.id}/gotowe")
    assert booked.start_dt == offer.start_dt and booked.client_id == w["client"].id
    html = page(client.get("/lista-oczekujacych"))
    assert "Nie jesteś na liście oczekujących" in html and "zarezerwowano" in html


def test_a_late_confirmation_is_refused_with_the_reason(client, db, world):
    w = world
    open_hours(w)
    start = local(local_date(utcnow()) + timedelta(days=3), 9)
    _, offer = create_waitlist_offer(
        client=w["client"], expert=w["nowak"], branch=w["klucze"], area=w["law"],
        start_dt=start, expires_at_dt=utcnow() - timedelta(minutes=1),
    )  # fmt: skip
    as_client(client, w)
    answer = client.post(
        f"/lista-oczekujacych/oferty/{offer.id}/potwierdzenie", follow_redirects=True
    )
    assert "Czas na potwierdzenie minął" in page(answer)
    assert db.session.scalar(select(Consultation)) is None
    gone = client.post(f"/lista-oczekujacych/oferty/{offer.id + 99}/potwierdzenie")
    assert gone.status_code == 404


def test_staff_see_the_line_and_join_a_phone_client(client, db, world):
    w = world
    login(client, w["manager"].email, PASSWORD)
    query = f"client={w['phone_only'].id}&domain=law&branch={w['klucze'].id}"
    url = f"/personel/lista-oczekujacych?{query}"
    html = page(client.get(url))
    assert "Jerzy Bąk" in html and "Czekaj na wolny termin" in html
    answer = client.post(
        "/personel/lista-oczekujacych",
        data={"domain": "law", "branch": w["klucze"].id, "client": w["phone_only"].id},
        follow_redirects=True,
    )
    html = page(answer)
    assert "Zapisano na listę oczekujących" in html
    assert "miejsce w kolejce: 1" in html and "600 1" in html
    assert "brak e-maila" in html
    bad = client.post(
        "/personel/lista-oczekujacych",
        data={"domain": "law", "branch": w["klucze"].id, "client": w["phone_only"].id,
              "from_date": "2026-02-30"},
        follow_redirects=True,
    )  # fmt: skip
    assert "Sprawdź daty" in page(bad)


# --- the API ---------------------------------------------------------------------------------


def test_the_api_joins_refuses_twice_and_books_an_offer(app, db, world):
    from incubator.web.api.openapi import openapi_document
    from tests.web.test_api import as_user

    document = openapi_document(server_url=API)
    w = world
    api = as_user(app, w["client"])
    body = {"area": "law", "branch_id": w["klucze"].id}
    joined = api.post(f"{API}/waitlist", json=body)
    assert joined.status_code == 201 and joined.get_json()["status"] == "waiting"
    check(document, "/waitlist", "post", joined)
    twice = api.post(f"{API}/waitlist", json=body)
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_waiting"
    check(document, "/waitlist", "post", twice)
    bad = api.post(f"{API}/waitlist", json={**body, "to_date": "2020-01-01"})
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "to_date"
    check(document, "/waitlist", "post", bad)

    open_hours(w)
    manager = as_user(app, w["manager"])
    assert manager.post(f"{API}/waitlist", json=body).status_code == 422  # names nobody
    from incubator.commands.mail import process_waitlist_once

    assert process_waitlist_once(app).offered == 1
    listed = api.get(f"{API}/waitlist")
    check(document, "/waitlist", "get", listed)
    [entry] = listed.get_json()
    assert entry["status"] == "offered" and entry["offer"]["expert"]["id"] == w["nowak"].id
    offer_id = entry["offer"]["id"]
    booked = api.post(f"{API}/waitlist/offers/{offer_id}/accept")
    assert booked.status_code == 201, booked.get_json()
    check(document, "/waitlist/offers/{offer_id}/accept", "post", booked)
    assert booked.get_json()["start"] == entry["offer"]["start"]
    again = api.post(f"{API}/waitlist/offers/{offer_id}/accept")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "offer_closed"
    left = api.delete(f"{API}/waitlist/{entry['id']}")
    assert left.status_code == 409 and left.get_json()["error"]["code"] == "not_waiting"
    check(document, "/waitlist/{entry_id}", "delete", left)


def test_staff_answer_for_a_phone_client_who_is_on_the_list_to_call(app, db, world):
    from incubator.commands.mail import process_waitlist_once
    from incubator.models import CallTask
    from tests.web.test_api import as_user

    w = world
    manager = as_user(app, w["manager"])
    body = {"area": "law", "branch_id": w["klucze"].id, "client_id": w["phone_only"].id}
    assert manager.post(f"{API}/waitlist", json=body).status_code == 201
    open_hours(w)
    assert process_waitlist_once(app).offered == 1
    task = db.session.scalar(select(CallTask))
    assert task.kind == "waitlist_offer" and task.user_id == w["phone_only"].id
    assert task.expert_id == w["nowak"].id and task.branch_id == w["klucze"].id
    html = page(manager.get("/personel/do-zadzwonienia"))
    assert "Jerzy Bąk" in html and "Anna Żółkiewska" in html  # who and with whom
    assert "potwierdź lub odrzuć na liście oczekujących" in html
    [entry] = manager.get(f"{API}/waitlist").get_json()
    declined = manager.post(f"{API}/waitlist/offers/{entry['offer']['id']}/decline")
    assert declined.status_code == 200
    entry2 = declined.get_json()  # the place is kept, and the next free time offered at once
    assert entry2["status"] == "offered" and entry2["offer"]["start"] > entry["offer"]["start"]
    assert process_waitlist_once(app).offered == 0  # nothing more to offer: one person waits
    html = page(manager.get("/personel/lista-oczekujacych"))
    assert "Potwierdzam ten termin" in html
    answer = manager.post(
        f"/personel/lista-oczekujacych/oferty/{entry2['offer']['id']}/potwierdzenie"
    )
    booked = db.session.scalar(select(Consultation))
    assert answer.headers["Location"].endswith(f"/personel/konsultacje/{booked.id}/wydruk")
    assert booked.client_id == w["phone_only"].id
