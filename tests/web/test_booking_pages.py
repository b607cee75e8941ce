"""The clients' booking pages through the test client, without JavaScript.

The views read the real clock, so the availability covers every weekday but Sunday and the
tests take their slots from the pages or from `find_slots(now=utcnow())`, never fixed dates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from incubator.clock import utcnow
from incubator.domain.calendar import WARSAW
from incubator.models import (
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
)
from incubator.services import booking
from incubator.services import slots as slot_service
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_group,
    create_rule,
)
from tests.helpers import NOTICES
from tests.web.pages import count, links, page


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1, 32-310 Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 5, Nowy Sącz")
    piwniczna = create_branch(
        code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id, address="ul. Zdrojowa 2"
    )
    law = create_domain(code="law", name_pl="Prawo", name_en="Law", position=1)
    accounting = create_domain(
        code="accounting", name_pl="Rachunkowość", name_en="Accounting", position=2
    )
    nowak = create_expert(domains=[law], branches=[klucze], title="mec.", full_name="Anna Nowak")
    kos = create_expert(domains=[law, accounting], branches=[piwniczna], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
        create_rule(kos, piwniczna, weekday=weekday)
    client = create_client(
        full_name="Maria Wiśniewska", email="maria@example.org", preferred_language="en"
    )
    return {
        "klucze": klucze,
        "sacz": sacz,
        "piwniczna": piwniczna,
        "law": law,
        "accounting": accounting,
        "nowak": nowak,
        "kos": kos,
        "client": client,
    }


def policy(app):
    return booking.policy_from_config(app.config)


def free_slots(app, db, w, branch="klucze", expert=None):
    now = utcnow()
    today = now.astimezone(WARSAW).date()
    return slot_service.find_slots(
        db.session,
        area=w["law"],
        branch=w[branch],
        start_date=today,
        end_date=today + timedelta(days=20),
        now=now,
        policy=policy(app),
        expert_id=expert.id if expert else None,
    )


def label(slot, expert_name: str, branch_name: str, locale: str = "en") -> str:
    """A slot's accessible name: its visible time and expert, with the day and the office
    around them for screen readers (WCAG 2.5.3: the name contains the visible text)."""
    start, end = slot.start.astimezone(WARSAW), slot.end.astimezone(WARSAW)
    day = format_date(start.date(), "EEEE d MMMM", locale=locale)
    return f"{day}, {start:%H:%M}–{end:%H:%M} {expert_name}, {branch_name}"


def slot_names(html: str, tag: str = "a") -> list[str]:
    """The text content (= accessible name, no aria-label) of every slot link or button."""
    found = re.findall(rf'<{tag} [^>]*class="slot"[^>]*>(.*?)</{tag}>', html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", f).split()).replace(" ,", ",") for f in found]


def confirm_args(w, slot) -> dict:
    return {
        "domain": "law",
        "branch": str(slot.branch_id),
        "expert": str(slot.expert_id),
        "start": slot.start.isoformat(),
    }


def book_for(app, db, client, slot, w):
    return booking.book(
        db.session,
        booking.BookingRequest(
            expert_id=slot.expert_id,
            branch_id=slot.branch_id,
            domain_code="law",
            start=slot.start,
        ),
        actor=client,
        now=utcnow(),
        notices=NOTICES,
        policy=policy(app),
    )


@pytest.fixture()
def logged_in(client, world):
    login(client, "maria@example.org", PASSWORD)
    return client


# --- the flow, step by step ------------------------------------------------------------------


def test_client_books_end_to_end_without_javascript(app, db, world, logged_in) -> None:
    c, w = logged_in, world

    # 1. area
    r = c.get("/rezerwacja")
    html = page(r)
    assert r.status_code == 200
    assert "Step 1 of 6" in html
    assert re.search(r'<li class="current" data-step="domain" aria-current="step">', html)
    assert links(html, "/rezerwacja/oddzial") == [
        "/rezerwacja/oddzial?domain=law",
        "/rezerwacja/oddzial?domain=accounting",
    ]

    # 2. office: the filia is nested under its office; offices without the area are not links
    r = c.get("/rezerwacja/oddzial?domain=law")
    html = page(r)
    assert "Step 2 of 6" in html
    branch_links = links(html, "/rezerwacja/ekspert")
    assert any(f"branch={w['klucze'].id}" in h for h in branch_links)
    assert any(f"branch={w['piwniczna'].id}" in h for h in branch_links)
    assert not any(f"branch={w['sacz'].id}" in h for h in branch_links)
    sacz_at = html.index("Nowy Sącz")
    filie_at = html.index('<ul class="filie"', sacz_at)
    assert html.index("Piwniczna-Zdrój", filie_at) > filie_at
    assert html.index("Klucze") < sacz_at  # top-level offices by name

    # 3. expert: any, or one of those at the office
    r = c.get(f"/rezerwacja/ekspert?domain=law&branch={w['klucze'].id}")
    html = page(r)
    assert "Any expert" in html and "mec. Anna Nowak" in html
    assert "Jan Kos" not in html  # he is at Piwniczna
    date_links = links(html, "/rezerwacja/dzien")
    assert any("expert=" not in h for h in date_links)
    assert any(f"expert={w['nowak'].id}" in h for h in date_links)

    # 4. day: days with free times and their counts
    expected = free_slots(app, db, w)
    r = c.get(f"/rezerwacja/dzien?domain=law&branch={w['klucze'].id}")
    html = page(r)
    assert "Step 4 of 6" in html
    day_links = links(html, "/rezerwacja/godzina")
    assert day_links
    first_day = expected[0].start.astimezone(WARSAW).date()
    assert f"date={first_day.isoformat()}" in day_links[0]
    per_day = sum(1 for s in expected if s.start.astimezone(WARSAW).date() == first_day)
    # One free time left on the first day (late in the day) is worded in the singular.
    assert ("1 free time<" if per_day == 1 else f"{per_day} free times") in html
    assert "data-slot-picker" in html and 'data-api="/api/v1/slots"' in html

    # 5. time: every slot is a link with a full label
    r = c.get(day_links[0])
    html = page(r)
    assert "Step 5 of 6" in html
    slot = expected[0]
    assert label(slot, "mec. Anna Nowak", "Klucze") in slot_names(html)
    assert 'class="slot" aria-label' not in html  # the name is the visible text, not a label
    confirm_links = links(html, "/rezerwacja/potwierdzenie")
    assert len(confirm_links) == per_day

    # 6. confirm: summary and form
    r = c.get(confirm_links[0])
    html = page(r)
    assert r.status_code == 200
    assert "Step 6 of 6" in html
    assert "mec. Anna Nowak" in html and "ul. Rynek 1, 32-310 Klucze" in html
    assert 'name="topic"' in html and 'method="post"' in html
    args = {k: v[0] for k, v in parse_qs(urlsplit(confirm_links[0]).query).items()}
    assert args["expert"] == str(w["nowak"].id)

    r = c.post("/rezerwacja/potwierdzenie", data={**args, "topic": "Statut spółdzielni"})
    assert r.status_code == 302
    assert count(db) == 1
    consultation = db.session.scalar(select(Consultation))
    assert consultation.client_id == w["client"].id
    assert consultation.created_by_id == w["client"].id
    assert consultation.expert_id == w["nowak"].id
    assert consultation.start_dt == slot.start
    assert consultation.topic == "Statut spółdzielni"
    assert r.headers["Location"].endswith(f"/rezerwacja/{consultation.id}/gotowe")

    # success: a printable confirmation with everything the client needs
    html = page(c.get(r.headers["Location"]))
    assert "Your consultation is booked" in html
    assert links(html, f"/moje-konsultacje/{consultation.id}/potwierdzenie.pdf")  # to print
    assert format_date(slot.start.astimezone(WARSAW).date(), "EEEE d MMMM y", locale="en") in html
    assert f"{slot.start.astimezone(WARSAW):%H:%M}–{slot.end.astimezone(WARSAW):%H:%M}" in html
    assert "mec. Anna Nowak" in html and "ul. Rynek 1, 32-310 Klucze" in html
    assert f'href="/api/v1/consultations/{consultation.id}.ics"' in html
    assert "What to bring" in html and "If you cannot come" in html
    assert "24 hours" in html
    assert "data-print" in html


def test_slot_labels_are_in_polish_for_polish_users(app, db, world, client) -> None:
    create_client(full_name="Polka", email="polka@example.org", preferred_language="pl")
    login(client, "polka@example.org", PASSWORD)
    slot = free_slots(app, db, world)[0]
    day = slot.start.astimezone(WARSAW).date()
    html = page(
        client.get(
            f"/rezerwacja/godzina?domain=law&branch={world['klucze'].id}&date={day.isoformat()}"
        )
    )
    expected = label(slot, "mec. Anna Nowak", "Klucze", locale="pl")
    assert expected in slot_names(html)
    weekday = format_date(day, "EEEE", locale="pl")
    assert weekday in ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota")
    assert expected.startswith(weekday)
    assert '<html lang="pl">' in html


def test_an_expert_chosen_on_the_way_limits_the_slots(app, db, world, logged_in) -> None:
    w = world
    expected = free_slots(app, db, w, branch="piwniczna", expert=w["kos"])
    day = expected[0].start.astimezone(WARSAW).date()
    html = page(
        logged_in.get(
            f"/rezerwacja/godzina?domain=law&branch={w['piwniczna'].id}"
            f"&expert={w['kos'].id}&date={day.isoformat()}"
        )
    )
    assert label(expected[0], "Jan Kos", "Piwniczna-Zdrój") in slot_names(html)
    assert "Anna Nowak" not in html


def test_date_step_pages_through_the_horizon(app, db, world, logged_in) -> None:
    base = f"/rezerwacja/dzien?domain=law&branch={world['klucze'].id}"
    html = page(logged_in.get(base))
    later = [h for h in links(html, "/rezerwacja/dzien") if "from=" in h]
    assert len(later) == 1  # only "later": we are at the start of the horizon
    today = utcnow().astimezone(WARSAW).date()
    assert f"from={(today + timedelta(days=14)).isoformat()}" in later[0]
    html = page(logged_in.get(later[0]))
    pager = [h for h in links(html, "/rezerwacja/dzien") if "from=" in h]
    assert any(f"from={today.isoformat()}" in h for h in pager)  # back to the first window
    days = links(html, "/rezerwacja/godzina")
    assert days and all(
        (today + timedelta(days=14)).isoformat() <= parse_qs(urlsplit(h).query)["date"][0]
        for h in days
    )


def test_missing_choices_send_back_to_the_right_step(world, logged_in) -> None:
    r = logged_in.get("/rezerwacja/oddzial?domain=nonsense")
    assert r.status_code == 302 and r.headers["Location"].endswith("/rezerwacja")
    r = logged_in.get("/rezerwacja/ekspert?domain=law&branch=99999")
    assert r.status_code == 302 and "/rezerwacja/oddzial?domain=law" in r.headers["Location"]
    r = logged_in.get(f"/rezerwacja/potwierdzenie?domain=law&branch={world['klucze'].id}")
    assert r.status_code == 302 and "/rezerwacja/dzien" in r.headers["Location"]


# --- refusals -------------------------------------------------------------------------------


def test_slot_taken_in_between_shows_message_and_alternatives(app, db, world, logged_in) -> None:
    w = world
    slot = free_slots(app, db, w)[0]
    r = logged_in.get("/rezerwacja/potwierdzenie", query_string=confirm_args(w, slot))
    assert r.status_code == 200
    other = create_client(full_name="Szybsza Osoba")
    book_for(app, db, other, slot, w)  # someone else is quicker

    r = logged_in.post("/rezerwacja/potwierdzenie", data={**confirm_args(w, slot), "topic": "KRS"})
    html = page(r)
    assert r.status_code == 409
    assert "Sorry, this time has just been taken by someone else" in html
    assert "Other free times" in html
    buttons = slot_names(html, tag="button")
    assert buttons and len(buttons) <= slot_service.NEXT_SLOTS_OFFERED
    first = label(free_slots(app, db, w)[0], "mec. Anna Nowak", "Klucze")
    day, rest = first.split(", ", 1)
    assert buttons[0] == f"Book: {day}, {rest}"
    assert 'name="topic" value="KRS"' in html  # the alternatives keep the topic
    assert count(db) == 1
    assert (
        db.session.scalar(select(func.count()).where(Consultation.client_id == w["client"].id)) == 0
    )

    # one click on the first alternative books it
    start = re.search(r'name="start" value="([^"]+)"', html.split("Other free times")[1]).group(1)
    r = logged_in.post(
        "/rezerwacja/potwierdzenie",
        data={**confirm_args(w, slot), "start": start, "topic": "KRS"},
    )
    assert r.status_code == 302
    mine = db.session.scalar(select(Consultation).where(Consultation.client_id == w["client"].id))
    assert mine.start_dt == datetime.fromisoformat(start)
    assert mine.topic == "KRS"


def test_too_many_bookings_is_refused_with_a_message(app, db, world, logged_in) -> None:
    w = world
    slots = free_slots(app, db, w)
    limit = policy(app).max_active
    # one per day, so they never overlap
    by_day = {}
    for s in slots:
        by_day.setdefault(s.start.astimezone(WARSAW).date(), s)
    picks = list(by_day.values())
    for s in picks[:limit]:
        book_for(app, db, w["client"], s, w)
    r = logged_in.post("/rezerwacja/potwierdzenie", data=confirm_args(w, picks[limit]))
    html = page(r)
    assert r.status_code == 409
    assert f"You already have {limit} upcoming consultations" in html
    assert count(db) == limit


def test_not_logged_in_goes_to_login_and_nothing_is_written(app, db, world, client) -> None:
    r = client.get("/rezerwacja")
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == "/konto/logowanie"
    slot = free_slots(app, db, world)[0]
    r = client.post("/rezerwacja/potwierdzenie", data=confirm_args(world, slot))
    assert r.status_code == 302 and "/konto/logowanie" in r.headers["Location"]
    assert client.get("/moje-konsultacje").status_code == 302
    assert count(db) == 0


def test_the_final_post_needs_the_csrf_token(app, db, world, logged_in) -> None:
    slot = free_slots(app, db, world)[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = page(
            logged_in.get("/rezerwacja/potwierdzenie", query_string=confirm_args(world, slot))
        )
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        r = logged_in.post("/rezerwacja/potwierdzenie", data=confirm_args(world, slot))
        assert r.status_code == 400
        assert count(db) == 0
        r = logged_in.post(
            "/rezerwacja/potwierdzenie", data={**confirm_args(world, slot), "csrf_token": token}
        )
        assert r.status_code == 302
        assert count(db) == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_founding_group_members_can_be_added_as_attendees(app, db, world, logged_in) -> None:
    w = world
    friend = create_client(full_name="Zofia Członkini")
    group = create_group(
        name="Spółdzielnia Socjalna „Opoka”",
        branch_id=w["klucze"].id,
        created_at_dt=datetime(2026, 1, 1, tzinfo=UTC),
        members=[w["client"], friend],
    )
    slot = free_slots(app, db, w)[0]
    html = page(logged_in.get("/rezerwacja/potwierdzenie", query_string=confirm_args(w, slot)))
    assert "Zofia Członkini" in html and 'name="attendees"' in html
    r = logged_in.post(
        "/rezerwacja/potwierdzenie", data={**confirm_args(w, slot), "attendees": [friend.id]}
    )
    assert r.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    assert {a.user_id for a in consultation.attendees} == {w["client"].id, friend.id}
    assert consultation.founding_group_id == group.id


# --- my consultations -----------------------------------------------------------------------


def _insert(db, w, client, start, status=ConsultationStatus.BOOKED) -> Consultation:
    """A consultation written directly (the service refuses times in the past or too soon)."""
    now = utcnow()
    consultation = Consultation(
        expert_id=w["nowak"].id,
        branch_id=w["klucze"].id,
        domain_id=w["law"].id,
        client_id=client.id,
        created_by_id=client.id,
        start_dt=start,
        end_dt=start + timedelta(hours=1),
        status=status,
        topic="",
        created_at_dt=now,
        updated_at_dt=now,
    )
    consultation.attendees = [ConsultationAttendee(user_id=client.id)]
    db.session.add(consultation)
    db.session.commit()
    return consultation


def test_my_consultations_lists_upcoming_and_past_with_status(app, db, world, logged_in) -> None:
    w = world
    upcoming = book_for(app, db, w["client"], free_slots(app, db, w)[0], w)
    now = utcnow().replace(second=0, microsecond=0)
    attended = _insert(db, w, w["client"], now - timedelta(days=7), ConsultationStatus.ATTENDED)
    _insert(db, w, w["client"], now - timedelta(days=14), ConsultationStatus.NO_SHOW)
    someone = create_client(full_name="Ktoś Inny")
    _insert(db, w, someone, now - timedelta(days=3), ConsultationStatus.ATTENDED)

    r = logged_in.get("/moje-konsultacje")
    html = page(r)
    assert r.status_code == 200
    upcoming_part, past_part = html.split('id="past-heading"')
    assert "status-booked" in upcoming_part and ">Booked<" in upcoming_part
    assert f"/moje-konsultacje/{upcoming.id}/odwolanie" in upcoming_part
    assert f"/moje-konsultacje/{upcoming.id}/zmiana-terminu" in upcoming_part
    assert ">Attended<" in past_part and ">No-show<" in past_part
    assert f"/moje-konsultacje/{attended.id}/" not in html  # no actions on the past
    assert html.count('class="card consultation"') == 3  # not someone else's


def test_client_cancels_with_a_confirmation_step(app, db, world, logged_in) -> None:
    w = world
    consultation = book_for(app, db, w["client"], free_slots(app, db, w)[0], w)
    url = f"/moje-konsultacje/{consultation.id}/odwolanie"
    html = page(logged_in.get(url))
    assert "Cancel the consultation?" in html and 'name="reason"' in html
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status == ConsultationStatus.BOOKED

    r = logged_in.post(url, data={"reason": "Choroba"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/moje-konsultacje")
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    assert stored.status == ConsultationStatus.CANCELLED
    assert stored.sequence == 1
    assert stored.cancel_reason == "Choroba"
    assert stored.cancelled_by_id == w["client"].id
    html = page(logged_in.get("/moje-konsultacje"))
    assert "The consultation has been cancelled." in html
    assert ">Cancelled<" in html


def test_cancelling_within_24_hours_is_refused_with_the_rule(app, db, world, logged_in) -> None:
    w = world
    soon = _insert(db, w, w["client"], utcnow().replace(microsecond=0) + timedelta(hours=5))
    html = page(logged_in.get("/moje-konsultacje"))
    assert "up to 24 hours before they start" in html
    assert f"/moje-konsultacje/{soon.id}/odwolanie" not in html
    r = logged_in.post(f"/moje-konsultacje/{soon.id}/odwolanie", data={"reason": "x"})
    assert r.status_code == 302
    assert "up to 24 hours before they start" in page(logged_in.get("/moje-konsultacje"))
    db.session.expire_all()
    assert db.session.get(Consultation, soon.id).status == ConsultationStatus.BOOKED


def test_client_reschedules_keeping_id_and_uid(app, db, world, logged_in) -> None:
    w = world
    slots = free_slots(app, db, w)
    consultation = book_for(app, db, w["client"], slots[0], w)
    uid, old_start = consultation.uid, consultation.start_dt
    base = f"/moje-konsultacje/{consultation.id}/zmiana-terminu"

    html = page(logged_in.get(base))
    assert "Step 1 of 3" in html
    days = links(html, base)
    days = [h for h in days if "date=" in h]
    assert days
    html = page(logged_in.get(days[-1]))  # the last day offered
    assert "Step 2 of 3" in html
    choices = links(html, base + "/potwierdzenie")
    assert choices
    html = page(logged_in.get(choices[0]))
    assert "Move the consultation to the new time?" in html
    args = {k: v[0] for k, v in parse_qs(urlsplit(choices[0]).query).items()}
    r = logged_in.post(base + "/potwierdzenie", data=args)
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/rezerwacja/{consultation.id}/gotowe")

    db.session.expire_all()
    moved = db.session.get(Consultation, consultation.id)
    assert count(db) == 1
    assert moved.uid == uid
    assert moved.start_dt == datetime.fromisoformat(args["start"])
    assert moved.start_dt != old_start
    assert moved.sequence == 1
    assert moved.status == ConsultationStatus.BOOKED


def test_a_client_cannot_touch_someone_elses_consultation(app, db, world, logged_in) -> None:
    w = world
    other = create_client(full_name="Ktoś Inny")
    theirs = book_for(app, db, other, free_slots(app, db, w)[0], w)
    base = f"/moje-konsultacje/{theirs.id}"
    assert logged_in.get(base + "/odwolanie").status_code == 404
    assert logged_in.post(base + "/odwolanie", data={"reason": "ha"}).status_code == 404
    assert logged_in.get(base + "/zmiana-terminu").status_code == 404
    slot = free_slots(app, db, w)[0]
    r = logged_in.post(
        base + "/zmiana-terminu/potwierdzenie",
        data={"expert": slot.expert_id, "start": slot.start.isoformat()},
    )
    assert r.status_code == 404
    assert logged_in.get(f"/rezerwacja/{theirs.id}/gotowe").status_code == 404
    db.session.expire_all()
    stored = db.session.get(Consultation, theirs.id)
    assert stored.status == ConsultationStatus.BOOKED and stored.sequence == 0


def test_staff_are_sent_to_their_own_pages(db, world, client) -> None:
    from tests.factories import create_manager

    create_manager(email="kierownik@example.org")
    login(client, "kierownik@example.org", PASSWORD)
    r = client.get("/rezerwacja")
    assert r.status_code == 302 and r.headers["Location"].endswith("/personel/rezerwacja")
    r = client.get("/moje-konsultacje")
    assert r.status_code == 302 and r.headers["Location"].endswith("/personel/dzien")


def test_navigation_links_for_clients(world, logged_in) -> None:
    html = page(logged_in.get("/"))
    assert 'href="/rezerwacja"' in html and "Book a consultation" in html
    assert 'href="/moje-konsultacje"' in html and "My consultations" in html
    assert "/personel/" not in html
