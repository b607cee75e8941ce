"""Sessions end on the server: a cookie saved before logout, a password change or reset,
deactivation or reactivation is refused afterwards, and every session has an idle timeout and a
lifetime.

A refused cookie reads as logged out: `GET /api/v1/session` shows no user, API endpoints answer
401 JSON and pages send to the login page. Time is moved by rewriting the timestamps the session
keeps (`session_transaction`), never by sleeping.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.config import Config
from incubator.models import AuditEvent, User
from incubator.services import accounts
from incubator.web.common.sessions import SESSION_GENERATION, SESSION_SEEN, SESSION_STARTED
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, create_client, create_manager

EMAIL = "klient@example.org"
NEW = "zielony rower nad Dunajcem"


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str) -> IsolatedClient:
    """Another browser holding a copy of `cookie` (saved by an attacker, or a second tab)."""
    app.test_client_class = IsolatedClient
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def assert_logged_out(browser) -> None:
    state = browser.get("/api/v1/session")
    assert state.status_code == 200 and state.get_json()["user"] is None
    protected = browser.get("/api/v1/consultations")
    assert protected.status_code == 401
    assert protected.get_json()["error"]["code"] == "unauthorized"
    page = browser.get("/konto/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/konto/logowanie")


def assert_logged_in(browser, email: str = EMAIL) -> None:
    assert browser.get("/api/v1/session").get_json()["user"]["email"] == email
    assert browser.get("/konto/").status_code == 200


@pytest.fixture()
def user(db) -> User:
    return create_client(email=EMAIL)


def test_cookie_saved_before_logout_is_dead_afterwards(app, client, db, user) -> None:
    login(client, EMAIL, PASSWORD)
    assert_logged_in(client)
    saved = session_cookie(client)
    assert client.post("/konto/wyloguj").status_code == 302
    assert_logged_out(client)
    assert_logged_out(replay(app, saved))
    assert "user.logout" in db.session.scalars(select(AuditEvent.action)).all()


def test_api_logout_ends_a_saved_copy_too(app, client, user) -> None:
    started = client.post("/api/v1/session", json={"email": EMAIL, "password": PASSWORD})
    assert started.status_code == 200
    saved = session_cookie(client)
    token = started.get_json()["csrf_token"]
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 200
    assert_logged_out(replay(app, saved))


def test_logout_ends_the_other_devices_sessions(app, user) -> None:
    """One generation per account: logging out on one device logs out everywhere."""
    app.test_client_class = IsolatedClient
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, EMAIL, PASSWORD)
    login(phone, EMAIL, PASSWORD)
    laptop.post("/konto/wyloguj")
    assert_logged_out(phone)
    login(phone, EMAIL, PASSWORD)  # logging in again works, and leaves the others alone
    assert_logged_in(phone)


def test_password_change_on_another_device_ends_this_session(app, client, db, user) -> None:
    app.test_client_class = IsolatedClient
    other_device = app.test_client()
    login(client, EMAIL, PASSWORD)
    login(other_device, EMAIL, PASSWORD)
    saved = session_cookie(client)
    changed = other_device.post(
        "/konto/haslo",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert changed.status_code == 302
    assert_logged_in(other_device)  # the device that changed it stays logged in
    assert_logged_out(client)
    assert_logged_out(replay(app, saved))


def test_deactivation_and_reactivation_do_not_revive_old_cookies(app, client, db, user) -> None:
    manager = create_manager(email="kierownik@example.org")
    login(client, EMAIL, PASSWORD)
    saved = session_cookie(client)
    for active in (False, True):
        assert accounts.set_active(
            db.session,
            actor=manager,
            user=db.session.get(User, user.id),
            active=active,
            now=utcnow(),
        )
    db.session.expire_all()
    assert db.session.get(User, user.id).active
    assert_logged_out(replay(app, saved))
    login(client, EMAIL, PASSWORD)
    assert_logged_in(client)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.deactivated" in actions and "user.reactivated" in actions


def test_password_reset_ends_sessions(app, client, db, user) -> None:
    login(client, EMAIL, PASSWORD)
    saved = session_cookie(client)
    accounts.set_password(
        db.session,
        actor=None,
        user=db.session.get(User, user.id),
        password=NEW,
        policy=accounts.PasswordPolicy.from_config(app.config),
        now=utcnow(),
    )
    assert_logged_out(replay(app, saved))


def _age(client, *, started: timedelta = timedelta(0), seen: timedelta = timedelta(0)) -> None:
    """Pretend the session was opened `started` ago and last used `seen` ago."""
    with client.session_transaction() as stored:
        stored[SESSION_STARTED] -= started.total_seconds()
        stored[SESSION_SEEN] -= seen.total_seconds()


def test_idle_session_ends_after_the_configured_minutes(client, user) -> None:
    login(client, EMAIL, PASSWORD)
    _age(client, started=timedelta(minutes=29), seen=timedelta(minutes=29))
    assert_logged_in(client)  # used again: the idle clock starts over
    with client.session_transaction() as stored:
        assert utcnow().timestamp() - stored[SESSION_SEEN] < 60
    _age(client, seen=timedelta(minutes=31))
    assert_logged_out(client)


def test_idle_timeout_is_configurable(app, client, user, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    login(client, EMAIL, PASSWORD)
    _age(client, seen=timedelta(minutes=4))
    assert_logged_in(client)
    _age(client, seen=timedelta(minutes=6))
    assert_logged_out(client)


def test_session_ends_after_its_lifetime_even_when_busy(app, client, user, monkeypatch) -> None:
    login(client, EMAIL, PASSWORD)
    _age(client, started=timedelta(hours=11, minutes=59))
    assert_logged_in(client)
    _age(client, started=timedelta(minutes=2))  # just used, but opened 12 h 1 min ago
    assert_logged_out(client)
    monkeypatch.setitem(app.config, "SESSION_MAX_HOURS", 1)
    login(client, EMAIL, PASSWORD)
    _age(client, started=timedelta(minutes=61))
    assert_logged_out(client)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.pop(SESSION_GENERATION),
        lambda s: s.update({SESSION_GENERATION: True}),
        lambda s: s.update({SESSION_GENERATION: "0"}),
        lambda s: s.pop(SESSION_STARTED),
        lambda s: s.update({SESSION_SEEN: "now"}),
    ],
)
def test_session_without_valid_markers_is_refused(client, user, tamper) -> None:
    """E.g. a cookie issued before this version: it must log in again."""
    login(client, EMAIL, PASSWORD)
    with client.session_transaction() as stored:
        tamper(stored)
    assert_logged_out(client)


def test_cookie_lives_hours_not_a_month(client, user) -> None:
    assert Config.PERMANENT_SESSION_LIFETIME == timedelta(hours=12)
    assert Config.SESSION_IDLE_MINUTES == 30
    response = login(client, EMAIL, PASSWORD, follow=False)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    cookie = client.get_cookie("session")
    assert "Expires=" in header and cookie.expires is not None
    lifetime = cookie.expires - utcnow()
    assert timedelta(hours=11) < lifetime <= timedelta(hours=12)


def test_the_signing_serializer_is_made_once_per_set_of_keys(app: Flask) -> None:
    """Kept between requests, but never across a change of SECRET_KEY or its fallbacks: a
    cookie signed with a retired key must stop (or, as a fallback, keep) working at once."""
    from incubator.web.common.sessions import CookieSessions

    sessions = CookieSessions()
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first
    signed = first.dumps({"_user_id": "7"})
    old_key, old_fallbacks = app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")
    try:
        app.secret_key = "rotated-secret-key"
        app.config["SECRET_KEY_FALLBACKS"] = []
        rotated = sessions.get_signing_serializer(app)
        assert rotated is not first
        with pytest.raises(Exception, match="[Ss]ignature"):
            rotated.loads(signed)
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert sessions.get_signing_serializer(app).loads(signed) == {"_user_id": "7"}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = old_fallbacks
