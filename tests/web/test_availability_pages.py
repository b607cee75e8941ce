"""Consultation hours pages (/personel/godziny): experts' own calendars, managers' any."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.domain.calendar import WARSAW
from incubator.models import (
    AuditEvent,
    AvailabilityException,
    AvailabilityRule,
    Consultation,
    ConsultationStatus,
)
from incubator.services import booking
from incubator.services.calendar_days import polish_holidays
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES
from tests.web.pages import count, links, page

URL = "/personel/godziny"


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    piwniczna = create_branch(code="piwniczna", name="Piwniczna-Zdrój")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law],
        branches=[klucze, sacz],
        title="mec.",
        full_name="Anna Nowak",
        email="nowak@example.org",
        preferred_language="en",
    )
    # Jan Kos reads the pages in Polish, the default.
    kos = create_expert(
        domains=[law], branches=[klucze, sacz], full_name="Jan Kos", email="kos@example.org"
    )
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)  # Monday to Saturday 09:00-12:00
    create_rule(nowak, sacz, weekday=1, start_time=time(13), end_time=time(15))
    create_rule(kos, klucze, weekday=1, start_time=time(10), end_time=time(12))
    manager = create_manager(
        full_name="Kinga Kierownik", email="kierownik@example.org", preferred_language="en"
    )
    return {
        "klucze": klucze,
        "sacz": sacz,
        "piwniczna": piwniczna,
        "law": law,
        "nowak": nowak,
        "kos": kos,
        "manager": manager,
        "client": create_client(full_name="Maria Wiśniewska", email="klient@example.org"),
    }


@pytest.fixture()
def as_expert(client, world):
    login(client, "nowak@example.org", PASSWORD)
    return client


@pytest.fixture()
def as_manager(client, world):
    login(client, "kierownik@example.org", PASSWORD)
    return client


def today() -> date:
    return utcnow().astimezone(WARSAW).date()


def open_day(after_days: int = 3) -> date:
    """A Monday-to-Saturday working day a few days ahead: inside the booking horizon."""
    day = today() + timedelta(days=after_days)
    while day.weekday() == 6 or day in polish_holidays(day, day):
        day += timedelta(days=1)
    return day


def rule_form(w, **kw) -> dict:
    data = {
        "rule-branch": str(w["sacz"].id),
        "rule-weekday": "2",
        "rule-start": "13:00",
        "rule-end": "15:00",
        "rule-length": "60",
        "rule-buffer": "0",
        "rule-valid_from": "",
        "rule-valid_to": "",
    }
    data.update({f"rule-{k}": v for k, v in kw.items()})
    return data


def off_form(day: date, **kw) -> dict:
    data = {
        "off-start_date": day.isoformat(),
        "off-end_date": "",
        "off-start_time": "",
        "off-end_time": "",
        "off-branch": "0",
        "off-reason": "",
    }
    data.update({f"off-{k}": v for k, v in kw.items()})
    return data


def extra_form(w, day: date, **kw) -> dict:
    data = {
        "extra-branch": str(w["sacz"].id),
        "extra-start_date": day.isoformat(),
        "extra-end_date": "",
        "extra-start_time": "16:00",
        "extra-end_time": "18:00",
        "extra-length": "60",
        "extra-buffer": "0",
        "extra-reason": "",
    }
    data.update({f"extra-{k}": v for k, v in kw.items()})
    return data


def rules_of(db, expert) -> list[AvailabilityRule]:
    return list(
        db.session.scalars(select(AvailabilityRule).where(AvailabilityRule.expert_id == expert.id))
    )


def audited(db) -> list[str]:
    """The calendar changes in the audit trail (logging in is audited too)."""
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("availability.%"))
            .order_by(AuditEvent.id)
        )
    )


# --- access ---------------------------------------------------------------------------------


def test_clients_may_not_open_the_pages(db, world, client) -> None:
    login(client, "klient@example.org", PASSWORD)
    rule = rules_of(db, world["nowak"])[0]
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}?expert={world['nowak'].id}").status_code == 403
    assert client.post(f"{URL}/reguly", data=rule_form(world)).status_code == 403
    assert client.get(f"{URL}/reguly/{rule.id}/usun").status_code == 403
    assert client.post(f"{URL}/reguly/{rule.id}/usun").status_code == 403
    assert count(db, AvailabilityRule) == 8


def test_the_pages_need_login(db, world, client) -> None:
    r = client.get(URL)
    assert r.status_code == 302 and "/konto/logowanie" in r.headers["Location"]


def test_an_expert_may_not_open_or_change_another_experts_calendar(db, world, as_expert) -> None:
    kos = world["kos"]
    kos_rule = rules_of(db, kos)[0]
    assert as_expert.get(f"{URL}?expert={kos.id}").status_code == 403
    r = as_expert.post(f"{URL}/reguly?expert={kos.id}", data=rule_form(world))
    assert r.status_code == 403
    r = as_expert.post(f"{URL}/wolne?expert={kos.id}", data=off_form(open_day()))
    assert r.status_code == 403
    assert as_expert.get(f"{URL}/reguly/{kos_rule.id}/usun").status_code == 403
    assert as_expert.post(f"{URL}/reguly/{kos_rule.id}/usun").status_code == 403
    assert count(db, AvailabilityRule) == 8 and count(db, AvailabilityException) == 0


def test_navigation_links_for_experts_and_managers(db, world, client) -> None:
    for email in ("nowak@example.org", "kierownik@example.org"):
        login(client, email, PASSWORD)
        html = page(client.get("/"))
        assert f'href="{URL}"' in html and "Consultation hours" in html
        client.post("/konto/wyloguj")


# --- the page -------------------------------------------------------------------------------


def test_an_expert_sees_weekly_hours_per_branch(db, world, as_expert) -> None:
    html = page(as_expert.get(URL))
    assert "<h1>Your consultation hours</h1>" in html
    klucze, sacz = html.index(">Klucze</h3>"), html.index(">Nowy Sącz</h3>")
    assert klucze < sacz
    monday = html.index('<th scope="row">Monday</th>', klucze)
    assert html.index("09:00–12:00", monday) < sacz
    assert '<th scope="row">Tuesday</th>' in html[sacz:] and "13:00–15:00" in html[sacz:]
    assert "until further notice" in html
    for rule in rules_of(db, world["nowak"]):  # each row has its own (labelled) remove link
        assert links(html, f"{URL}/reguly/{rule.id}/usun")
    assert not any(links(html, f"{URL}/reguly/{r.id}/usun") for r in rules_of(db, world["kos"]))
    assert '<span class="visually-hidden">: Monday 09:00–12:00, Klucze</span>' in html
    # The forms: labelled fields in fieldsets, choices limited to the expert's offices.
    assert '<label for="rule-start">From</label>' in html
    assert "<legend>Hours</legend>" in html
    assert "Piwniczna" not in html
    assert 'action="/personel/godziny/reguly#add-hours"' in html


def test_the_page_is_polish_by_default(world, client) -> None:
    login(client, "kos@example.org", PASSWORD)
    html = page(client.get(URL))
    assert "Twoje godziny przyjęć" in html
    assert '<th scope="row">Wtorek</th>' in html
    assert "Dodaj stałe godziny" in html and "bezterminowo" in html


def test_a_manager_chooses_the_expert(world, as_manager) -> None:
    html = page(as_manager.get(URL))
    assert '<select id="expert" name="expert">' in html
    assert "mec. Anna Nowak" in html and "Jan Kos" in html
    assert "Weekly hours" not in html
    html = page(as_manager.get(f"{URL}?expert={world['kos'].id}"))
    assert "Consultation hours: Jan Kos" in html
    assert f'action="/personel/godziny/reguly?expert={world["kos"].id}#add-hours"' in html
    assert as_manager.get(f"{URL}?expert={world['client'].id}").status_code == 404


# --- weekly hours ---------------------------------------------------------------------------


def test_adding_weekly_hours(db, world, as_expert) -> None:
    r = as_expert.post(f"{URL}/reguly", data=rule_form(world))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{URL}#weekly-hours")
    html = page(as_expert.get(URL))
    assert "Added hours on Wednesday 13:00–15:00 at Nowy Sącz." in html
    added = [r for r in rules_of(db, world["nowak"]) if r.weekday == 2 and r.start_time == time(13)]
    assert len(added) == 1 and added[0].valid_from_date == today()
    assert audited(db) == ["availability.rule_add"]


def test_hours_that_leave_time_unused_are_added_with_a_warning(db, world, as_expert) -> None:
    as_expert.post(f"{URL}/reguly", data=rule_form(world, length="45"))
    html = page(as_expert.get(URL))
    assert "these hours hold 2 consultations a day; the last 30 min" in html
    assert count(db, AvailabilityRule) == 9


def test_overlapping_hours_are_refused_with_the_other_branch_named(db, world, as_expert) -> None:
    r = as_expert.post(f"{URL}/reguly", data=rule_form(world, start="11:00", end="13:00"))
    assert r.status_code == 422
    html = page(r)
    assert (
        "This time overlaps your hours on Wednesday 09:00–12:00 at Klucze — "
        "you cannot be in two places at once." in html
    )
    assert 'role="alert"' in html
    assert "Please correct the highlighted fields." not in html  # no field is at fault
    assert 'value="11:00"' in html  # what was typed is kept
    assert count(db, AvailabilityRule) == 8 and audited(db) == []


def test_overlap_message_in_polish(db, world, client) -> None:
    login(client, "kos@example.org", PASSWORD)
    r = client.post(f"{URL}/reguly", data=rule_form(world, weekday="1", start="11:00"))
    assert r.status_code == 422
    assert (
        "Ten czas nakłada się na Twoje godziny we wtorek 10:00–12:00 w oddziale Klucze — "
        "nie można być w dwóch miejscach naraz." in page(r)
    )
    assert count(db, AvailabilityRule) == 8


def test_a_manager_sees_the_overlap_as_the_experts(db, world, as_manager) -> None:
    r = as_manager.post(
        f"{URL}/reguly?expert={world['nowak'].id}",
        data=rule_form(world, start="11:00", end="13:00"),
    )
    assert r.status_code == 422
    assert "overlaps the expert's hours on Wednesday 09:00–12:00 at Klucze" in page(r)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": "14:00", "end": "13:00"}, "end", "The end time must be later than the start"),
        ({"end": "13:30"}, "length", "not even one 60-minute consultation fits"),
        ({"length": "200", "end": "16:00"}, "length", "not even one 200-minute consultation"),
        ({"length": "2"}, "length", "A consultation must last from 5 to 480 minutes."),
        ({"length": "abc"}, "length", "Enter a whole number of minutes."),
        ({"branch": "999999"}, "branch", "Choose one of the offices from the list."),
        ({"branch": "piwniczna"}, "branch", "You do not give consultations at Piwniczna-Zdrój."),
        ({"weekday": "6"}, "weekday", "The incubator is closed on Sundays."),
        ({"start": "25:99"}, "start", "Enter a time as HH:MM, for example 09:30."),
        ({"end": ""}, "end", "Enter the end time."),
        ({"valid_from": "2026-02-30"}, "valid_from", "Enter a date as YYYY-MM-DD"),
        ({"valid_from": "2020-01-01"}, "valid_from", "The start date cannot be in the past."),
        (
            {"valid_from": "2099-01-10", "valid_to": "2099-01-09"},
            "valid_to",
            "The end date must not be before the start date.",
        ),
    ],
)
def test_bad_weekly_hours_show_a_message_next_to_the_field(
    db, world, as_expert, changes, field, message
) -> None:
    if changes.get("branch") == "piwniczna":
        changes["branch"] = str(world["piwniczna"].id)
    r = as_expert.post(f"{URL}/reguly", data=rule_form(world, **changes))
    assert r.status_code == 422
    html = page(r)
    assert "Please correct the highlighted fields." in html
    error_at = html.index(f'id="rule-{field}-error"')
    assert message in html[error_at : error_at + 300]
    assert f'aria-describedby="rule-{field}-error"' in html or (
        f'aria-describedby="rule-{field}-hint rule-{field}-error"' in html
    )
    assert count(db, AvailabilityRule) == 8 and audited(db) == []


def test_removing_weekly_hours_asks_first(db, world, as_expert) -> None:
    monday = next(r for r in rules_of(db, world["nowak"]) if r.weekday == 0)
    html = page(as_expert.get(URL))
    assert f"{URL}/reguly/{monday.id}/usun" in html
    html = page(as_expert.get(f"{URL}/reguly/{monday.id}/usun"))
    assert "Remove these weekly hours?" in html and "09:00–12:00" in html
    assert '<button type="submit" class="danger">Remove the hours</button>' in html
    r = as_expert.post(f"{URL}/reguly/{monday.id}/usun")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(AvailabilityRule, monday.id).valid_to_date == today() - timedelta(1)
    html = page(as_expert.get(URL))
    assert "The weekly hours have been removed." in html
    assert '<th scope="row">Monday</th>' not in html
    assert as_expert.get(f"{URL}/reguly/{monday.id}/usun").status_code == 404


def test_removing_hours_shows_the_consultations_that_stay_booked(db, world, as_expert) -> None:
    day = open_day()
    rule = next(r for r in rules_of(db, world["nowak"]) if r.weekday == day.weekday())
    c = book(db, world, day)
    html = page(as_expert.get(f"{URL}/reguly/{rule.id}/usun"))
    assert "1 consultation stays booked" in html and "Maria Wiśniewska" in html
    assert f"/personel/dzien?branch={world['klucze'].id}&date={day.isoformat()}" in html
    as_expert.post(f"{URL}/reguly/{rule.id}/usun")
    assert db.session.get(Consultation, c.id).status == ConsultationStatus.BOOKED


# --- days off -------------------------------------------------------------------------------


def book(db, w, day: date) -> Consultation:
    """Maria Wiśniewska's consultation with Anna Nowak at Klucze, 10:00 on `day`."""
    return booking.book(
        db.session,
        booking.BookingRequest(
            expert_id=w["nowak"].id,
            branch_id=w["klucze"].id,
            domain_code="law",
            start=datetime.combine(day, time(10), tzinfo=WARSAW),
        ),
        actor=w["client"],
        now=utcnow(),
        notices=NOTICES,
        policy=booking.policy_from_config(current_app.config),
    )


