"""Fifty people press "book" on the same slot at the same moment, over real HTTP.

The real app (the session's `app`, on the same database as the rest of the suite: SQLite or
PostgreSQL) is served by a threaded Werkzeug server on 127.0.0.1. Each simulated person logs in
over HTTP with their own cookie jar; then all fire the same POST behind a barrier. Exactly one
may win; everyone else must get a clean 409 ``slot_taken``; the database holds one row.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import func, select

from incubator.domain.calendar import WARSAW
from incubator.models import AuditEvent, Consultation, ConsultationAttendee
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_rule,
)
from tests.live_server import HttpClient, HttpResponse, live_server

PEOPLE = 50


@pytest.mark.slow
def test_fifty_simultaneous_bookings_of_one_slot(app, db) -> None:
    klucze = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[klucze], title="mec.", full_name="Anna Nowak")
    for weekday in range(6):
        create_rule(
            expert, klucze, weekday=weekday, start_time=clock_time(8), end_time=clock_time(16)
        )
    people = [create_client(email=f"osoba{i}@example.org") for i in range(PEOPLE)]
    db.session.rollback()  # hold no transaction open while the server works

    started = time.monotonic()
    with live_server(app) as server:
        clients: list[HttpClient] = [server.client() for _ in people]
        for person, client in zip(people, clients, strict=True):
            response = client.log_in(person.email or "", PASSWORD)
            assert response.status == 200, response.body
        today = datetime.now(WARSAW).date()
        slots = (
            clients[0]
            .get(
                f"/api/v1/slots?domain=law&branch={klucze.id}&from={today}"
                f"&to={today + timedelta(days=14)}"
            )
            .json()
        )
        limit = datetime.now(UTC) + timedelta(hours=25)
        slot = next(s for s in slots if datetime.fromisoformat(s["start"]) > limit)
        body = {
            "expert_id": slot["expert_id"],
            "branch_id": slot["branch_id"],
            "domain": "law",
            "start": slot["start"],
        }

        barrier = threading.Barrier(PEOPLE, timeout=30)
        results: list[HttpResponse | BaseException | None] = [None] * PEOPLE

        def press_book(i: int) -> None:
            try:
                barrier.wait()
                results[i] = clients[i].post("/api/v1/consultations", body)
            except BaseException as error:  # reported below, never lost in the thread
                results[i] = error

        threads = [threading.Thread(target=press_book, args=(i,)) for i in range(PEOPLE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
    elapsed = time.monotonic() - started

    errors = [r for r in results if not isinstance(r, HttpResponse)]
    assert not errors, errors[:3]
    responses = [r for r in results if isinstance(r, HttpResponse)]
    statuses = Counter(r.status for r in responses)
    assert statuses == {201: 1, 409: PEOPLE - 1}, (statuses, [r.body[:200] for r in responses])
    assert not any(r.status >= 500 for r in responses)
    codes = Counter(r.json()["error"]["code"] for r in responses if r.status == 409)
    assert codes == {"slot_taken": PEOPLE - 1}
    for loser in (r for r in responses if r.status == 409):
        assert slot not in loser.json()["next_slots"]
    winner = next(r for r in responses if r.status == 201).json()

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 1
    stored = db.session.scalars(select(Consultation)).one()
    assert stored.id == winner["id"] and stored.start_dt == datetime.fromisoformat(slot["start"])
    assert db.session.scalar(select(func.count()).select_from(ConsultationAttendee)) == 1
    booked_events = select(func.count()).select_from(AuditEvent)
    assert db.session.scalar(booked_events.where(AuditEvent.action == "consultation.book")) == 1
    assert elapsed < 60, f"the race took {elapsed:.1f} s"
