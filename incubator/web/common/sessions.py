"""Logging a browser in and out, for the pages (`auth`) and the JSON API (`api`) alike.

Sessions are revocable on the server: a session remembers the account's session generation
(`SESSION_GENERATION`) when it was opened, and the user loader (`web/user_loader.py`) refuses it
once the generation has been raised — by logging out (everywhere: a copy of the cookie saved
before is dead too), a password change or reset, deactivation or reactivation. It also refuses
a session idle for SESSION_IDLE_MINUTES or opened more than SESSION_MAX_HOURS ago. A refused
session is treated as logged out: the API answers 401, pages send to the login page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from itsdangerous import URLSafeTimedSerializer

from ...clock import utcnow
from ...extensions import db
from ...models import User
from ...services import authentication
from ...services.authentication import SessionLimits
from .client import client_ip

SESSION_GENERATION = "_gen"
SESSION_STARTED = "_started"  # POSIX seconds
SESSION_SEEN = "_seen"  # POSIX seconds of the last request, refreshed at most once a minute
SEEN_RESOLUTION = 60
# Flask-Login's keys and ours: what is dropped when a session is refused.
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")
_OUR_KEYS = (SESSION_GENERATION, SESSION_STARTED, SESSION_SEEN)


def session_limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits(
        idle=timedelta(minutes=int(config["SESSION_IDLE_MINUTES"])),
        lifetime=timedelta(hours=int(config["SESSION_MAX_HOURS"])),
    )


def start_session(user: User) -> None:
    """Log in with a fresh session (no fixation), keeping only the chosen language.

    Without a choice made before logging in, the session takes the account's preferred language,
    so the pages (and the goodbye message) stay in it after logging out.
    """
    language = session.get("lang") or user.preferred_language
    session.clear()
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    session.permanent = True  # the cookie expires with SESSION_MAX_HOURS, not with 31 days
    login_user(user)
    now = utcnow().timestamp()
    session[SESSION_STARTED] = session[SESSION_SEEN] = now
    remember_password(user)


def remember_password(user: User) -> None:
    """Keep this session valid after `user` changed their password (the others end)."""
    session[SESSION_GENERATION] = user.session_generation


def end_session() -> None:
    """Log out everywhere (every session of the account ends), keeping the chosen language."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        authentication.log_out(db.session, user, now=utcnow(), ip=client_ip())
    logout_user()
    forget_login()


def forget_login() -> None:
    """Drop what names a logged-in user from this session (without asking who it was)."""
    for key in (*_LOGIN_KEYS, *_OUR_KEYS):
        session.pop(key, None)


def load_session_user(user_id: str, now: datetime) -> User | None:
    """The user this browser's session names, if the session is still valid (else None, and the
    session forgets the login). Refreshes the last-seen time."""
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if not _is_number(started) or not _is_number(seen):
        started = seen = None
    user = None
    if not authentication.session_expired(
        started=started, last_seen=seen, now=now, limits=session_limits()
    ):
        user = authentication.session_user(db.session, user_id, session.get(SESSION_GENERATION))
    if user is None:
        forget_login()
        return None
    if now.timestamp() - seen >= SEEN_RESOLUTION:
        session[SESSION_SEEN] = now.timestamp()
    return user


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the signing serializer made once per set of keys.

    Flask builds it on every request, cookie or not (~30 µs, a tenth of a cached API answer);
    it depends only on the secret key and its fallbacks, which are part of the cache key."""

    _cached: tuple[tuple[object, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._cached
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._cached = (keys, serializer)
        return serializer