def test_a_day_off_lists_booked_consultations_and_cancels_none(db, world, as_expert) -> None:
    day = open_day()
    c = book(db, world, day)
    r = as_expert.post(f"{URL}/wolne", data=off_form(day, reason="urlop"))
    assert r.status_code == 302 and r.headers["Location"].endswith("#affected")
    html = page(as_expert.get(URL))
    assert "1 consultation is booked in this time off. It has not been cancelled" in html
    assert "1 consultation falls in time off" in html
    assert "Maria Wiśniewska" in html
    day_link = f"/personel/dzien?branch={world['klucze'].id}&date={day.isoformat()}"
    assert links(html, "/personel/dzien") and day_link in html
    assert db.session.get(Consultation, c.id).status == ConsultationStatus.BOOKED
    x = db.session.scalars(select(AvailabilityException)).one()
    assert (x.kind, x.start_date, x.end_date, x.branch_id, x.reason) == (
        "off",
        day,
        day,
        None,
        "urlop",
    )


def test_a_day_off_removes_the_free_slots_at_once(db, world, as_expert) -> None:
    day = open_day()
    api = (
        f"/api/v1/slots?domain=law&branch={world['klucze'].id}&expert={world['nowak'].id}"
        f"&from={day.isoformat()}&to={day.isoformat()}"
    )
    before = json.loads(as_expert.get(api).get_data(as_text=True))
    assert [s["start"][11:16] for s in before] == ["09:00", "10:00", "11:00"]
    r = as_expert.post(f"{URL}/wolne", data=off_form(day))
    assert r.status_code == 302
    assert json.loads(as_expert.get(api).get_data(as_text=True)) == []


