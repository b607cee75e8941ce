"""Staff pages: find or enter a client, book for them, print, the day view, cancel, move."""

from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from incubator.clock import utcnow
from incubator.domain.calendar import WARSAW
from incubator.models import AuditEvent, Consultation, ConsultationStatus, User
from incubator.services import booking
from incubator.services import slots as slot_service
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_exception,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES
from tests.web.pages import count, links, page


@pytest.fixture()
def world(db):
    klucze = create_branch(
        code="klucze", name="Klucze", address="ul. Rynek 1", phone="32 642 00 00"
    )
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law],
        branches=[klucze, sacz],
        title="mec.",
        full_name="Anna Nowak",
        email="nowak@example.org",
        preferred_language="en",
    )
    kos = create_expert(
        domains=[law], branches=[klucze], full_name="Jan Kos", email="kos@example.org"
    )
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
        create_rule(kos, klucze, weekday=weekday)
        create_rule(nowak, sacz, weekday=weekday, start_time=time(13), end_time=time(15))
    manager = create_manager(
        full_name="Kinga Kierownik", email="kierownik@example.org", preferred_language="en"
    )
    maria = create_client(full_name="Maria Wiśniewska", phone="600 100 200", email=None)
    return {
        "klucze": klucze,
        "sacz": sacz,
        "law": law,
        "nowak": nowak,
        "kos": kos,
        "manager": manager,
        "maria": maria,
    }


def free_slots(app, db, w, expert, branch="klucze"):
    now = utcnow()
    today = now.astimezone(WARSAW).date()
    return slot_service.find_slots(
        db.session,
        area=w["law"],
        branch=w[branch],
        start_date=today,
        end_date=today + timedelta(days=20),
        now=now,
        policy=booking.policy_from_config(app.config),
        expert_id=expert.id,
    )


def confirm_data(slot) -> dict:
    return {
        "domain": "law",
        "branch": str(slot.branch_id),
        "expert": str(slot.expert_id),
        "start": slot.start.isoformat(),
    }


def book(app, db, w, slot, client, actor):
    return booking.book(
        db.session,
        booking.BookingRequest(
            expert_id=slot.expert_id,
            branch_id=slot.branch_id,
            domain_code="law",
            start=slot.start,
            client_id=client.id,
        ),
        actor=actor,
        now=utcnow(),
        notices=NOTICES,
        policy=booking.policy_from_config(app.config),
    )


@pytest.fixture()
def as_manager(client, world):
    login(client, "kierownik@example.org", PASSWORD)
    return client


@pytest.fixture()
def as_expert(client, world):
    login(client, "nowak@example.org", PASSWORD)
    return client


# --- access ---------------------------------------------------------------------------------


def test_clients_may_not_open_staff_pages(db, world, client) -> None:
    create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    for url in ("/personel/rezerwacja", "/personel/dzien", "/personel/klienci/nowy"):
        assert client.get(url).status_code == 403


def test_staff_pages_need_login(db, world, client) -> None:
    r = client.get("/personel/dzien")
    assert r.status_code == 302 and "/konto/logowanie" in r.headers["Location"]


def test_navigation_links_for_staff(world, as_manager) -> None:
    html = page(as_manager.get("/"))
    assert 'href="/personel/rezerwacja"' in html and "Book for a client" in html
    assert 'href="/personel/dzien"' in html and "Day view" in html
    assert 'href="/admin/uzytkownicy"' in html  # the managers' link stays
    assert 'href="/moje-konsultacje"' not in html


# --- finding and entering clients -----------------------------------------------------------


@pytest.mark.parametrize("query", ["600-100-200", "600100200", "wiśniewska", "Maria"])
def test_search_finds_clients_by_phone_and_name(world, as_manager, query) -> None:
    html = page(as_manager.get("/personel/rezerwacja", query_string={"q": query}))
    assert "Maria Wiśniewska" in html
    assert f"/personel/rezerwacja/dziedzina?client={world['maria'].id}" in html
    assert "1 client found" in html


def test_an_expert_sees_masked_contacts_and_every_search_is_audited(db, world, as_expert) -> None:
    maria = world["maria"]
    maria.email = "maria.w@example.org"
    db.session.commit()
    html = page(as_expert.get("/personel/rezerwacja", query_string={"q": "Maria"}))
    assert "Maria Wiśniewska" in html  # the name: what booking needs
    assert "600 100 200" not in html and "maria.w@example.org" not in html
    assert "••• ••• 200" in html and "m•••@example.org" in html
    assert "Contact details of clients who have not had a consultation with you" in html
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "client.searched")
    ).one()
    assert event.actor_id == world["nowak"].id
    assert event.details == {"shown": [maria.id], "masked": [maria.id]}
    assert "Maria" not in str(event.details)  # the trail keeps who was shown, not the query


