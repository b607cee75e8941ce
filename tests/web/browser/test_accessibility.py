"""WCAG 2.1 AA gate: axe-core in Debian's Chromium on every page each role reaches.

axe-core comes bundled in the `axe-playwright-python` package (nothing is downloaded at run
time). Every page is checked in Polish and in English, including the slot list that JavaScript
draws on the day step and pages showing form errors. Any violation of the wcag2a, wcag2aa,
wcag21a or wcag21aa rules fails the test, with the rule, the element and the help text.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.domain.calendar import WARSAW
from incubator.models import Consultation
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_exception,
    create_expert,
    create_group,
    create_manager,
    create_rule,
)
from tests.helpers import NOW

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture()
def world(db, live_url):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1, 32-310 Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 5")
    create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id)
    law = create_domain(code="law", name_pl="Prawo", name_en="Law", position=1)
    nowak = create_expert(
        domains=[law], branches=[klucze], title="mec.", full_name="Anna Nowak",
        email="nowak@example.org",
    )  # fmt: skip
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
    create_exception(nowak, start_date=(NOW + timedelta(days=40)).date())
    client = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    friend = create_client(full_name="Zofia Lis", email="zofia@example.org")
    create_group(name="Spółdzielnia Socjalna „Opoka”", members=[client, friend])
    create_manager(full_name="Ewa Kierownik", email="kierownik@example.org")
    # Far enough ahead to be movable and cancellable whatever today is.
    from incubator.clock import utcnow

    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=9)
    booked = create_consultation(
        expert=nowak, client=client, branch=klucze, area=law, start_dt=start, topic="Statut"
    )
    db.session.commit()
    day = start.astimezone(WARSAW).date().isoformat()
    return {
        "url": live_url,
        "branch": klucze.id,
        "consultation": booked.id,
        "expert": nowak.id,
        "day_view": f"/personel/dzien?branch={klucze.id}&date={day}",
    }


def log_in(page, url: str, email: str) -> None:
    page.goto(f"{url}/konto/logowanie")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def switch_language(page, url: str, language: str) -> None:
    page.goto(f"{url}/rodo")
    button = page.locator(f"form.lang-switch button[value={language}]")
    with page.expect_navigation():
        button.click()


def check(axe, page, url: str, path: str, failures: list[str]) -> None:
    response = page.goto(f"{url}{path}")
    assert response is not None and response.status < 500, f"{path}: {response.status}"
    audit(axe, page, path, failures)


def audit(axe, page, label: str, failures: list[str]) -> None:
    """Every axe rule with one of the WCAG tags, the experimental ones included (such as
    label-content-name-mismatch, WCAG 2.5.3), which a plain tag filter would leave out."""
    page.evaluate(axe.axe_script)
    rules = page.evaluate(f"axe.getRules({TAGS!r}).map(rule => rule.ruleId)")
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": rules}})
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            failures.append(
                f"{label}: {violation['id']} ({violation['impact']}) at {node['target']}: "
                f"{violation['help']}"
            )


def booking_paths(world, prefix: str) -> list[str]:
    b, e = world["branch"], world["expert"]
    return [
        prefix,
        f"{prefix}/oddzial?domain=law",
        f"{prefix}/ekspert?domain=law&branch={b}",
        f"{prefix}/dzien?domain=law&branch={b}&expert={e}",
    ]


def day_step_with_slots(axe, page, url: str, path: str, label: str, failures: list[str]) -> None:
    """The day step, then the slot list JavaScript draws in place, then the time step."""
    page.goto(f"{url}{path}")
    audit(axe, page, label, failures)
    day = page.locator("a.day").first
    assert day.count(), f"{label}: no day with free times to open"
    time_step = day.get_attribute("href")
    day.click()
    page.wait_for_selector(".slot-panel a.slot")  # drawn from /api/v1/slots
    audit(axe, page, f"{label} (slots drawn by JavaScript)", failures)
    check(axe, page, url, time_step, failures)  # the same times without JavaScript


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_page_meets_wcag_21_aa(context, world, axe, language) -> None:
    url, cid = world["url"], world["consultation"]
    failures: list[str] = []
    page = context.new_page()
    switch_language(page, url, language)

    for path in ("/", "/rodo", "/deklaracja-dostepnosci", "/konto/logowanie",
                 "/konto/rejestracja", "/konto/reset", "/konto/reset/not-a-token"):  # fmt: skip
        check(axe, page, url, path, failures)
    # Form errors: the error summary and the fields in error.
    page.goto(f"{url}/konto/rejestracja")
    page.fill("input[name=email]", "not an address")
    with page.expect_navigation():
        page.locator("form:not(.lang-switch) button[type=submit]").last.click()
    audit(axe, page, "/konto/rejestracja (with errors)", failures)

    log_in(page, url, "maria@example.org")
    for path in booking_paths(world, "/rezerwacja")[:3]:
        check(axe, page, url, path, failures)
    day_step_with_slots(axe, page, url, booking_paths(world, "/rezerwacja")[3], "client day",
                        failures)  # fmt: skip
    for path in ("/moje-konsultacje", f"/rezerwacja/{cid}/gotowe",
                 f"/moje-konsultacje/{cid}/odwolanie", f"/moje-konsultacje/{cid}/zmiana-terminu",
                 "/konto/", "/konto/haslo"):  # fmt: skip
        check(axe, page, url, path, failures)
    page.context.clear_cookies()

    switch_language(page, url, language)
    log_in(page, url, "nowak@example.org")
    for path in (world["day_view"], "/personel/godziny", "/personel/rezerwacja",
                 "/personel/klienci/nowy", f"/personel/konsultacje/{cid}/odwolanie",
                 f"/personel/konsultacje/{cid}/wydruk"):  # fmt: skip
        check(axe, page, url, path, failures)
    page.context.clear_cookies()

    switch_language(page, url, language)
    log_in(page, url, "kierownik@example.org")
    for path in ("/admin/uzytkownicy", "/admin/uzytkownicy/nowy", "/personel/dzien",
                 f"/personel/godziny?expert={world['expert']}"):  # fmt: skip
        check(axe, page, url, path, failures)
    page.close()
    assert not failures, "\n".join(failures)


def test_the_gate_can_fail(context, world, axe) -> None:
    """A page with a known violation (an unlabelled input) is reported: the gate is live."""
    page = context.new_page()
    page.goto(f"{world['url']}/rodo")
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    failures: list[str] = []
    audit(axe, page, "/rodo with an unlabelled input", failures)
    page.close()
    assert any("label" in f for f in failures), failures


def test_the_consultation_is_there(db, world) -> None:
    # Guards the page list above: the record-level pages must exist, not 404 silently.
    assert db.session.get(Consultation, world["consultation"]) is not None