def test_a_few_hours_off_at_one_office(db, world, as_expert) -> None:
    day = open_day()
    r = as_expert.post(
        f"{URL}/wolne",
        data=off_form(day, start_time="9:00", end_time="10.00", branch=str(world["klucze"].id)),
    )
    assert r.status_code == 302
    x = db.session.scalars(select(AvailabilityException)).one()
    assert (x.start_time, x.end_time, x.branch_id) == (time(9), time(10), world["klucze"].id)
    html = page(as_expert.get(URL))
    assert "Time off added" in html and "09:00–10:00" in html
    assert "All offices" in html  # the form's default choice


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2000-01-01"}, "end_date", "The end date must not be before the start"),
        ({"start_time": "09:00"}, "end_time", "Enter both times, or leave both empty"),
        ({"start_time": "12:00", "end_time": "09:00"}, "end_time", "must be later than the start"),
        ({"start_date": "1.13.2026"}, "start_date", "Enter a date as YYYY-MM-DD"),
        ({"start_date": ""}, "start_date", "Enter the first day."),
        ({"start_date": "2020-03-02"}, "start_date", "These dates are already in the past."),
        ({"branch": "piwniczna"}, "branch", "You do not give consultations at Piwniczna-Zdrój."),
    ],
)
def test_bad_days_off_show_a_message_next_to_the_field(
    db, world, as_expert, changes, field, message
) -> None:
    if changes.get("branch") == "piwniczna":
        changes["branch"] = str(world["piwniczna"].id)
    r = as_expert.post(f"{URL}/wolne", data=off_form(open_day(), **changes))
    assert r.status_code == 422
    html = page(r)
    error_at = html.index(f'id="off-{field}-error"')
    assert message in html[error_at : error_at + 300]
    assert count(db, AvailabilityException) == 0 and audited(db) == []