def test_an_expert_sees_the_contacts_of_their_own_clients(app, db, world, as_expert) -> None:
    slot = free_slots(app, db, world, world["nowak"])[0]
    book(app, db, world, slot, world["maria"], world["nowak"])
    html = page(as_expert.get("/personel/rezerwacja", query_string={"q": "Maria"}))
    assert "600 100 200" in html and "•" not in html


def test_a_manager_sees_contacts_and_the_search_is_audited(db, world, as_manager) -> None:
    html = page(as_manager.get("/personel/rezerwacja", query_string={"q": "600100200"}))
    assert "600 100 200" in html and "•" not in html
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "client.searched")
    ).one()
    assert event.details == {"shown": [world["maria"].id], "masked": []}


def test_search_without_match_offers_a_new_client(world, as_manager) -> None:
    html = page(as_manager.get("/personel/rezerwacja", query_string={"q": "604 999 888"}))
    assert "Nobody matches" in html
    new = links(html, "/personel/klienci/nowy")
    assert new and "q=604" in new[0]
    html = page(as_manager.get(new[0]))
    assert 'value="604 999 888"' in html  # carried into the phone field


def test_a_phone_only_client_is_created_and_booked_for(app, db, world, as_expert) -> None:
    w = world
    html = page(as_expert.get("/personel/klienci/nowy"))
    assert "Information clause to read out (RODO)" in html
    # No e-mail is sent for a booking yet (issue #13): the form must not promise one.
    assert "confirmations by e-mail" not in html and "log in and manage their bookings" in html
    r = as_expert.post(
        "/personel/klienci/nowy",
        data={"full_name": "Zofia Nowa", "phone": "602 333 444", "rodo_read": "y"},
    )
    assert r.status_code == 302
    zofia = db.session.scalar(select(User).where(User.full_name == "Zofia Nowa"))
    assert zofia.email is None and zofia.password_hash is None
    assert zofia.phone == "602 333 444"
    assert zofia.consent_dt is not None
    assert zofia.created_by_id == w["nowak"].id
    assert r.headers["Location"].endswith(f"/personel/rezerwacja/dziedzina?client={zofia.id}")
    assert db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "client.created_by_staff", AuditEvent.target_id == zofia.id
        )
    )

    # the expert's flow: no expert step, their own calendar only
    html = page(as_expert.get(r.headers["Location"]))
    assert "Booking for:" in html and "Zofia Nowa" in html
    assert "Step 2 of 6" in html and 'data-step="expert"' not in html
    r = as_expert.get(
        f"/personel/rezerwacja/ekspert?client={zofia.id}&domain=law&branch={w['klucze'].id}"
    )
    assert r.status_code == 302 and f"expert={w['nowak'].id}" not in r.headers["Location"]
    html = page(as_expert.get(r.headers["Location"]))
    day_links = links(html, "/personel/rezerwacja/godzina")
    assert day_links and all(f"client={zofia.id}" in h for h in day_links)
    html = page(as_expert.get(day_links[0]))
    assert "Jan Kos" not in html  # the other expert's free times are not offered
    confirm = links(html, "/personel/rezerwacja/potwierdzenie")
    assert confirm and all(f"expert={w['nowak'].id}" in h for h in confirm)

    args = {k: v[0] for k, v in parse_qs(urlsplit(confirm[0]).query).items()}
    html = page(as_expert.get(confirm[0]))
    assert "Zofia Nowa" in html and "602 333 444" in html
    r = as_expert.post(
        f"/personel/rezerwacja/potwierdzenie?client={zofia.id}",
        data={**args, "topic": "Księgowość stowarzyszenia"},
    )
    assert r.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    assert consultation.client_id == zofia.id
    assert consultation.created_by_id == w["nowak"].id
    assert consultation.expert_id == w["nowak"].id
    assert urlsplit(r.headers["Location"]).path == f"/personel/konsultacje/{consultation.id}/wydruk"

    # the printable confirmation for the client
    html = page(as_expert.get(r.headers["Location"]))
    assert "Confirmation of your consultation" in html
    assert "Zofia Nowa" in html and "mec. Anna Nowak" in html and "ul. Rynek 1" in html
    assert "32 642 00 00" in html  # how to cancel: call the office
    assert "data-print" in html and "no-print" in html


