"""End to end: an expert records who came, and the manager's count of people served moves.

Two browsers at once, as in an office: the manager keeps the report open while the expert, in
their own session, records the outcome of a consultation that has just ended. Maria was served
earlier the same day, Zofia was not: both came, so the count rises by exactly one.
"""

from __future__ import annotations

from datetime import timedelta

from incubator.clock import utcnow
from incubator.domain.calendar import local_date
from incubator.models import ConsultationStatus, TopicCategory
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.web.browser.test_accessibility import log_in


def _world(db):
    branch = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(
        domains=[law], branches=[branch], full_name="Anna Nowak", email="ekspert@example.org"
    )
    create_manager(full_name="Ewa Kierownik", email="kierownik@example.org")
    maria = create_client(full_name="Maria Wiśniewska", email="maria@example.org")
    zofia = create_client(full_name="Zofia Lis", email="zofia@example.org")
    now = utcnow().replace(second=0, microsecond=0)
    served = create_consultation(
        expert=expert, client=maria, branch=branch, area=law,
        start_dt=now - timedelta(hours=3), end_dt=now - timedelta(hours=2, minutes=30),
        status=ConsultationStatus.ATTENDED, duration_min=30,
    )  # fmt: skip
    served.attendees[0].attended = True
    waiting = create_consultation(
        expert=expert, client=maria, branch=branch, area=law, attendees=[zofia],
        start_dt=now - timedelta(minutes=40), end_dt=now - timedelta(minutes=10),
    )  # fmt: skip
    db.session.add(
        TopicCategory(
            code="statute", name_pl="Statut i dokumenty założycielskie", name_en="Statute"
        )
    )
    db.session.commit()
    # The report covers both (a run just after midnight puts them on two Warsaw days).
    first, last = local_date(served.start_dt), local_date(waiting.start_dt)
    return waiting, f"/raporty/?from={first.isoformat()}&to={last.isoformat()}"


def _people_served(page) -> int:
    return int(page.locator("#people-served").inner_text().strip())


def test_recording_one_new_attendance_raises_the_count_by_one(browser, db, live_url) -> None:
    waiting, report = _world(db)
    manager = browser.new_context(locale="pl-PL").new_page()
    expert = browser.new_context(locale="pl-PL").new_page()
    try:
        log_in(manager, live_url, "kierownik@example.org")
        manager.goto(f"{live_url}{report}")
        assert _people_served(manager) == 1  # Maria

        log_in(expert, live_url, "ekspert@example.org")
        expert.goto(f"{live_url}/personel/do-uzupelnienia")
        with expert.expect_navigation():
            expert.locator(f"a[href$='/personel/konsultacje/{waiting.id}/przebieg']").click()
        # Nothing is marked in advance: saving now is refused and the count does not move.
        with expert.expect_navigation():
            expert.get_by_role("button", name="Zapisz przebieg").click()
        assert "Zaznacz" in expert.locator(".error-summary").inner_text()
        manager.reload()
        assert _people_served(manager) == 1

        came = expert.get_by_label("Przyszedł/przyszła", exact=True)
        assert came.count() == 2  # one choice per attendee
        for radio in came.all():
            radio.check()
        expert.get_by_label("Kategoria tematyczna").select_option(
            label="Statut i dokumenty założycielskie"
        )
        with expert.expect_navigation():
            expert.get_by_role("button", name="Zapisz przebieg").click()
        assert "/personel/do-uzupelnienia" in expert.url, expert.locator("main").inner_text()

        manager.reload()
        assert _people_served(manager) == 2  # Zofia is new; Maria was already counted
    finally:
        manager.context.close()
        expert.context.close()
