"""Staff: an expert's week and agenda, the managers' overview of today, each role's start page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from incubator.models import ConsultationStatus
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
from tests.helpers import local
from tests.web.pages import links, page

MONDAY = date(2035, 1, 8)  # a Monday far ahead: out of the agenda (pages read the clock)


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(
        domains=[law], branches=[klucze, sacz], full_name="Anna Nowak", email="nowak@example.org"
    )
    kos = create_expert(
        domains=[law], branches=[klucze], full_name="Jan Kos", email="kos@example.org"
    )
    create_manager(full_name="Kinga Kierownik", email="kierownik@example.org")
    people = {
        name: create_client(full_name=name, phone=f"601 000 00{n}", email=None)
        for n, name in enumerate(
            ["Maria Wiśniewska", "Piotr Zieliński", "Ewa Łączna", "Zofia Kosowa", "Olga Obca"]
        )
    }
    witness = create_client(full_name="Tomasz Świadek", email=None)

    def consult(expert, who, branch, start, **kw):
        return create_consultation(
            expert=expert, client=people[who], branch=branch, area=law, start_dt=start, **kw
        )

    consult(
        nowak,
        "Maria Wiśniewska",
        klucze,
        local(MONDAY, 9),
        topic="Biznesplan",
        attendees=[witness],
    )
    consult(nowak, "Piotr Zieliński", sacz, local(MONDAY + timedelta(days=2), 13, 30))
    consult(
        nowak,
        "Ewa Łączna",
        klucze,
        local(MONDAY + timedelta(days=4), 11),
        status=ConsultationStatus.CANCELLED,
        cancel_reason="Choroba",
    )
    consult(nowak, "Zofia Kosowa", klucze, local(MONDAY + timedelta(days=7), 9))  # next week
    consult(kos, "Olga Obca", klucze, local(MONDAY + timedelta(days=1), 10))
    return {"klucze": klucze, "sacz": sacz, "law": law, "nowak": nowak, "kos": kos, **people}


def week_url(**args: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/personel/tydzien?{query}"


def test_an_expert_sees_their_own_week(world, client) -> None:
    login(client, "nowak@example.org", PASSWORD)
    html = page(client.get(week_url(date=(MONDAY + timedelta(days=3)).isoformat())))
    assert "Mój tydzień: 8 stycznia – 14 stycznia 2035" in html
    # days as sections, Monday first, consultations with their details and status
    assert html.index("Poniedziałek 8 stycznia") < html.index("Środa 10 stycznia")
    assert html.index("Maria Wiśniewska") < html.index("Piotr Zieliński") < html.index("Ewa Łączna")
    assert "09:00–10:00" in html and "13:30–14:30" in html
    assert "Biznesplan" in html and "Tomasz Świadek" in html and "Prawo" in html
    assert "Nowy Sącz" in html and "Zarezerwowana" in html
    assert "Odwołana" in html and "Choroba" in html  # the cancelled one, marked
    assert "2 konsultacje w tym tygodniu" in html  # the cancelled one is not counted
    assert "Zofia Kosowa" not in html  # next week
    assert "Olga Obca" not in html  # Kos's
    # previous and next week keep the day's week
    week_links = " ".join(links(html, "/personel/tydzien"))
    assert "date=2035-01-01" in week_links and "date=2035-01-15" in week_links
    html = page(client.get(week_url(date="2035-01-15")))
    assert "Zofia Kosowa" in html and "Maria Wiśniewska" not in html


def test_the_week_filters_by_office(world, client) -> None:
    login(client, "nowak@example.org", PASSWORD)
    html = page(client.get(week_url(date=MONDAY.isoformat(), branch=world["sacz"].id)))
    assert "Piotr Zieliński" in html
    assert "Maria Wiśniewska" not in html and "Ewa Łączna" not in html
    assert "1 konsultacja w tym tygodniu" in html
    # the office is kept in the links to other weeks
    other_weeks = [u for u in links(html, "/personel/tydzien") if "date=" in u]
    assert len(other_weeks) == 3  # previous, this and next (the nav's link has no query)
    assert all(f"branch={world['sacz'].id}" in u for u in other_weeks)


def test_an_expert_cannot_open_another_experts_week_or_agenda(world, client) -> None:
    login(client, "nowak@example.org", PASSWORD)
    kos = world["kos"].id
    assert client.get(week_url(expert=kos, date=MONDAY.isoformat())).status_code == 404
    assert client.get(f"/personel/agenda?expert={kos}").status_code == 404
    assert client.get("/personel/agenda?expert=x").status_code == 404
    # their own id is fine
    own = page(client.get(week_url(expert=world["nowak"].id, date=MONDAY.isoformat())))
    assert "Maria Wiśniewska" in own


def test_a_manager_opens_any_experts_week(world, client) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    html = page(client.get("/personel/tydzien"))
    assert "Wybierz eksperta, którego konsultacje chcesz zobaczyć." in html
    assert "Anna Nowak" in html and "Jan Kos" in html  # the chooser
    html = page(client.get(week_url(expert=world["kos"].id, date=MONDAY.isoformat())))
    assert "Tydzień: Jan Kos" in html
    assert "Olga Obca" in html and "Maria Wiśniewska" not in html
    other_weeks = [u for u in links(html, "/personel/tydzien") if "date=" in u]
    assert other_weeks and all(f"expert={world['kos'].id}" in u for u in other_weeks)
    assert client.get(week_url(expert=999999)).status_code == 404
    assert client.get(week_url(expert=world["Olga Obca"].id)).status_code == 404  # a client


def test_a_bad_week_date_says_so_and_shows_this_week(world, client) -> None:
    login(client, "nowak@example.org", PASSWORD)
    response = client.get(week_url(date="2035-02-30"))
    assert response.status_code == 200
    assert "Wybierz dzień." in page(response)


@pytest.mark.parametrize(
    ("monday", "change"),
    [(date(2027, 3, 22), date(2027, 3, 28)), (date(2026, 10, 19), date(2026, 10, 25))],
    ids=["spring-forward", "fall-back"],
)
def test_weeks_across_a_dst_change_show_warsaw_time(world, client, monday, change) -> None:
    """Before and after the clocks change, 10:00 is 10:00; the week ends at local midnight."""
    nowak, law, klucze = world["nowak"], world["law"], world["klucze"]
    for who, start in (
        ("Maria Wiśniewska", local(monday + timedelta(days=4), 10)),  # Friday, before the change
        ("Piotr Zieliński", local(change, 22, 30)),  # Sunday late, after the change
        ("Ewa Łączna", local(change + timedelta(days=1), 0, 30)),  # next Monday just after midnight
        ("Zofia Kosowa", local(change + timedelta(days=1), 10)),  # next Monday, new offset
    ):
        create_consultation(
            expert=nowak, client=world[who], branch=klucze, area=law, start_dt=start
        )
    login(client, "nowak@example.org", PASSWORD)
    html = page(client.get(week_url(date=change.isoformat())))
    assert "Maria Wiśniewska" in html and "10:00–11:00" in html
    assert "Piotr Zieliński" in html and "22:30–23:30" in html
    assert "Ewa Łączna" not in html and "Zofia Kosowa" not in html
    html = page(client.get(week_url(date=(change + timedelta(days=1)).isoformat())))
    assert "Ewa Łączna" in html and "00:30–01:30" in html
    assert "Zofia Kosowa" in html and "10:00–11:00" in html
    assert "Piotr Zieliński" not in html
    assert html.index("Ewa Łączna") < html.index("Zofia Kosowa")


def test_the_agenda_lists_today_then_upcoming_with_cancelled_apart(world, client) -> None:
    today = local_date(utcnow())
    nowak, law, klucze = world["nowak"], world["law"], world["klucze"]
    when = {
        "Maria Wiśniewska": local(today, 23, 0),
        "Piotr Zieliński": local(today + timedelta(days=3), 9),
        "Zofia Kosowa": local(today + timedelta(days=70), 9),  # beyond the agenda
    }
    for who, start in when.items():
        create_consultation(
            expert=nowak, client=world[who], branch=klucze, area=law, start_dt=start
        )
    create_consultation(
        expert=nowak,
        client=world["Ewa Łączna"],
        branch=klucze,
        area=law,
        start_dt=local(today + timedelta(days=5), 9),
        status=ConsultationStatus.CANCELLED,
    )
    login(client, "nowak@example.org", PASSWORD)
    html = page(client.get("/personel/agenda"))
    assert "Mój terminarz" in html
    today_part, rest = html.split(">Nadchodzące</h2>", 1)
    assert "Maria Wiśniewska" in today_part and "23:00–00:00" in today_part
    upcoming, cancelled = rest.split(">Odwołane</h2>", 1)
    assert "Piotr Zieliński" in upcoming and "Ewa Łączna" not in upcoming
    assert "Ewa Łączna" in cancelled
    assert "Zofia Kosowa" not in html
    # the office filter
    html = page(client.get(f"/personel/agenda?branch={world['sacz'].id}"))
    assert "Maria Wiśniewska" not in html and "Piotr Zieliński" not in html


def test_a_manager_opens_any_experts_agenda(world, client) -> None:
    today = local_date(utcnow())
    create_consultation(
        expert=world["kos"],
        client=world["Maria Wiśniewska"],
        branch=world["klucze"],
        area=world["law"],
        start_dt=local(today + timedelta(days=2), 12),
    )
    login(client, "kierownik@example.org", PASSWORD)
    assert "Wybierz eksperta" in page(client.get("/personel/agenda"))
    html = page(client.get(f"/personel/agenda?expert={world['kos'].id}"))
    assert "Terminarz: Jan Kos" in html and "Maria Wiśniewska" in html


def test_the_managers_overview_counts_today_per_office(world, client) -> None:
    today = local_date(utcnow())
    nowak, kos, law = world["nowak"], world["kos"], world["law"]
    klucze, sacz = world["klucze"], world["sacz"]
    for expert, who, branch, hour, status in (
        (nowak, "Maria Wiśniewska", klucze, 0, ConsultationStatus.BOOKED),
        (kos, "Piotr Zieliński", klucze, 23, ConsultationStatus.BOOKED),
        (nowak, "Zofia Kosowa", klucze, 22, ConsultationStatus.CANCELLED),
        (nowak, "Ewa Łączna", sacz, 22, ConsultationStatus.BOOKED),
    ):
        create_consultation(
            expert=expert,
            client=world[who],
            branch=branch,
            area=law,
            start_dt=local(today, hour),
            end_dt=local(today, hour, 30),
            status=status,
        )
    login(client, "kierownik@example.org", PASSWORD)
    html = page(client.get("/personel/przeglad"))
    assert "Dzisiaj we wszystkich oddziałach" in html
    assert "3 konsultacje dzisiaj we wszystkich oddziałach." in html
    klucze_card, sacz_card = html.split("<h2>Klucze</h2>", 1)[1].split("<h2>Nowy Sącz</h2>")
    if html.index("<h2>Nowy Sącz</h2>") < html.index("<h2>Klucze</h2>"):
        sacz_card, klucze_card = (
            html.split("<h2>Nowy Sącz</h2>", 1)[1].split("<h2>Klucze</h2>")[0],
            html.split("<h2>Klucze</h2>", 1)[1],
        )
    assert "2 konsultacje dzisiaj" in klucze_card and "1 odwołana" in klucze_card
    assert "Piotr Zieliński" in klucze_card  # the next one (23:00)
    assert "Maria Wiśniewska" not in klucze_card  # 00:00–00:30 is over
    assert "1 konsultacja dzisiaj" in sacz_card and "Ewa Łączna" in sacz_card
    day_links = links(html, "/personel/dzien")
    assert f"/personel/dzien?branch={klucze.id}&date={today.isoformat()}" in day_links
    assert f"/personel/tydzien?expert={kos.id}" in links(html, "/personel/tydzien")


def test_experts_are_sent_from_the_overview_to_their_agenda(world, client) -> None:
    login(client, "nowak@example.org", PASSWORD)
    response = client.get("/personel/przeglad")
    assert response.status_code == 302 and response.headers["Location"] == "/personel/agenda"


def test_each_staff_role_lands_on_its_start_page(world, client) -> None:
    response = login(client, "nowak@example.org", PASSWORD, follow=False)
    assert response.headers["Location"] == "/personel/agenda"
    html = page(client.get("/personel/agenda"))
    assert "Mój terminarz" in html and 'href="/personel/tydzien"' in html  # in the navigation
    client.post("/konto/wyloguj")
    response = login(client, "kierownik@example.org", PASSWORD, follow=False)
    assert response.headers["Location"] == "/raporty/"  # the report; the overview is linked
    assert 'href="/personel/przeglad"' in page(client.get("/raporty/"))
    html = page(client.get("/personel/przeglad"))
    assert "Dzisiaj we wszystkich oddziałach" in html and "Tygodnie ekspertów" in html