def test_the_rodo_read_out_is_required(db, world, as_manager) -> None:
    before = count(db, User)
    r = as_manager.post(
        "/personel/klienci/nowy", data={"full_name": "Bez Zgody", "phone": "602 000 111"}
    )
    assert r.status_code == 200
    assert "Read the information clause to the client and tick the box." in page(r)
    assert count(db, User) == before


def test_a_known_phone_number_is_flagged_before_creating(db, world, as_manager) -> None:
    data = {"full_name": "Maria W.", "phone": "+48 600 100 200", "rodo_read": "y"}
    before = count(db, User)
    html = page(as_manager.post("/personel/klienci/nowy", data=data))
    assert "This person may already be entered" in html
    assert "same phone number" in html
    assert f"/personel/rezerwacja/dziedzina?client={world['maria'].id}" in html
    assert count(db, User) == before
    r = as_manager.post("/personel/klienci/nowy", data={**data, "create_anyway": "y"})
    assert r.status_code == 302
    assert count(db, User) == before + 1


# --- booking --------------------------------------------------------------------------------


def test_expert_cannot_book_into_another_experts_calendar(app, db, world, as_expert) -> None:
    w = world
    slot = free_slots(app, db, w, w["kos"])[0]
    r = as_expert.post(
        f"/personel/rezerwacja/potwierdzenie?client={w['maria'].id}", data=confirm_data(slot)
    )
    assert r.status_code == 403
    assert "Experts can only book into their own calendar." in page(r)
    assert count(db) == 0


def test_manager_books_with_any_expert(app, db, world, as_manager) -> None:
    w = world
    html = page(
        as_manager.get(
            f"/personel/rezerwacja/ekspert?client={w['maria'].id}&domain=law&branch={w['klucze'].id}"
        )
    )
    assert "Step 4 of 7" in html and "Jan Kos" in html and "mec. Anna Nowak" in html
    slot = free_slots(app, db, w, w["kos"])[0]
    r = as_manager.post(
        f"/personel/rezerwacja/potwierdzenie?client={w['maria'].id}", data=confirm_data(slot)
    )
    assert r.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    assert (consultation.client_id, consultation.created_by_id, consultation.expert_id) == (
        w["maria"].id,
        w["manager"].id,
        w["kos"].id,
    )


def test_staff_steps_need_a_client(world, as_manager) -> None:
    r = as_manager.get("/personel/rezerwacja/dziedzina")
    assert r.status_code == 302 and r.headers["Location"].endswith("/personel/rezerwacja")
    r = as_manager.get("/personel/rezerwacja/dziedzina?client=999999")
    assert r.status_code == 302


# --- day view and cancelling ----------------------------------------------------------------


@pytest.fixture()
def day_of_bookings(app, db, world):
    """Two consultations at Klucze on one day, one at Nowy Sącz that day, one on another day."""
    w = world
    nowak_slots = free_slots(app, db, w, w["nowak"])
    day = nowak_slots[0].start.astimezone(WARSAW).date()
    on_day = [s for s in nowak_slots if s.start.astimezone(WARSAW).date() == day]
    kos_slot = next(
        s for s in free_slots(app, db, w, w["kos"]) if s.start.astimezone(WARSAW).date() == day
    )
    later = next(s for s in nowak_slots if s.start.astimezone(WARSAW).date() > day)
    sacz = next(
        s
        for s in free_slots(app, db, w, w["nowak"], branch="sacz")
        if s.start.astimezone(WARSAW).date() == day
    )
    clients = [
        create_client(full_name=name, phone=phone)
        for name, phone in [
            ("Adam Pierwszy", "601 000 001"),
            ("Beata Druga", "601 000 002"),
            ("Celina Trzecia", "601 000 003"),
            ("Dawid Czwarty", "601 000 004"),
        ]
    ]
    manager = w["manager"]
    return {
        "day": day,
        "nowak": book(app, db, w, on_day[0], clients[0], manager),
        "kos": book(app, db, w, kos_slot, clients[1], manager),
        "sacz": book(app, db, w, sacz, clients[2], manager),
        "later": book(app, db, w, later, clients[3], manager),
    }


