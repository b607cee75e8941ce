"""Logging in and out, and which sessions are still valid; every attempt leaves an audit event.

Plain functions: the session, `now` and the client's address are passed in. Refusals are the
`AuthError` family of `incubator.domain.accounts`.

Enumeration: every failed log-in does the same work — one password-hash check (against a dummy
hash when the address is unknown or the account has no password yet) and one audit write — and
raises the same `InvalidCredentials`. A staff-entered client without a password is therefore
told nothing different from a wrong password: a password can never be "right" for an account
that has none, and the login page's "Forgot your password?" link is how its owner sets one.
`AccountInactive` is only revealed to someone who knows the password. `WORK` counts the dummy
hash checks, so tests can see the same work is done without timing anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.accounts import AccountInactive, InvalidCredentials
from ..models import User
from . import audit
from .accounts import PasswordPolicy, end_all_sessions, find_by_email
from .transactions import write

DEFAULT_HASH_METHOD = "scrypt"
# A hash to check against when there is no real one, so a miss takes as long as a wrong password.
_DUMMY_HASH_CACHE: dict[str, str] = {}
# Work done for nothing, so every answer costs the same: "dummy_hash" (log-in), "dummy_token"
# (password reset for an unknown or inactive address). Read by tests and bench/enumeration.py.
WORK: Counter[str] = Counter()


def authenticate(
    session: Session,
    email: str,
    password: str,
    now: datetime,
    *,
    policy: PasswordPolicy | None = None,
    ip: str = "",
) -> User:
    """The user with this e-mail and password, who may log in; records the log-in.

    An unknown e-mail, an account without a password and a wrong password raise the same
    `InvalidCredentials` after the same work (one hash check, one audit event).
    """
    user = find_by_email(session, email)
    if user is None or user.password_hash is None:
        spend_hash_time(password, policy.hash_method if policy else DEFAULT_HASH_METHOD)
        right = False
    else:
        right = user.check_password(password)  # slow on purpose: before the write begins
    if not right:
        reason = "unknown" if user is None else "no_password" if not user.password_hash else ""
        with write(session):
            audit.record(
                session,
                actor=None,
                action="user.login_failed",
                target=user,
                details={"reason": reason or "wrong_password"},
                ip=ip,
                now=now,
            )
        raise InvalidCredentials()
    assert user is not None
    if not user.active:
        raise AccountInactive()
    with write(session):
        user.last_login_dt = now
        audit.record(session, actor=user, action="user.login", target=user, ip=ip, now=now)
    return user


def spend_hash_time(password: str, method: str) -> None:
    """Check `password` against a dummy hash of `method`: the cost of a real check, no answer."""
    dummy = _DUMMY_HASH_CACHE.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH_CACHE[method] = generate_password_hash("not-a-password", method)
    check_password_hash(dummy, password)
    WORK["dummy_hash"] += 1


def log_out(session: Session, user: User, *, now: datetime, ip: str = "") -> None:
    """End every open session of `user` (this browser's and any copy of its cookie)."""
    with write(session):
        end_all_sessions(user)
        audit.record(session, actor=user, action="user.logout", target=user, ip=ip, now=now)


# --- which sessions are valid ---------------------------------------------------------------


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: `idle` without a request, `lifetime` after logging in."""

    idle: timedelta
    lifetime: timedelta


def session_expired(
    *, started: float | None, last_seen: float | None, now: datetime, limits: SessionLimits
) -> bool:
    """True if a session opened at `started` and last used at `last_seen` (POSIX seconds) has
    outlived its idle timeout or its absolute lifetime; a session without them is expired."""
    if started is None or last_seen is None:
        return True
    moment = now.timestamp()
    if moment - last_seen > limits.idle.total_seconds():
        return True
    return moment - started > limits.lifetime.total_seconds()


def session_user(session: Session, user_id: str, generation: object) -> User | None:
    """The user a session cookie names, if the account is active and the session still valid.

    `generation` is the account's session generation when the session was opened: logging out,
    changing or resetting the password, deactivation and reactivation raise it, which ends every
    session opened before.
    """
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    if not isinstance(generation, int) or isinstance(generation, bool):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user
