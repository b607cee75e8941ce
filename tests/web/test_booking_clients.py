"""Issue #10, clients: the booking limit up front, the confirm step's times, crafted confirm links,
cancelled consultations apart, and a privacy notice that matches what is collected."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from incubator.clock import utcnow
from incubator.domain.calendar import WARSAW
from incubator.models import Consultation, ConsultationStatus
from tests.conftest import login
from tests.factories import PASSWORD, create_client, create_manager
from tests.web import test_booking_pages as booking_pages
from tests.web.pages import count, links, page
from tests.web.test_booking_pages import book_for, confirm_args, free_slots, policy

world = booking_pages.world  # the same offices, experts and client as the booking pages' tests
logged_in = booking_pages.logged_in


def one_per_day(app, db, w) -> list:
    """Free slots on distinct days, so bookings of them never overlap."""
    by_day: dict = {}
    for s in free_slots(app, db, w):
        by_day.setdefault(s.start.astimezone(WARSAW).date(), s)
    return list(by_day.values())


def hhmm(value: datetime) -> str:
    return f"{value.astimezone(WARSAW):%H:%M}"


def fill_to_the_limit(app, db, w) -> list[Consultation]:
    picks = one_per_day(app, db, w)
    return [book_for(app, db, w["client"], s, w) for s in picks[: policy(app).max_active]]


# --- 1. the booking limit on the first step --------------------------------------------------


def test_first_step_says_the_limit_is_reached_with_the_way_out(app, db, world, logged_in):
    w = world
    html = page(logged_in.get("/rezerwacja"))
    assert "No more bookings for now" not in html
    assert links(html, "/rezerwacja/oddzial")

    booked = fill_to_the_limit(app, db, w)
    r = logged_in.get("/rezerwacja")
    html = page(r)
    assert r.status_code == 200
    limit = policy(app).max_active
    assert "No more bookings for now" in html
    assert f"You already have {limit} upcoming consultations" in html
    assert links(html, "/rezerwacja/oddzial") == []  # no way into a flow that would fail
    for c in booked:
        assert links(html, f"/moje-konsultacje/{c.id}/zmiana-terminu")
        assert links(html, f"/moje-konsultacje/{c.id}/odwolanie")
        assert f"{hhmm(c.start_dt)}–{hhmm(c.end_dt)}" in html
    assert links(html, "/moje-konsultacje")


def test_a_cancelled_booking_frees_the_first_step_again(app, db, world, logged_in):
    booked = fill_to_the_limit(app, db, world)
    logged_in.post(f"/moje-konsultacje/{booked[-1].id}/odwolanie", data={"reason": ""})
    html = page(logged_in.get("/rezerwacja"))
    assert "No more bookings for now" not in html
    assert links(html, "/rezerwacja/oddzial")


def test_a_confirm_link_at_the_limit_goes_back_to_the_first_step(app, db, world, logged_in):
    w = world
    fill_to_the_limit(app, db, w)
    extra = one_per_day(app, db, w)[policy(app).max_active]
    r = logged_in.get("/rezerwacja/potwierdzenie", query_string=confirm_args(w, extra))
    assert r.status_code == 302 and r.headers["Location"].endswith("/rezerwacja")


def test_staff_see_the_limit_for_the_client_on_the_first_step(app, db, world, client):
    w = world
    booked = fill_to_the_limit(app, db, w)
    create_manager(email="kierownik@example.org", preferred_language="en")
    login(client, "kierownik@example.org", PASSWORD)
    html = page(client.get(f"/personel/rezerwacja/dziedzina?client={w['client'].id}"))
    assert "No more bookings for now" in html
    assert links(html, "/personel/rezerwacja/oddzial") == []
    for c in booked:
        assert links(html, f"/personel/konsultacje/{c.id}/odwolanie")
    other = create_client(full_name="Ktoś Wolny")
    html = page(client.get(f"/personel/rezerwacja/dziedzina?client={other.id}"))
    assert "No more bookings for now" not in html
    assert links(html, "/personel/rezerwacja/oddzial")


# --- 2. start, end and length on the confirm step --------------------------------------------


def test_confirm_step_shows_start_end_and_length(app, db, world, logged_in):
    slot = free_slots(app, db, world)[0]
    minutes = int((slot.end - slot.start).total_seconds() // 60)
    html = page(logged_in.get("/rezerwacja/potwierdzenie", query_string=confirm_args(world, slot)))
    assert f"{hhmm(slot.start)}–{hhmm(slot.end)} ({minutes} min)" in html


def test_move_confirm_shows_start_end_and_length(app, db, world, logged_in):
    slots = one_per_day(app, db, world)
    c = book_for(app, db, world["client"], slots[0], world)
    new = slots[1]
    html = page(
        logged_in.get(
            f"/moje-konsultacje/{c.id}/zmiana-terminu/potwierdzenie",
            query_string={"expert": new.expert_id, "start": new.start.isoformat()},
        )
    )
    minutes = int((new.end - new.start).total_seconds() // 60)
    assert f"{hhmm(new.start)}–{hhmm(new.end)} ({minutes} min)" in html


# --- 3. the day step tells slots.js the next heading -----------------------------------------


def test_day_step_gives_the_picker_the_time_steps_heading(world, logged_in):
    html = page(logged_in.get(f"/rezerwacja/dzien?domain=law&branch={world['klucze'].id}"))
    assert 'data-text-next-step="Step 5 of 6"' in html
    assert 'data-text-next-heading="Choose a time"' in html
    assert "<h1>Choose a day</h1>" in html


# --- 4. cancelled consultations apart ---------------------------------------------------------


def test_cancelled_consultations_are_not_among_the_upcoming(app, db, world, logged_in):
    slots = one_per_day(app, db, world)
    kept = book_for(app, db, world["client"], slots[0], world)
    dropped = book_for(app, db, world["client"], slots[1], world)
    logged_in.post(f"/moje-konsultacje/{dropped.id}/odwolanie", data={"reason": ""})
    html = page(logged_in.get("/moje-konsultacje"))
    upcoming = html.split('id="upcoming-heading"')[1].split('id="past-heading"')[0]
    cancelled = html.split('id="cancelled-heading"')[1]
    assert f"/rezerwacja/{kept.id}/gotowe" in upcoming
    assert ">Cancelled<" not in upcoming and "status-cancelled" not in upcoming
    assert "Cancelled consultations" in html
    assert "status-cancelled" in cancelled
    assert f"/moje-konsultacje/{dropped.id}/" not in html  # no actions on a cancelled one


def test_no_cancelled_section_without_cancelled_consultations(app, db, world, logged_in):
    book_for(app, db, world["client"], free_slots(app, db, world)[0], world)
    assert 'id="cancelled-heading"' not in page(logged_in.get("/moje-konsultacje"))


# --- 5. crafted confirm links are refused at once ----------------------------------------------


def next_sunday_3am() -> datetime:
    day = utcnow().astimezone(WARSAW).date() + timedelta(days=2)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=WARSAW)


def crafted(app, db, w) -> dict[str, tuple[datetime, str, str]]:
    """A start, the message and where the person is sent back to, for each kind of bad link."""
    slot = free_slots(app, db, w)[0]
    now = utcnow().replace(second=0, microsecond=0)
    return {
        "past": (now - timedelta(days=1), "This time is in the past.", "/rezerwacja/dzien"),
        "notice": (
            now + timedelta(hours=2),
            "Consultations must be booked at least 24 hours in advance.",
            "/rezerwacja/dzien",
        ),
        "sunday": (
            next_sunday_3am(),
            "The incubator is closed on Sundays and public holidays.",
            "/rezerwacja/dzien",
        ),
        "not_a_slot": (
            slot.start + timedelta(minutes=7),
            "This time is not one of the expert's free consultation times.",
            "/rezerwacja/godzina",
        ),
    }


@pytest.mark.parametrize("kind", ["past", "notice", "sunday", "not_a_slot"])
def test_a_crafted_confirm_link_is_refused_on_get(app, db, world, logged_in, kind):
    w = world
    start, message, back = crafted(app, db, w)[kind]
    slot = free_slots(app, db, w)[0]
    args = {**confirm_args(w, slot), "start": start.isoformat()}
    r = logged_in.get("/rezerwacja/potwierdzenie", query_string=args)
    assert r.status_code == 302
    assert back in r.headers["Location"]
    html = page(logged_in.get(r.headers["Location"], follow_redirects=True))
    assert message in html
    assert "Check the details and confirm" not in html
    # the submit gives the same message
    r = logged_in.post("/rezerwacja/potwierdzenie", data=args)
    assert message in page(r)
    assert count(db) == 0


@pytest.mark.parametrize("kind", ["past", "notice", "sunday", "not_a_slot"])
def test_a_crafted_move_link_is_refused_on_get(app, db, world, logged_in, kind):
    w = world
    start, message, _ = crafted(app, db, w)[kind]
    c = book_for(app, db, w["client"], one_per_day(app, db, w)[1], w)
    base = f"/moje-konsultacje/{c.id}/zmiana-terminu"
    args = {"expert": w["nowak"].id, "start": start.isoformat()}
    r = logged_in.get(base + "/potwierdzenie", query_string=args)
    assert r.status_code == 302
    assert r.headers["Location"].startswith(base)
    html = page(logged_in.get(r.headers["Location"], follow_redirects=True))
    assert message in html
    assert "Move the consultation to the new time?" not in html
    db.session.expire_all()
    assert db.session.get(Consultation, c.id).status == ConsultationStatus.BOOKED


def test_staff_confirm_link_is_refused_on_get(app, db, world, client):
    w = world
    create_manager(email="kierownik@example.org", preferred_language="en")
    login(client, "kierownik@example.org", PASSWORD)
    slot = free_slots(app, db, w)[0]
    args = {**confirm_args(w, slot), "start": next_sunday_3am().isoformat()}
    args["client"] = w["client"].id
    r = client.get("/personel/rezerwacja/potwierdzenie", query_string=args)
    assert r.status_code == 302 and "/personel/rezerwacja/dzien" in r.headers["Location"]
    html = page(client.get(r.headers["Location"]))
    assert "The incubator is closed on Sundays and public holidays." in html


# --- 6. the privacy notice says what is collected ---------------------------------------------


def test_privacy_notice_matches_what_is_collected(client, db):
    html = page(client.get("/rodo", headers={"Accept-Language": "pl"}))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # The participant record (issue #11) holds disability, a special category (art. 9): the
    # clause says so, as voluntary and on consent, next to what every booking collects.
    assert "niepełnosprawności" in text and "art. 9 ust. 2 lit. a RODO" in text
    assert "odmówić odpowiedzi" in text
    for collected in ("imię i nazwisko", "adres e-mail", "numer telefonu", "logowa", "PESEL"):
        assert collected in text