def test_day_view_shows_the_branch_and_day(world, day_of_bookings, as_manager) -> None:
    d, w = day_of_bookings, world
    url = f"/personel/dzien?branch={w['klucze'].id}&date={d['day'].isoformat()}"
    html = page(as_manager.get(url))
    assert "Adam Pierwszy" in html and "601 000 001" in html
    assert "Beata Druga" in html
    assert "Celina Trzecia" not in html  # another branch
    assert "Dawid Czwarty" not in html  # another day
    assert "2 consultations" in html
    start = d["nowak"].start_dt.astimezone(WARSAW)
    assert f"{start:%H:%M}–" in html
    prev_next = links(html, "/personel/dzien")
    assert f"date={(d['day'] - timedelta(days=1)).isoformat()}" in " ".join(prev_next)
    assert f"date={(d['day'] + timedelta(days=1)).isoformat()}" in " ".join(prev_next)
    html = page(
        as_manager.get(f"/personel/dzien?branch={w['sacz'].id}&date={d['day'].isoformat()}")
    )
    assert "Celina Trzecia" in html and "Adam Pierwszy" not in html


def test_experts_see_only_their_own_consultations(world, day_of_bookings, client) -> None:
    d, w = day_of_bookings, world
    login(client, "kos@example.org", PASSWORD)
    html = page(client.get(f"/personel/dzien?branch={w['klucze'].id}&date={d['day'].isoformat()}"))
    assert "Beata Druga" in html
    assert "Adam Pierwszy" not in html
    # and their own branch and today by default
    assert client.get("/personel/dzien").status_code == 200


def test_staff_cancel_needs_a_reason(world, day_of_bookings, as_manager, db) -> None:
    c = day_of_bookings["kos"]
    url = f"/personel/konsultacje/{c.id}/odwolanie"
    day_html = page(
        as_manager.get(
            f"/personel/dzien?branch={world['klucze'].id}&date={day_of_bookings['day'].isoformat()}"
        )
    )
    assert url in day_html
    assert 'name="reason"' in page(as_manager.get(url))
    r = as_manager.post(url, data={"reason": "  "})
    assert r.status_code == 422
    assert "Please give the reason for the cancellation." in page(r)
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).status == ConsultationStatus.BOOKED

    r = as_manager.post(url, data={"reason": "Ekspert chory"})
    assert r.status_code == 302 and "/personel/dzien?" in r.headers["Location"]
    db.session.expire_all()
    stored = db.session.get(Consultation, c.id)
    assert stored.status == ConsultationStatus.CANCELLED
    assert stored.cancel_reason == "Ekspert chory"
    assert stored.cancelled_by_id == world["manager"].id
    assert stored.sequence == 1
    html = page(as_manager.get(r.headers["Location"]))
    assert "Cancelled" in html and "Ekspert chory" in html
    assert url not in html  # no second cancel


def test_an_expert_cannot_cancel_another_experts_consultation(
    world, day_of_bookings, as_expert, db
) -> None:
    c = day_of_bookings["kos"]
    r = as_expert.post(f"/personel/konsultacje/{c.id}/odwolanie", data={"reason": "x"})
    assert r.status_code == 404
    assert as_expert.get(f"/personel/konsultacje/{c.id}/wydruk").status_code == 404
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).status == ConsultationStatus.BOOKED


# --- moving a consultation ----------------------------------------------------------------


def _local_day(dt):
    return dt.astimezone(WARSAW).date()


def _base(c) -> str:
    return f"/personel/konsultacje/{c.id}/zmiana-terminu"


def _move(client, c, slot):
    args = {"expert": slot.expert_id, "start": slot.start.isoformat()}
    confirm = client.get(_base(c) + "/potwierdzenie", query_string=args)
    assert confirm.status_code == 200, confirm.headers.get("Location")
    assert "Move the consultation to the new time?" in page(confirm)
    return client.post(_base(c) + "/potwierdzenie", data=args)


def _stored(db, c) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, c.id)


def test_a_manager_moves_any_consultation_to_another_expert(
    app, db, world, day_of_bookings, as_manager
) -> None:
    w, c = world, day_of_bookings["kos"]
    day_url = f"/personel/dzien?branch={w['klucze'].id}&date={day_of_bookings['day']}"
    day_html = page(as_manager.get(day_url))
    assert _base(c) in day_html and "Change the time" in day_html
    html = page(as_manager.get(_base(c)))
    assert "Beata Druga" in html  # whose consultation it is
    assert "Any expert of this area at this office can take it." in html
    target = next(
        s
        for s in free_slots(app, db, w, w["nowak"])
        if _local_day(s.start) > day_of_bookings["day"]
    )
    r = _move(as_manager, c, target)
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert location.path == "/personel/dzien"
    assert parse_qs(location.query)["date"] == [_local_day(target.start).isoformat()]
    stored = _stored(db, c)
    assert stored.start_dt == target.start and stored.expert_id == w["nowak"].id
    assert stored.status == ConsultationStatus.BOOKED and stored.sequence == 1
    html = page(as_manager.get(r.headers["Location"]))
    assert "The consultation has been moved to the new time." in html
    assert "Beata Druga" in html


