"""User accounts: registration, staff accounts, log-in, passwords and their reset, deactivation.

Plain functions: the database session, the acting user and `now` are passed in; nothing here reads
the request, the logged-in user or the clock. Every state change writes an audit event in the same
transaction and commits. Failures are `AccountError` subclasses with a stable `code`, which the
web layer and the CLI turn into messages.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import DomainError, InvalidInput, NotAllowed
from ..domain.passwords import load_common_passwords, password_problems
from ..models import Area, Branch, ClientProfile, ExpertProfile, Role, User
from . import audit

RESET_SALT = "password-reset"
PURPOSE_RESET = "reset"  # "forgot your password": short-lived
PURPOSE_SETUP = "setup"  # first password of an account a manager created: valid longer
LANGUAGES = ("pl", "en")
STAFF_ROLES = (Role.EXPERT, Role.MANAGER)
# A hash to check against when the e-mail is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH_CACHE: dict[str, str] = {}


# --- errors ---------------------------------------------------------------------------------


class AccountError(DomainError):
    """Base of the refusals only accounts make; `code` is stable and safe to show in an API."""

    code = "account_error"


class InvalidEmail(AccountError):
    code = "invalid_email"


class DuplicateEmail(AccountError):
    code = "duplicate_email"


class WeakPassword(AccountError):
    """The password breaks the policy; `problems` holds codes from `domain.passwords`."""

    code = "weak_password"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(", ".join(problems), field="password", problems=list(problems))
        self.problems = list(problems)


class ConsentRequired(AccountError):
    code = "consent_required"


class CannotDeactivateSelf(NotAllowed):
    code = "cannot_deactivate_self"


class WrongPassword(AccountError):
    """The current password given to change it is wrong."""

    code = "wrong_password"


class AuthError(AccountError):
    code = "auth_failed"


class InvalidCredentials(AuthError):
    """Unknown e-mail or wrong password: deliberately the same error for both."""

    code = "invalid_credentials"


class AccountInactive(AuthError):
    code = "account_inactive"


class NoPassword(AuthError):
    """The account exists but has no password yet (entered by staff, or invited)."""

    code = "no_password"


class TokenError(AccountError):
    code = "token_invalid"


class TokenInvalid(TokenError):
    code = "token_invalid"


class TokenUsed(TokenInvalid):
    """The token was valid, but the password has changed since it was issued."""

    code = "token_used"


class TokenExpired(TokenError):
    code = "token_expired"


# --- policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordPolicy:
    """How passwords are checked and hashed; built from the app config by `from_config`."""

    min_length: int
    hash_method: str
    common: frozenset[str] = field(repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PasswordPolicy:
        return cls(
            min_length=int(config["PASSWORD_MIN_LENGTH"]),
            hash_method=config["PASSWORD_HASH_METHOD"],
            common=load_common_passwords(),
        )

    def problems(self, password: str, *, email: str | None, name: str | None) -> list[str]:
        return password_problems(
            password, min_length=self.min_length, email=email, name=name, common=self.common
        )

    def check(self, password: str, *, email: str | None, name: str | None) -> None:
        problems = self.problems(password, email=email, name=name)
        if problems:
            raise WeakPassword(problems)

    def hash(self, password: str) -> str:
        return generate_password_hash(password, method=self.hash_method)


@dataclass(frozen=True)
class ExpertDetails:
    """What a manager fills in for a new expert."""

    title: str = ""
    bio: str = ""
    default_length_min: int = 60
    domain_ids: Sequence[int] = ()
    branch_ids: Sequence[int] = ()


# --- e-mail ---------------------------------------------------------------------------------


def normalise_email(raw: str | None) -> str:
    """Strip and lower-case an address after checking its syntax (no DNS look-up).

    The whole address is lower-cased: mailbox names are case-sensitive in theory, but no mail
    server people use treats them so, and one person must not get two accounts.
    """
    candidate = (raw or "").strip()
    if not candidate:
        raise InvalidEmail("empty e-mail address")
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return result.normalized.lower()


def find_by_email(session: Session, email: str) -> User | None:
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return None
    return session.scalar(select(User).where(User.email == address))


def ensure_email_free(session: Session, email: str) -> None:
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateEmail(email)


def save_new_user(session: Session, email: str | None, *, flush: bool = False) -> None:
    """Flush or commit; losing a race on the unique e-mail index becomes DuplicateEmail.

    The earlier look-up catches the usual case; this catches two registrations at once. The
    transaction is rolled back, so nothing of the account (profile, audit event) is left behind.
    """
    try:
        if flush:
            session.flush()
        else:
            session.commit()
    except IntegrityError:
        session.rollback()
        if email is not None and session.scalar(select(User.id).where(User.email == email)):
            raise DuplicateEmail(email) from None
        raise


def clean_name(full_name: str) -> str:
    name = " ".join((full_name or "").split())
    if not name:
        raise InvalidInput("full name is required")
    if len(name) > 160:
        raise InvalidInput("full name is too long")
    return name


def clean_phone(phone: str | None) -> str:
    phone = " ".join((phone or "").split())
    if len(phone) > 40:
        raise InvalidInput("phone number is too long")
    return phone


def _clean_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InvalidInput(f"unknown language {language!r}")
    return language


# --- creating accounts ----------------------------------------------------------------------


def register_client(
    session: Session,
    *,
    full_name: str,
    email: str,
    password: str,
    phone: str = "",
    preferred_language: str = "pl",
    consent: bool,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
) -> User:
    """Self-registration of a client. `consent`: the RODO information clause was accepted."""
    if not consent:
        raise ConsentRequired("the information clause must be accepted")
    email = normalise_email(email)
    full_name = clean_name(full_name)
    policy.check(password, email=email, name=full_name)
    ensure_email_free(session, email)
    user = User(
        email=email,
        full_name=full_name,
        phone=clean_phone(phone),
        role=Role.CLIENT,
        preferred_language=_clean_language(preferred_language),
        password_hash=policy.hash(password),
        created_at_dt=now,
        consent_dt=now,
        client_profile=ClientProfile(),
    )
    session.add(user)
    save_new_user(session, email, flush=True)
    audit.record(session, actor=user, action="user.registered", target=user, ip=ip, now=now)
    save_new_user(session, email)
    return user


def create_account(
    session: Session,
    *,
    actor: User | None,
    role: str,
    email: str,
    full_name: str,
    phone: str = "",
    password: str | None = None,
    preferred_language: str = "pl",
    expert: ExpertDetails | None = None,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
) -> User:
    """Create an account of any role. `actor` None means the system (the command line).

    With `password` None the account cannot log in until its owner sets a password through a
    link (see `make_password_token` with `PURPOSE_SETUP`).
    """
    if actor is not None and not (actor.is_manager and actor.active):
        raise NotAllowed("only managers create accounts")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}") from None
    email = normalise_email(email)
    full_name = clean_name(full_name)
    if password is not None:
        policy.check(password, email=email, name=full_name)
    ensure_email_free(session, email)
    user = User(
        email=email,
        full_name=full_name,
        phone=clean_phone(phone),
        role=role,
        preferred_language=_clean_language(preferred_language),
        password_hash=policy.hash(password) if password is not None else None,
        created_at_dt=now,
        created_by_id=actor.id if actor is not None else None,
    )
    if role == Role.CLIENT:
        user.client_profile = ClientProfile()
    elif role == Role.EXPERT:
        user.expert_profile = _expert_profile(session, expert or ExpertDetails())
    session.add(user)
    save_new_user(session, email, flush=True)
    audit.record(
        session,
        actor=actor,
        action="user.created",
        target=user,
        details={"role": str(role), "with_password": password is not None},
        ip=ip,
        now=now,
    )
    save_new_user(session, email)
    return user


def create_staff_account(
    session: Session,
    *,
    actor: User,
    role: str,
    email: str,
    full_name: str,
    phone: str = "",
    password: str | None = None,
    preferred_language: str = "pl",
    expert: ExpertDetails | None = None,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
) -> User:
    """A manager creates an expert (with an ExpertProfile) or another manager."""
    if actor is None or not actor.is_manager:
        raise NotAllowed("only managers create staff accounts")
    if role not in STAFF_ROLES:
        raise InvalidInput(f"{role!r} is not a staff role")
    return create_account(
        session,
        actor=actor,
        role=role,
        email=email,
        full_name=full_name,
        phone=phone,
        password=password,
        preferred_language=preferred_language,
        expert=expert,
        policy=policy,
        now=now,
        ip=ip,
    )


def _expert_profile(session: Session, details: ExpertDetails) -> ExpertProfile:
    if not 15 <= details.default_length_min <= 480:
        raise InvalidInput("default consultation length must be 15-480 minutes")
    domains = _load_all(session, Area, details.domain_ids)
    branches = _load_all(session, Branch, details.branch_ids)
    return ExpertProfile(
        title=(details.title or "").strip()[:40],
        bio=(details.bio or "").strip(),
        default_length_min=details.default_length_min,
        domains=domains,
        branches=branches,
    )


def _load_all(session: Session, model: type, ids: Iterable[int]) -> list:
    wanted = set(ids)
    if not wanted:
        return []
    rows = list(session.scalars(select(model).where(model.id.in_(wanted))))
    if len(rows) != len(wanted):
        raise InvalidInput(f"unknown {model.__name__} id")
    return rows


# --- logging in -----------------------------------------------------------------------------


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
        _spend_hash_time(password, policy.hash_method if policy else "scrypt")
        raise InvalidCredentials()
    if user.password_hash is None:
        if not user.active:
            raise AccountInactive()
        raise NoPassword()
    if not user.check_password(password):
        audit.record(session, actor=None, action="user.login_failed", target=user, ip=ip, now=now)
        session.commit()
        raise InvalidCredentials()
    if not user.active:
        raise AccountInactive()
    user.last_login_dt = now
    audit.record(session, actor=user, action="user.login", target=user, ip=ip, now=now)
    session.commit()
    return user


def _spend_hash_time(password: str, method: str) -> None:
    dummy = _DUMMY_HASH_CACHE.get(method)
    if dummy is None:
        dummy = _DUMMY_HASH_CACHE[method] = generate_password_hash("not-a-password", method)
    check_password_hash(dummy, password)


# --- profile and passwords ------------------------------------------------------------------


def update_profile(
    session: Session,
    *,
    user: User,
    full_name: str,
    phone: str,
    preferred_language: str,
    now: datetime,
    ip: str = "",
) -> list[str]:
    """Change the editable fields of one's own account; returns the names of changed fields."""
    new = {
        "full_name": clean_name(full_name),
        "phone": clean_phone(phone),
        "preferred_language": _clean_language(preferred_language),
    }
    changed = [name for name, value in new.items() if getattr(user, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(user, name, new[name])
    # Field names only: the audit trail must not become a second copy of personal data.
    audit.record(
        session,
        actor=user,
        action="user.profile_updated",
        target=user,
        details={"fields": changed},
        ip=ip,
        now=now,
    )
    session.commit()
    return changed


def change_password(
    session: Session,
    *,
    user: User,
    current_password: str,
    new_password: str,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
) -> None:
    if not user.check_password(current_password):
        raise WrongPassword()
    problems = policy.problems(new_password, email=user.email, name=user.full_name)
    if new_password == current_password:
        problems.append("same_as_current")
    if problems:
        raise WeakPassword(problems)
    user.password_hash = policy.hash(new_password)
    audit.record(session, actor=user, action="user.password_changed", target=user, ip=ip, now=now)
    session.commit()


def set_password(
    session: Session,
    *,
    actor: User | None,
    user: User,
    password: str,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
) -> None:
    """Set a password without knowing the old one (command line; `actor` None = system)."""
    policy.check(password, email=user.email, name=user.full_name)
    user.password_hash = policy.hash(password)
    audit.record(session, actor=actor, action="user.password_set", target=user, ip=ip, now=now)
    session.commit()


def set_active(
    session: Session,
    *,
    actor: User,
    user: User,
    active: bool,
    now: datetime,
    ip: str = "",
) -> bool:
    """Deactivate or reactivate an account; returns False when nothing changed.

    A manager cannot deactivate themselves: it would lock out the last manager in a small team.
    """
    if not actor.is_manager:
        raise NotAllowed("only managers change account status")
    if actor.id == user.id and not active:
        raise CannotDeactivateSelf()
    if user.active == active:
        return False
    user.active = active
    action = "user.reactivated" if active else "user.deactivated"
    audit.record(session, actor=actor, action=action, target=user, ip=ip, now=now)
    session.commit()
    return True


# --- password reset tokens ------------------------------------------------------------------


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
    if age < -timedelta(minutes=5):  # signed in the future: not ours
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
) -> tuple[User, str] | None:
    """A token for the active account with this e-mail, or None (unknown or inactive).

    Callers must answer the same in both cases, so the form reveals nothing about who has an
    account.
    """
    user = find_by_email(session, email)
    if user is None or not user.active:
        return None
    token = make_password_token(user, secret_key=secret_key, now=now)
    audit.record(
        session, actor=None, action="user.password_reset_requested", target=user, ip=ip, now=now
    )
    session.commit()
    return user, token


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
    policy.check(new_password, email=user.email, name=user.full_name)
    user.password_hash = policy.hash(new_password)
    audit.record(session, actor=user, action="user.password_reset", target=user, ip=ip, now=now)
    session.commit()
    return user


# --- listing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_users(
    session: Session,
    *,
    role: str | None = None,
    query: str | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> UserPage:
    """Users by role, activity and a search over name, e-mail and phone, ordered by name.

    Digits in the query also match phone numbers written with spaces or dashes.
    """
    conditions = []
    if role:
        conditions.append(User.role == role)
    if active is not None:
        conditions.append(User.active.is_(active))
    query = (query or "").strip()
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        options = [
            func.lower(User.full_name).like(pattern, escape="\\"),
            func.lower(User.email).like(pattern, escape="\\"),
            User.phone.like(pattern, escape="\\"),
        ]
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 3:
            bare_phone = func.replace(func.replace(User.phone, " ", ""), "-", "")
            options.append(bare_phone.like(f"%{digits}%"))
        conditions.append(or_(*options))
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    page = max(1, page)
    rows = session.scalars(
        select(User)
        .where(*conditions)
        .order_by(func.lower(User.full_name), User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return UserPage(users=list(rows), total=total, page=page, per_page=per_page)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
