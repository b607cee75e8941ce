"""The database connection dies in the middle of a booking (PostgreSQL).

A real booking over HTTP (the app in a threaded server on 127.0.0.1) is stopped at a known point:
a second connection holds ``LOCK TABLE audit_events IN SHARE MODE``, so the booking inserts its
consultation and attendee rows and then waits at the audit insert, its last statement before the
commit. While it waits, its server process is killed with ``pg_terminate_backend``. The person
must get a clean JSON refusal (503 ``database_unavailable``, ``Retry-After``), not a 500; nothing
of the booking may be left; and the very next request must work (``pool_pre_ping``, and the dead
connection is thrown away).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import Connection, create_engine, make_url, text

from incubator.domain.calendar import WARSAW
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_rule,
)
from tests.live_server import HttpClient, HttpResponse, live_server

WAITING_BOOKING = """
SELECT pid, query FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
  AND :blocker = ANY(pg_blocking_pids(pid))
"""


@pytest.fixture()
def postgres(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip(
            "pg_terminate_backend is PostgreSQL's; SQLite runs in-process and has no server "
            "connection that could be killed"
        )
    return database_url


def _counts(connection: Connection) -> tuple[int, int, int]:
    return (
        connection.execute(text("SELECT count(*) FROM consultations")).scalar_one(),
        connection.execute(text("SELECT count(*) FROM consultation_attendees")).scalar_one(),
        connection.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'consultation.book'")
        ).scalar_one(),
    )


def _wait_for_blocked_backend(connection: Connection, blocker: int) -> tuple[int, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = connection.execute(text(WAITING_BOOKING), {"blocker": blocker}).first()
        connection.rollback()  # pg_stat_activity is read once per transaction: a fresh one
        if row is not None:
            return row.pid, row.query
        time.sleep(0.02)
    raise AssertionError("the booking never reached the audit insert")


@pytest.mark.slow
def test_connection_killed_mid_booking_gives_a_clean_error_and_leaves_nothing(
    app, db, postgres: str
) -> None:
    klucze = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[klucze], full_name="Anna Nowak")
    for weekday in range(6):
        create_rule(
            expert, klucze, weekday=weekday, start_time=clock_time(8), end_time=clock_time(16)
        )
    person = create_client(email="osoba@example.org")
    db.session.rollback()  # hold no transaction open while the server works

    other = create_engine(postgres)
    try:
        with live_server(app) as server, other.connect() as blocker, other.connect() as probe:
            client: HttpClient = server.client()
            assert client.log_in(person.email or "", PASSWORD).status == 200
            today = datetime.now(WARSAW).date()
            slots = client.get(
                f"/api/v1/slots?domain=law&branch={klucze.id}&from={today}"
                f"&to={today + timedelta(days=14)}"
            ).json()
            limit = datetime.now(UTC) + timedelta(hours=25)
            slot = next(s for s in slots if datetime.fromisoformat(s["start"]) > limit)
            body = {k: slot[k] for k in ("expert_id", "branch_id", "start")} | {"domain": "law"}

            blocker_pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar_one()
            blocker.execute(text("LOCK TABLE audit_events IN SHARE MODE"))
            result: list[HttpResponse | BaseException] = []

            def press_book() -> None:
                try:
                    result.append(client.post("/api/v1/consultations", body))
                except BaseException as error:  # reported below
                    result.append(error)

            thread = threading.Thread(target=press_book)
            thread.start()
            pid, query = _wait_for_blocked_backend(probe, blocker_pid)
            assert "audit_events" in query, query  # consultation and attendee rows already sent
            assert blocker.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            blocker.rollback()  # the lock goes; nothing else waits on it
            thread.join(timeout=60)
            assert not thread.is_alive()

            (response,) = result
            assert isinstance(response, HttpResponse), response
            assert response.status == 503, response.body
            error = response.json()["error"]
            assert error["code"] == "database_unavailable"
            assert "nic nie zostało zapisane" in error["message"]  # Polish, the default language
            assert int(response.headers["Retry-After"]) > 0
            assert _counts(probe) == (0, 0, 0)
            probe.rollback()

            again = client.post("/api/v1/consultations", body)
            assert again.status == 201, again.body
            assert _counts(probe) == (1, 1, 1)
            assert client.get("/api/v1/consultations").status == 200
    finally:
        other.dispose()