def test_an_expert_moves_their_own_consultation_within_their_calendar(
    app, db, world, day_of_bookings, as_expert
) -> None:
    w, c = world, day_of_bookings["nowak"]
    html = page(as_expert.get(_base(c)))
    assert "The consultation stays in your calendar" in html
    day = day_of_bookings["day"]
    target = next(s for s in free_slots(app, db, w, w["nowak"]) if _local_day(s.start) > day)
    times = page(as_expert.get(_base(c), query_string={"date": _local_day(target.start)}))
    assert "Jan Kos" not in times  # only their own free times are offered
    r = _move(as_expert, c, target)
    assert r.status_code == 302 and r.headers["Location"].startswith("/personel/dzien?")
    assert _stored(db, c).start_dt == target.start


def test_an_expert_cannot_move_into_another_experts_calendar(
    app, db, world, day_of_bookings, as_expert
) -> None:
    w, c = world, day_of_bookings["nowak"]
    kos_slot = free_slots(app, db, w, w["kos"])[3]
    args = {"expert": kos_slot.expert_id, "start": kos_slot.start.isoformat()}
    as_expert.post(_base(c) + "/potwierdzenie", data=args)
    stored = _stored(db, c)
    assert stored.expert_id == w["nowak"].id and stored.sequence == 0


def test_an_expert_cannot_move_another_experts_consultation(
    app, db, world, day_of_bookings, as_expert
) -> None:
    w, c = world, day_of_bookings["kos"]
    assert as_expert.get(_base(c)).status_code == 404
    target = free_slots(app, db, w, w["nowak"])[5]
    args = {"expert": target.expert_id, "start": target.start.isoformat()}
    assert as_expert.get(_base(c) + "/potwierdzenie", query_string=args).status_code == 404
    assert as_expert.post(_base(c) + "/potwierdzenie", data=args).status_code == 404
    stored = _stored(db, c)
    assert stored.start_dt == day_of_bookings["kos"].start_dt and stored.sequence == 0


def test_moving_into_a_taken_slot_offers_other_times(
    app, db, world, day_of_bookings, as_manager
) -> None:
    w, c = world, day_of_bookings["kos"]
    target = free_slots(app, db, w, w["nowak"])[4]
    args = {"expert": target.expert_id, "start": target.start.isoformat()}
    assert as_manager.get(_base(c) + "/potwierdzenie", query_string=args).status_code == 200
    book(app, db, w, target, w["maria"], w["manager"])  # someone takes it meanwhile
    r = as_manager.post(_base(c) + "/potwierdzenie", data=args)
    assert r.status_code == 409
    html = page(r)
    assert "Other free times" in html
    assert _base(c) + "/potwierdzenie?" in html  # the alternatives lead to the staff confirm
    assert _stored(db, c).start_dt == day_of_bookings["kos"].start_dt


def test_the_day_view_flags_a_consultation_on_its_experts_day_off(
    db, world, day_of_bookings, as_manager
) -> None:
    w, d = world, day_of_bookings
    create_exception(w["nowak"], start_date=d["day"])
    html = page(as_manager.get(f"/personel/dzien?branch={w['klucze'].id}&date={d['day']}"))
    assert html.count("The expert is off then") == 1  # Nowak's, not Kos's
    flagged = html.split("The expert is off then")[1].split("</p>")[0]
    assert _base(d["nowak"]) in flagged and "move or cancel" in flagged
    html_pl = page(
        as_manager.get(f"/personel/dzien?branch={w['klucze'].id}&date={d['day']}&lang=pl")
    )
    assert "Ekspert ma wtedy wolne" in html_pl and "przenieś albo odwołaj" in html_pl


def test_the_clients_move_page_sends_staff_to_theirs(world, day_of_bookings, as_manager) -> None:
    c = day_of_bookings["kos"]
    r = as_manager.get(f"/moje-konsultacje/{c.id}/zmiana-terminu")
    assert r.status_code == 302 and r.headers["Location"] == _base(c)
