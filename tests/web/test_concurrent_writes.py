"""Fifty people log in, register or save their profile at the same moment, over real HTTP.

Every write goes through `services.transactions.write` (``BEGIN IMMEDIATE`` on SQLite, busy
timeout 15 s), so on SQLite as on PostgreSQL none of them may fail with "database is locked":
0 × 5xx, each registration either created or refused cleanly, and the rows agree with the
answers. Past the busy timeout a write is answered 503 with ``Retry-After`` — on the pages as on
the API (the last test holds SQLite's write lock to show it).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from incubator import create_app
from incubator.config import TestConfig
from incubator.models import AuditEvent, ClientProfile, User
from tests.factories import PASSWORD, create_client
from tests.live_server import HttpResponse, live_server

PEOPLE = 50
WRONG = 10  # of the log-ins, this many with a wrong password
SHARED = 10  # of the registrations, this many with one and the same address


def all_at_once(actions: list[Callable[[], HttpResponse]]) -> list[HttpResponse]:
    """Run every action in its own thread, released together by a barrier; no error is lost."""
    barrier = threading.Barrier(len(actions), timeout=30)
    results: list[HttpResponse | BaseException | None] = [None] * len(actions)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = actions[i]()
        except BaseException as error:  # reported below, never lost in the thread
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)
    errors = [r for r in results if not isinstance(r, HttpResponse)]
    assert not errors, errors[:3]
    responses = [r for r in results if isinstance(r, HttpResponse)]
    server_errors = [(r.status, r.body[:300]) for r in responses if r.status >= 500]
    assert not server_errors, server_errors[:3]
    return responses


def count(db, model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(db, action: str) -> int:
    return count(db, AuditEvent, AuditEvent.action == action)


@pytest.mark.slow
def test_fifty_simultaneous_log_ins(app, db) -> None:
    people = [create_client(email=f"osoba{i}@example.org") for i in range(PEOPLE)]
    db.session.rollback()  # hold no transaction open while the server works
    started = time.monotonic()
    with live_server(app) as server:
        clients = [server.client() for _ in people]
        actions: list[Callable[[], HttpResponse]] = []
        for i, (person, client) in enumerate(zip(people, clients, strict=True)):
            password = "zle-haslo-123" if i < WRONG else PASSWORD
            credentials = {"email": person.email or "", "password": password}
            if i % 2:  # half on the login page, half through the API
                actions.append(lambda c=client, f=credentials: c.submit("/konto/logowanie", f))
            else:
                client.csrf_token = client.get("/api/v1/session").json()["csrf_token"]
                actions.append(lambda c=client, f=credentials: c.post("/api/v1/session", f))
        responses = all_at_once(actions)
        for i, (client, response) in enumerate(zip(clients, responses, strict=True)):
            expected = (200 if i % 2 else 401) if i < WRONG else (302 if i % 2 else 200)
            assert response.status == expected, (i, response.status, response.body[:200])
            if i >= WRONG:  # the session works afterwards
                assert client.get("/api/v1/session").json()["user"]["email"] == people[i].email
    assert time.monotonic() - started < 90
    assert events(db, "user.login") == PEOPLE - WRONG
    assert events(db, "user.login_failed") == WRONG
    assert count(db, User, User.last_login_dt.is_not(None)) == PEOPLE - WRONG


@pytest.mark.slow
def test_fifty_simultaneous_registrations(app, db) -> None:
    emails = [f"nowy{i}@example.org" for i in range(PEOPLE - SHARED)]
    emails += ["wspolny@example.org"] * SHARED

    def form(i: int, email: str) -> dict[str, str]:
        return {
            "full_name": f"Nowa Osoba {i}",
            "email": email,
            "phone": "",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "preferred_language": "pl",
            "consent": "y",
        }

    forms = [form(i, email) for i, email in enumerate(emails)]
    with live_server(app) as server:
        clients = [server.client() for _ in emails]
        responses = all_at_once(
            [
                lambda c=c, f=f: c.submit("/konto/rejestracja", f)
                for c, f in zip(clients, forms, strict=True)
            ]
        )
    statuses = Counter(r.status for r in responses)
    assert set(statuses) <= {200, 302}, statuses  # created (302) or refused on the form (200)
    distinct = PEOPLE - SHARED + 1
    assert statuses[302] >= distinct  # every distinct address got its account
    assert count(db, User) == distinct
    assert count(db, User, User.email == "wspolny@example.org") == 1
    assert count(db, ClientProfile) == distinct
    assert events(db, "user.registered") == distinct


@pytest.mark.slow
def test_fifty_simultaneous_profile_saves(app, db) -> None:
    people = [create_client(email=f"osoba{i}@example.org") for i in range(PEOPLE)]
    ids = [person.id for person in people]
    db.session.rollback()
    with live_server(app) as server:
        clients = [server.client() for _ in people]
        for person, client in zip(people, clients, strict=True):
            assert client.log_in(person.email or "", PASSWORD).status == 200
        responses = all_at_once(
            [
                lambda c=c, i=i: c.submit(
                    "/konto/",
                    {
                        "full_name": f"Zmieniona Osoba {i}",
                        "phone": f"600 000 {i:03d}",
                        "preferred_language": "en" if i % 2 else "pl",
                    },
                )
                for i, c in enumerate(clients)
            ]
        )
    assert [r.status for r in responses] == [302] * PEOPLE, [r.body[:200] for r in responses]
    db.session.rollback()
    for i, user_id in enumerate(ids):
        user = db.session.get(User, user_id)
        assert user.full_name == f"Zmieniona Osoba {i}"
        assert user.preferred_language == ("en" if i % 2 else "pl")
    assert events(db, "user.profile_updated") == PEOPLE


def test_past_the_busy_timeout_pages_and_api_answer_503(tmp_path) -> None:
    """SQLite's write lock held by another program longer than the busy timeout: a translated
    503 page (the API: JSON ``busy``) with Retry-After, nothing half-written; then it works."""
    path = tmp_path / "busy.db"

    class Short(TestConfig):
        DATABASE_URL = f"sqlite:///{path}"
        SQLITE_BUSY_TIMEOUT_MS = 300

    busy_app = create_app(Short)
    busy_app.instance_path = str(tmp_path)
    from incubator.extensions import db

    with busy_app.app_context():
        db.create_all()
        user_id = create_client(email="ewa@example.org", full_name="Ewa Nowak").id
    browser = busy_app.test_client()
    credentials = {"email": "ewa@example.org", "password": PASSWORD}
    assert browser.post("/konto/logowanie", data=credentials).status_code == 302
    profile = {"full_name": "Ewa Kowalska", "phone": "", "preferred_language": "pl"}

    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        page = browser.post("/konto/", data=profile)
        api = busy_app.test_client().post("/api/v1/session", json=credentials)
    finally:
        holder.rollback()
        holder.close()
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "2"
    assert page.headers["Cache-Control"] == "no-store"
    assert "System jest teraz obciążony" in page.get_data(as_text=True)
    assert api.status_code == 503 and api.headers["Retry-After"] == "2"
    assert api.get_json()["error"]["code"] == "busy"

    assert browser.post("/konto/", data=profile).status_code == 302
    with busy_app.app_context():
        assert db.session.get(User, user_id).full_name == "Ewa Kowalska"
        changes = select(func.count()).select_from(AuditEvent)
        assert db.session.scalar(changes.where(AuditEvent.action == "user.profile_updated")) == 1
        assert db.session.scalar(changes.where(AuditEvent.action == "user.login")) == 1
        db.engine.dispose()
