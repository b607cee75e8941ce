"""Logging in: who may, with which e-mail and password; every attempt leaves an audit event.

Plain functions: the session, `now` and the client's address are passed in. Refusals are the
`AuthError` family of `incubator.domain.accounts`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.accounts import AccountInactive, InvalidCredentials, NoPassword
from ..models import User
from . import audit
from .accounts import PasswordPolicy, find_by_email
from .transactions import write

DEFAULT_HASH_METHOD = "scrypt"
# A hash to check against when the e-mail is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH_CACHE: dict[str, str] = {}


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

    An unknown e-mail and a wrong password raise the same `InvalidCredentials` (and take about
    the same time). `AccountInactive` is only revealed to someone who knows the password.
    """
    user = find_by_email(session, email)
    if user is None:
        _spend_hash_time(password, policy.hash_method if policy else DEFAULT_HASH_METHOD)
        raise InvalidCredentials()
    if user.password_hash is None:
        if not user.active:
            raise AccountInactive()
        raise NoPassword()
    if not user.check_password(password):  # slow on purpose: before the write begins
        with write(session):
            audit.record(
                session, actor=None, action="user.login_failed", target=user, ip=ip, now=now
            )
        raise InvalidCredentials()
    if not user.active:
        raise AccountInactive()
    with write(session):
        user.last_login_dt = now
        audit.record(session, actor=user, action="user.login", target=user, ip=ip, now=now)
    return user


def _spend_hash_time(password: str, method: str) -> None:
    dummy = _DUMMY_HASH_CACHE.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH_CACHE[method] = generate_password_hash("not-a-password", method)
    check_password_hash(dummy, password)


def session_user(session: Session, user_id: str) -> User | None:
    """The user a session cookie names, if the account is still active.

    An account deactivated by a manager loses its open sessions on its next request.
    """
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user = session.get(User, int(user_id))
    return user if user is not None and user.active else None