def test_a_bad_day_off_in_polish(db, world, client) -> None:
    login(client, "kos@example.org", PASSWORD)
    r = client.post(f"{URL}/wolne", data=off_form(open_day(), start_time="09:00"))
    assert r.status_code == 422
    assert "Podaj obie godziny albo zostaw oba pola puste" in page(r)


# --- extra hours ----------------------------------------------------------------------------


def test_adding_and_removing_extra_hours(db, world, as_expert) -> None:
    day = open_day()
    r = as_expert.post(f"{URL}/dodatkowe", data=extra_form(world, day))
    assert r.status_code == 302 and r.headers["Location"].endswith("#exceptions")
    html = page(as_expert.get(URL))
    assert "Extra hours added:" in html and "16:00–18:00 at Nowy Sącz" in html
    x = db.session.scalars(select(AvailabilityException)).one()
    html = page(as_expert.get(f"{URL}/wyjatki/{x.id}/usun"))
    assert "Remove these extra hours?" in html
    r = as_expert.post(f"{URL}/wyjatki/{x.id}/usun")
    assert r.status_code == 302
    assert count(db, AvailabilityException) == 0
    assert "The extra hours have been removed." in page(as_expert.get(URL))
    assert audited(db) == ["availability.exception_add", "availability.exception_delete"]


