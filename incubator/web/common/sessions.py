"""Logging a browser in and out, for the pages (`auth`) and the JSON API (`api`) alike.

Sessions carry a fingerprint of the password hash (`SESSION_FINGERPRINT`): when the password
changes (reset, change on another device) every other session ends on its next request
(`session_is_stale`, checked by the `auth` blueprint before every request).
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import current_user, login_user, logout_user

from ...models import User
from ...services.password_tokens import password_fingerprint

SESSION_FINGERPRINT = "_pw"


def start_session(user: User) -> None:
    """Log in with a fresh session (no fixation), keeping only the chosen language.

    Without a choice made before logging in, the session takes the account's preferred language,
    so the pages (and the goodbye message) stay in it after logging out.
    """
    language = session.get("lang") or user.preferred_language
    session.clear()
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    login_user(user)
    remember_password(user)


def remember_password(user: User) -> None:
    """Keep this session valid after `user` changed their password (others end)."""
    session[SESSION_FINGERPRINT] = password_fingerprint(user)


def end_session() -> None:
    """Log out, keeping the chosen language."""
    logout_user()
    session.pop(SESSION_FINGERPRINT, None)


def session_is_stale() -> bool:
    """True if this session was opened before the account's password was changed or reset."""
    fingerprint = session.get(SESSION_FINGERPRINT)
    if fingerprint is None or not current_user.is_authenticated:
        return False
    return fingerprint != password_fingerprint(current_user)
