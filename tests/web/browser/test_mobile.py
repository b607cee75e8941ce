"""Small screens: every page each role reaches, at 320 CSS px in Debian's Chromium.

No page may scroll sideways (``document.documentElement.scrollWidth > 320``) and every visible
control must be at least 24 × 24 px (WCAG 2.2, 2.5.8 Target Size (Minimum)). A link inside a
sentence is exempt, as 2.5.8 allows ("inline" targets); a link standing alone (a menu item, a
table's action) is not. Main buttons must be 44 px high. The pages are the app's GET routes
without path arguments (from ``app.url_map``, so a new page is checked without editing this file)
plus the record-level pages of the test data, visited anonymously and as a client, an expert and
a manager, in Polish (the longer words).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from incubator.domain.calendar import WARSAW
from tests.factories import (
    create_branch,
    create_call_task,
    create_client,
    create_consultation,
    create_domain,
    create_exception,
    create_expert,
    create_group,
    create_manager,
    create_rule,
)
from tests.web.browser.test_accessibility import log_in, switch_language

WIDTH = 320
MIN_TARGET = 24
MIN_PRIMARY = 44
#: Routes that serve no HTML page for a person (JSON, calendars, files) or only act.
SKIP_PREFIXES = ("/api/", "/static/", "/kalendarz", "/feeds")

# Every control on the page that is visible, with the reason it is too small, or none.
MEASURE = """
([width, minTarget, minPrimary]) => {
  const name = el => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    const cls = el.className && typeof el.className === 'string' ? '.' + el.className.trim()
      .split(/\\s+/).join('.') : '';
    return `<${el.tagName.toLowerCase()}${cls}> "${text}"`;
  };
  const visible = el => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) return false;          // visually-hidden
    if (r.right <= 0 || r.bottom <= 0) return false;          // the skip link, off screen
    const s = getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  };
  // 2.5.8's inline exception: a link in a sentence, sized by the line of text around it.
  const inSentence = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) {
      block = block.parentElement;
    }
    if (!block) return false;
    if (block.matches('li, td, th, nav')) {
      // A cell or list item holding only links is a list of controls, not a sentence.
      const others = [...block.childNodes].filter(n => n.nodeType === Node.TEXT_NODE
        && n.textContent.trim().replace(/[·|,—–-]/g, '').trim() !== '');
      return others.length > 0;
    }
    const own = el.innerText.trim().length;
    return block.innerText.trim().length > own + 2;
  };
  const problems = [];
  const seen = new Set();
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of controls) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    const w = Math.round(r.width * 10) / 10, h = Math.round(r.height * 10) / 10;
    if ((w < minTarget || h < minTarget) && !inSentence(el)) {
      problems.push(`${name(el)} is ${w}×${h} px, under ${minTarget}×${minTarget}`);
    } else if (el.matches('button[type=submit]:not(.link-button):not(.lang-switch button), .button')
               && h < minPrimary) {
      problems.push(`${name(el)} (a main button) is ${h} px high, under ${minPrimary}`);
    }
    if (r.right > width + 0.5 && !seen.has(el)) {
      seen.add(el);
      problems.push(`${name(el)} reaches ${Math.round(r.right)} px, past the ${width} px screen`);
    }
  }
  const scroll = document.documentElement.scrollWidth;
  if (scroll > width) {
    // Name the widest elements so the failure says where to look.
    // Its box or its content (text that does not wrap) reaches past the screen's edge.
    const reach = el => el.getBoundingClientRect().left + Math.max(
      el.getBoundingClientRect().width,
      getComputedStyle(el).overflowX === 'visible' ? el.scrollWidth : 0);
    const wide = [...document.querySelectorAll('body *')]
      .filter(el => reach(el) > width + 0.5 && visible(el))
      .filter(el => ![...el.children].some(c => reach(c) > width + 0.5))
      .slice(0, 4).map(el => `${name(el)} to ${Math.round(reach(el))} px`);
    problems.unshift(`scrolls sideways: ${scroll} px wide (${wide.join('; ')})`);
  }
  return problems;
}
"""


def html_pages_without_arguments(app: Flask) -> list[str]:
    """The paths of every GET route that takes no path argument and may be a page."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments:
            continue
        if rule.rule.startswith(SKIP_PREFIXES) or rule.endpoint == "static":
            continue
        if rule.rule.rsplit("/", 1)[-1].count("."):
            continue  # a file to download (moje-dane.pdf), not a page
        paths.add(rule.rule)
    return sorted(paths)


def measure(page, label: str, failures: list[str]) -> None:
    for problem in page.evaluate(MEASURE, [WIDTH, MIN_TARGET, MIN_PRIMARY]):
        failures.append(f"{label}: {problem}")


def visit(page, url: str, path: str, role: str, seen: set[str], failures: list[str]) -> None:
    response = page.goto(f"{url}{path}")
    assert response is not None, path
    assert response.status < 500, f"{path}: {response.status}"
    if "text/html" not in (response.headers.get("content-type") or ""):
        return  # a file or a JSON document, not a page
    landed = page.url.removeprefix(url)
    if landed in seen:
        return  # a redirect to a page already checked (a start page, the login page)
    seen.add(landed)
    measure(page, f"{role} {landed}", failures)