def test_extra_hours_overlapping_another_office_are_refused(db, world, as_expert) -> None:
    day = open_day()
    r = as_expert.post(
        f"{URL}/dodatkowe", data=extra_form(world, day, start_time="11:00", end_time="13:00")
    )
    assert r.status_code == 422
    assert "This time overlaps your hours on " in page(r) and "09:00–12:00 at Klucze" in page(r)
    assert count(db, AvailabilityException) == 0


def test_a_manager_manages_an_experts_days_off(db, world, as_manager) -> None:
    kos = world["kos"]
    r = as_manager.post(f"{URL}/wolne?expert={kos.id}", data=off_form(open_day()))
    assert r.status_code == 302 and f"expert={kos.id}" in r.headers["Location"]
    x = db.session.scalars(select(AvailabilityException)).one()
    assert x.expert_id == kos.id
    assert as_manager.get(f"{URL}/wyjatki/{x.id}/usun").status_code == 200
    assert as_manager.post(f"{URL}/wyjatki/{x.id}/usun").status_code == 302
    assert count(db, AvailabilityException) == 0


def test_an_expert_may_not_remove_another_experts_day_off(db, world, client) -> None:
    login(client, "kos@example.org", PASSWORD)
    client.post(f"{URL}/wolne", data=off_form(open_day()))
    x = db.session.scalars(select(AvailabilityException)).one()
    client.post("/konto/wyloguj")
    login(client, "nowak@example.org", PASSWORD)
    assert client.get(f"{URL}/wyjatki/{x.id}/usun").status_code == 403
    assert client.post(f"{URL}/wyjatki/{x.id}/usun").status_code == 403
    assert count(db, AvailabilityException) == 1


def test_the_same_day_off_twice_is_refused_and_stored_once(db, world, as_expert) -> None:
    day = open_day()
    assert as_expert.post(f"{URL}/wolne", data=off_form(day)).status_code == 302
    again = as_expert.post(f"{URL}/wolne", data=off_form(day))
    html = page(again)
    assert "This time off is already recorded" in html and "no need to add it again" in html
    assert len(db.session.scalars(select(AvailabilityException)).all()) == 1
    # A few hours of a day already off add nothing either; another day does.
    hours = off_form(day, start_time="10:00", end_time="11:00")
    assert "already recorded" in page(as_expert.post(f"{URL}/wolne", data=hours))
    other = open_day() + timedelta(days=7)
    assert as_expert.post(f"{URL}/wolne", data=off_form(other)).status_code == 302
    assert len(db.session.scalars(select(AvailabilityException)).all()) == 2
