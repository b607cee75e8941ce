"""A client books a consultation in a real browser, with the keyboard only.

With JavaScript the day step fetches the free times from /api/v1/slots and shows them in place;
without it (or when the API fails) the plain pages do the same job.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from incubator.models import Consultation
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_rule,
)

SCREENSHOT = Path("/tmp/inkubator-booking.png")
FOCUSED = """([selector, text]) => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  if (selector && !el.matches(selector)) return false;
  return !text || (el.innerText || el.value || el.getAttribute('aria-label') || '').includes(text);
}"""


@pytest.fixture()
def world(db, live_url):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1, 32-310 Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 5")
    piwniczna = create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id)
    law = create_domain(code="law", name_pl="Prawo", name_en="Law", position=1)
    create_domain(code="accounting", name_pl="Rachunkowość", name_en="Accounting", position=2)
    nowak = create_expert(domains=[law], branches=[klucze], title="mec.", full_name="Anna Nowak")
    kos = create_expert(domains=[law], branches=[klucze, piwniczna], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
        create_rule(kos, klucze, weekday=weekday)
    client = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    db.session.commit()  # no transaction left open in this thread while the server writes
    return {"url": live_url, "client": client, "nowak": nowak}


def tab_to(page, selector: str | None = None, text: str | None = None, limit: int = 80) -> None:
    """Press Tab until the focused element matches; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, [selector, text]):
            return
    raise AssertionError(f"could not reach {selector or ''} {text or ''} with the Tab key")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def log_in(page, url: str) -> None:
    page.goto(f"{url}/konto/logowanie")
    page.fill("input[name=email]", "maria@example.org")
    page.fill("input[name=password]", PASSWORD)
    press_enter_and_wait(page)


def walk_to_day_step(page, url: str) -> None:
    """Area → office → any expert, with Tab and Enter only."""
    page.goto(f"{url}/rezerwacja")
    assert page.locator('.steps li[aria-current="step"]').get_attribute("data-step") == "domain"
    tab_to(page, "a.choice", "Prawo")
    press_enter_and_wait(page)
    assert page.locator("ul.filie").inner_text().strip().startswith("Piwniczna-Zdrój")
    tab_to(page, "a.choice", "Klucze")
    press_enter_and_wait(page)
    tab_to(page, "a.choice[href*='/rezerwacja/dzien']:not([href*='expert='])")  # any expert
    press_enter_and_wait(page)
    assert "/rezerwacja/dzien" in page.url


def count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Consultation))


def finish_on_confirm_page(page, db, world) -> None:
    assert "/rezerwacja/potwierdzenie" in page.url
    tab_to(page, "textarea#topic")
    page.keyboard.type("Statut spółdzielni socjalnej")
    tab_to(page, "button[type=submit]", None)
    press_enter_and_wait(page)
    assert "/gotowe" in page.url
    assert page.locator("h1").inner_text()
    assert page.locator("a[href$='.ics']").count() == 1
    assert count(db) == 1
    consultation = db.session.scalar(select(Consultation))
    assert consultation.client_id == world["client"].id
    assert consultation.created_by_id == world["client"].id
    assert consultation.topic == "Statut spółdzielni socjalnej"


def test_keyboard_booking_with_javascript_uses_the_slots_api(context, db, world) -> None:
    page = context.new_page()
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/v1/slots" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    violations = csp_violations(page)
    log_in(page, world["url"])
    walk_to_day_step(page, world["url"])

    day_step_url = page.url
    tab_to(page, "a.day")
    page.keyboard.press("Enter")  # no page load: the times appear below the days
    page.wait_for_selector(".slot-panel a.slot")
    assert page.url == day_step_url
    assert api_calls, "the day step should fetch /api/v1/slots"
    assert page.evaluate("document.activeElement.id") == "slot-panel-heading"
    assert page.locator('.steps li[aria-current="step"]').get_attribute("data-step") == "time"
    # The heading says the same step as the indicator (issue #10: "Krok 5 z 6" under
    # "Wybierz dzień"); the page is in Polish.
    assert page.locator(".step-count").inner_text() == "Krok 5 z 6"
    assert page.locator("main h1").inner_text() == "Wybierz godzinę"
    first = page.locator(".slot-panel a.slot").first
    # The accessible name is the text: the visible time and expert, with the day and the office
    # around them for screen readers only (WCAG 2.5.3); no aria-label that could drift from it.
    assert first.get_attribute("aria-label") is None
    label = " ".join(first.text_content().split())
    assert label.endswith(" mec. Anna Nowak, Klucze") or label.endswith(" Jan Kos, Klucze")
    weekdays = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota")
    assert label.startswith(weekdays)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.keyboard.press("Tab")  # from the heading straight to the first time
    assert " ".join(page.evaluate("document.activeElement.textContent").split()) == label
    press_enter_and_wait(page)
    finish_on_confirm_page(page, db, world)
    assert page.locator("[data-print]").is_visible()  # slots.js shows the print button
    assert not errors
    assert not violations, violations  # the slot picker works under the Content-Security-Policy
    # The check can fail: an inline script is refused, and the refusal is seen.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.x") is None
    assert violations and "Content Security Policy" in violations[0]


def csp_violations(page) -> list[str]:
    """Chromium's console reports of anything the Content-Security-Policy refused."""
    found: list[str] = []

    def seen(message) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", seen)
    return found


def test_keyboard_booking_without_javascript(browser, db, world) -> None:
    context = browser.new_context(java_script_enabled=False, locale="pl-PL")
    try:
        page = context.new_page()
        log_in(page, world["url"])
        walk_to_day_step(page, world["url"])
        tab_to(page, "a.day")
        press_enter_and_wait(page)
        assert "/rezerwacja/godzina" in page.url
        tab_to(page, "a.slot")
        press_enter_and_wait(page)
        finish_on_confirm_page(page, db, world)
        assert not page.locator("[data-print]").is_visible()  # printing needs JavaScript
    finally:
        context.close()


def test_when_the_api_fails_the_day_link_is_followed(context, db, world) -> None:
    page = context.new_page()
    page.route("**/api/v1/slots**", lambda route: route.fulfill(status=500, body="{}"))
    log_in(page, world["url"])
    walk_to_day_step(page, world["url"])
    tab_to(page, "a.day")
    page.keyboard.press("Enter")
    # slots.js first tries the API (refused here), then follows the link itself: two steps, so
    # wait for the page it lands on rather than for the first navigation event.
    page.wait_for_url("**/rezerwacja/godzina**", timeout=30_000)
    page.wait_for_selector("a.slot")
    assert page.locator("a.slot").count() > 0