@pytest.fixture()
def world(db, live_url):
    klucze = create_branch(code="klucze", name="Klucze", address="ul. Rynek 1, 32-310 Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 5")
    create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id)
    law = create_domain(code="law", name_pl="Prawo", name_en="Law", position=1)
    nowak = create_expert(
        domains=[law], branches=[klucze], title="mec.", full_name="Anna Nowak-Przybyszewska",
        email="anna.nowak-przybyszewska@example.org", phone="+48 600 100 200",
    )  # fmt: skip
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)
    create_exception(nowak, start_date=(utcnow() + timedelta(days=40)).date(), reason="Urlop")
    client = create_client(
        full_name="Maria Wiśniewska-Kowalczyk", email="maria.wisniewska@example.org",
        phone="+48 601 234 567",
    )  # fmt: skip
    friend = create_client(full_name="Zofia Lis", email="zofia@example.org")
    group = create_group(
        name="Spółdzielnia Socjalna „Opoka”", members=[client, friend], branch_id=klucze.id,
        guardian_id=nowak.id,
    )  # fmt: skip
    create_manager(full_name="Ewa Kierownik", email="kierownik@example.org")
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=9)
    booked = create_consultation(
        expert=nowak, client=client, branch=klucze, area=law, start_dt=start,
        topic="Statut spółdzielni socjalnej i wpis do Krajowego Rejestru Sądowego",
    )  # fmt: skip
    past = create_consultation(  # waiting for its outcome (the outcome form)
        expert=nowak, client=client, branch=klucze, area=law, attendees=[friend],
        start_dt=start - timedelta(days=12),
    )  # fmt: skip
    phone_only = create_client(full_name="Jerzy Bąk-Żebrowski", email=None, phone="600 700 800")
    create_call_task(user=phone_only, consultation=booked, kind="cancelled")  # the list to call
    db.session.commit()
    day = start.astimezone(WARSAW).date().isoformat()
    return {
        "url": live_url,
        "branch": klucze.id,
        "consultation": booked.id,
        "past": past.id,
        "expert": nowak.id,
        "client": client.id,
        "friend": friend.id,
        "day_view": f"/personel/dzien?branch={klucze.id}&date={day}",
        "group": group.id,
    }


def utcnow():
    from incubator.clock import utcnow as now

    return now()


def test_every_page_fits_a_320_px_screen(browser, app, world) -> None:
    url, cid, b, e = world["url"], world["consultation"], world["branch"], world["expert"]
    plain = html_pages_without_arguments(app)
    booking = ["/rezerwacja/oddzial?domain=law", f"/rezerwacja/ekspert?domain=law&branch={b}",
               f"/rezerwacja/dzien?domain=law&branch={b}&expert={e}"]  # fmt: skip
    with_ids = {
        "anonymous": ["/konto/reset/not-a-token"],
        "client": [
            *booking,
            f"/rezerwacja/{cid}/gotowe",
            f"/moje-konsultacje/{cid}/odwolanie",
            f"/moje-konsultacje/{cid}/zmiana-terminu",
            f"/grupy/{world['group']}",
        ],  # fmt: skip
        "expert": [
            world["day_view"],
            f"/personel/konsultacje/{cid}/odwolanie",
            f"/personel/konsultacje/{cid}/wydruk",
            f"/personel/konsultacje/{world['past']}/przebieg",
            f"/personel/klienci/{world['client']}/dane-uczestnika",
            f"/grupy/{world['group']}",
        ],  # fmt: skip
        "manager": [
            world["day_view"],
            f"/personel/godziny?expert={e}",
            "/admin/uzytkownicy?q=example",
            f"/personel/klienci/{world['client']}/dane-uczestnika",
            f"/admin/osoby/scal?keep={world['client']}&drop={world['friend']}",
            f"/osoby/{world['client']}",  # a person's data, the erasure page (issue #15)
            f"/osoby/{world['friend']}/anonimizacja",
            f"/audyt/?person_id={world['client']}",
            *(
                f"/grupy/{world['group']}{tail}"
                for tail in ("", "/czlonkowie/nowy", "/etap", "/rejestracja", "/forma-prawna")
            ),
        ],  # fmt: skip
    }
    accounts = {"client": "maria.wisniewska@example.org",
                "expert": "anna.nowak-przybyszewska@example.org",
                "manager": "kierownik@example.org"}  # fmt: skip
    failures: list[str] = []
    visited = 0
    app.config["DEMO"] = True  # the login page's table of demo accounts, the widest there was
    try:
        for role in ("anonymous", "client", "expert", "manager"):
            context = browser.new_context(locale="pl-PL", viewport={"width": WIDTH, "height": 640})
            context.set_default_timeout(15_000)
            page = context.new_page()
            switch_language(page, url, "pl")
            if role in accounts:
                log_in(page, url, accounts[role])
            seen: set[str] = set()
            for path in [*plain, *with_ids[role]]:
                visit(page, url, path, role, seen, failures)
                visited += 1
            context.close()
    finally:
        app.config["DEMO"] = False
    assert visited > 40, visited
    assert not failures, "\n".join(failures)


def test_the_check_can_fail(browser, world) -> None:
    """A wide element and a tiny button are reported: the check is live."""
    context = browser.new_context(locale="pl-PL", viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    page.goto(f"{world['url']}/rodo")
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const wide = document.createElement('pre');
          wide.textContent = 'x'.repeat(200);
          const tiny = document.createElement('button');
          tiny.textContent = 'x';
          tiny.style.cssText = 'min-height:0;padding:0;font-size:8px;border:0';
          main.append(wide, tiny);
        }"""
    )
    failures: list[str] = []
    measure(page, "/rodo", failures)
    context.close()
    assert any("scrolls sideways" in f and "<pre>" in f for f in failures), failures
    assert any('<button> "x"' in f and "under 24×24" in f for f in failures), failures
