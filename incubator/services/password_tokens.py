"""Links to set a password: signed, timestamped, single-use tokens; "forgot your password?".

A token carries the user's id, a fingerprint of the current password hash (so it dies once the
password changes) and its purpose: `PURPOSE_RESET` (short-lived) or `PURPOSE_SETUP` (the first
password of an account a manager created; valid longer). `now` is passed in and also used to sign,
so nothing here reads the clock.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..domain.accounts import AccountInactive, TokenExpired, TokenInvalid, TokenUsed
from ..domain.errors import InvalidInput
from ..models import User
from . import audit
from .accounts import PasswordPolicy, find_by_email, set_password
from .authentication import WORK
from .transactions import write

RESET_SALT = "password-reset"
PURPOSE_RESET = "reset"  # "forgot your password": short-lived
PURPOSE_SETUP = "setup"  # first password of an account a manager created: valid longer
# A token signed this far in the future is not ours (clocks of two servers may differ a little).
CLOCK_SKEW = timedelta(minutes=5)
# Signs the token nobody receives when a reset is asked for an unknown or inactive address.
_NOBODY = User(id=0, password_hash=None)


def password_fingerprint(user: User) -> str:
    """A short digest of the current password hash: it changes whenever the password does.

    Put in a reset token it makes the token single-use; kept in the session it lets other
    sessions die when the password is changed.
    """
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    stamp = int(now.timestamp())

    class _Signer(TimestampSigner):
        """Signs with the injected `now` instead of reading the clock."""

        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT, signer=_Signer)


def make_password_token(
    user: User, *, secret_key: str, now: datetime, purpose: str = PURPOSE_RESET
) -> str:
    """A signed, timestamped link token to set a new password for `user`."""
    if purpose not in (PURPOSE_RESET, PURPOSE_SETUP):
        raise InvalidInput(f"unknown token purpose {purpose!r}")
    payload = {"u": user.id, "f": password_fingerprint(user), "p": purpose}
    return _serializer(secret_key, now).dumps(payload)


def verify_password_token(
    session: Session,
    token: str,
    *,
    secret_key: str,
    now: datetime,
    max_age: timedelta,
    setup_max_age: timedelta | None = None,
) -> User:
    """The user a token was issued to, if it is genuine, fresh and unused.

    Raises `TokenExpired` (older than `max_age`, or `setup_max_age` for set-up links),
    `TokenUsed` (the password changed since) or `TokenInvalid` (forged, mangled, unknown user).
    """
    try:
        payload, signed_at = _serializer(secret_key, now).loads(
            token, max_age=None, return_timestamp=True
        )
        user_id = int(payload["u"])
        fingerprint = str(payload["f"])
        purpose = str(payload.get("p", PURPOSE_RESET))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise TokenInvalid() from None
    limit = setup_max_age if purpose == PURPOSE_SETUP and setup_max_age else max_age
    age = now - signed_at
    if age > limit:
        raise TokenExpired()
    if age < -CLOCK_SKEW:
        raise TokenInvalid()
    user = session.get(User, user_id)
    if user is None or user.email is None:
        raise TokenInvalid()
    if not hmac.compare_digest(fingerprint, password_fingerprint(user)):
        raise TokenUsed()
    if not user.active:
        raise AccountInactive()
    return user


def request_password_reset(
    session: Session, email: str, *, secret_key: str, now: datetime, ip: str = ""
) -> tuple[int, str] | None:
    """The id of the active account with this e-mail and a token for it, or None (unknown or
    inactive).

    Callers must answer the same in every case, so the form reveals nothing about who has an
    account; the work is the same too: a token is signed (for a stand-in when there is no
    account) and one audit event written. The id is read before the write commits, so nothing
    more is loaded for a known address (the web layer sends the e-mail after the response).
    """
    user = find_by_email(session, email)
    wanted = user is not None and user.active
    token = make_password_token(user if wanted else _NOBODY, secret_key=secret_key, now=now)
    user_id = user.id if wanted and user is not None else None
    if not wanted:
        WORK["dummy_token"] += 1
    with write(session):
        audit.record(
            session,
            actor=None,
            action="user.password_reset_requested",
            target=user,
            details={} if wanted else {"sent": False},
            ip=ip,
            now=now,
        )
    return (user_id, token) if user_id is not None else None


def reset_password(
    session: Session,
    token: str,
    new_password: str,
    *,
    secret_key: str,
    now: datetime,
    max_age: timedelta,
    setup_max_age: timedelta | None = None,
    policy: PasswordPolicy,
    ip: str = "",
) -> User:
    """Set a new password through a token; the token cannot be used again afterwards."""
    user = verify_password_token(
        session,
        token,
        secret_key=secret_key,
        now=now,
        max_age=max_age,
        setup_max_age=setup_max_age,
    )
    set_password(
        session,
        actor=user,
        user=user,
        password=new_password,
        policy=policy,
        now=now,
        ip=ip,
        action="user.password_reset",
    )
    return user
