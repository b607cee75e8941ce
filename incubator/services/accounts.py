"""User accounts: creating them, looking them up by e-mail, changing profiles, passwords, status.

Plain functions: the database session, the acting user and `now` are passed in; nothing here reads
the request, the logged-in user or the clock. Every state change writes an audit event in the same
transaction and commits. Refusals are the `incubator.domain.accounts` errors (and the shared
`InvalidInput`, `NotAllowed`), which the web layer and the CLI turn into messages.

Logging in is `services.authentication`, password links are `services.password_tokens`, finding
users is `services.user_search`; what names, phones and addresses must look like is
`domain.people`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..domain.accounts import (
    CannotDeactivateSelf,
    ConsentRequired,
    DuplicateEmail,
    InvalidEmail,
    WeakPassword,
    WrongPassword,
)
from ..domain.erasure import AlreadyErased
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.passwords import load_common_passwords, password_problems
from ..domain.people import (
    INFORMED_ON_PAGE,
    clean_language,
    clean_name,
    clean_phone,
    email_candidate,
    fold_email,
)
from ..models import Area, Branch, ClientProfile, ExpertProfile, Role, User
from . import audit
from .transactions import write

STAFF_ROLES = (Role.EXPERT, Role.MANAGER)


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

    The syntax check is the `email-validator` library, which the domain may not import; the rest
    of the rule is `domain.people` (`email_candidate`, `fold_email`).
    """
    candidate = email_candidate(raw)
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return fold_email(result.normalized)


def find_by_email(session: Session, email: str) -> User | None:
    try:
        address = normalise_email(email)
    except InvalidEmail:
        return None
    return session.scalar(select(User).where(User.email == address))


def ensure_email_free(session: Session, email: str) -> None:
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateEmail(email)


def insert_user(
    session: Session,
    user: User,
    *,
    actor: User | None,
    action: str,
    details: Mapping[str, Any] | None = None,
    ip: str = "",
    now: datetime,
) -> User:
    """Add a checked new `user` with its audit event, in one write.

    The e-mail was looked up before; losing a race on the unique e-mail index to a registration
    at the same moment becomes `DuplicateEmail`, and nothing of the account (profile, audit
    event) is left behind.
    """
    email = user.email

    def duplicate(failure: BaseException) -> BaseException:
        taken = email is not None and session.scalar(select(User.id).where(User.email == email))
        return DuplicateEmail(email) if taken else failure

    with write(session, on_conflict=duplicate):
        session.add(user)
        session.flush()
        audit.record(
            session, actor=actor, action=action, target=user, details=details, ip=ip, now=now
        )
    return user


# --- creating accounts ----------------------------------------------------------------------


def _new_user(
    session: Session,
    *,
    role: Role,
    email: str,
    full_name: str,
    phone: str,
    password: str | None,
    preferred_language: str,
    policy: PasswordPolicy,
    now: datetime,
) -> User:
    """An unsaved User after every check: address, name, password policy, free address."""
    email = normalise_email(email)
    full_name = clean_name(full_name)
    phone = clean_phone(phone)
    if password is not None:
        policy.check(password, email=email, name=full_name)
    # Hashed before the address is checked, so "already registered" costs what success does.
    password_hash = policy.hash(password) if password is not None else None
    ensure_email_free(session, email)
    return User(
        email=email,
        full_name=full_name,
        phone=phone,
        role=role,
        preferred_language=clean_language(preferred_language),
        password_hash=password_hash,
        created_at_dt=now,
    )


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
    user = _new_user(
        session,
        role=Role.CLIENT,
        email=email,
        full_name=full_name,
        phone=phone,
        password=password,
        preferred_language=preferred_language,
        policy=policy,
        now=now,
    )
    user.consent_dt, user.informed_via = now, INFORMED_ON_PAGE
    user.client_profile = ClientProfile()
    return insert_user(session, user, actor=user, action="user.registered", ip=ip, now=now)


def note_registration_attempt(
    session: Session, email: str, *, now: datetime, ip: str = ""
) -> int | None:
    """Record that someone tried to register an address that has an account; returns the
    owner's id (read before the write commits, so the owner is not loaded again).

    The visitor is answered as if the registration had worked (no one learns who has an
    account); the owner is told by e-mail instead (`web.common.passwords`). The audit write
    keeps the work close to a real registration's.
    """
    owner = find_by_email(session, email)
    owner_id = owner.id if owner is not None else None
    with write(session):
        audit.record(
            session, actor=None, action="user.registration_attempt", target=owner, ip=ip, now=now
        )
    return owner_id


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
    link (see `password_tokens.make_password_token` with `PURPOSE_SETUP`).
    """
    if actor is not None and not (actor.is_manager and actor.active):
        raise NotAllowed("only managers create accounts")
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}") from None
    user = _new_user(
        session,
        role=role,
        email=email,
        full_name=full_name,
        phone=phone,
        password=password,
        preferred_language=preferred_language,
        policy=policy,
        now=now,
    )
    user.created_by_id = actor.id if actor is not None else None
    if role == Role.CLIENT:
        user.client_profile = ClientProfile()
    elif role == Role.EXPERT:
        user.expert_profile = _expert_profile(session, expert or ExpertDetails())
    details = {"role": str(role), "with_password": password is not None}
    return insert_user(
        session, user, actor=actor, action="user.created", details=details, ip=ip, now=now
    )


def create_staff_account(
    session: Session,
    *,
    actor: User,
    role: str,
    policy: PasswordPolicy,
    now: datetime,
    **fields: Any,
) -> User:
    """A manager creates an expert (with an ExpertProfile) or another manager.

    `fields` are those of `create_account`: email, full_name, phone, password, preferred_language,
    expert, ip.
    """
    if actor is None or not actor.is_manager:
        raise NotAllowed("only managers create staff accounts")
    if role not in STAFF_ROLES:
        raise InvalidInput(f"{role!r} is not a staff role")
    return create_account(session, actor=actor, role=role, policy=policy, now=now, **fields)


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


# --- profile --------------------------------------------------------------------------------


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
        "preferred_language": clean_language(preferred_language),
    }
    return _save_profile(session, user, new, now=now, ip=ip)


def set_preferred_language(
    session: Session, *, user: User, language: str, now: datetime, ip: str = ""
) -> bool:
    """Remember the language the user chose on a page; returns False when it was already set."""
    new = {"preferred_language": clean_language(language)}
    return bool(_save_profile(session, user, new, now=now, ip=ip))


def apply_changes(target: object, new: Mapping[str, object]) -> list[str]:
    """Set the attributes of `target` that differ from `new`; returns their names (for the
    audit trail, which records which fields changed, never their values)."""
    changed = [name for name, value in new.items() if getattr(target, name) != value]
    for name in changed:
        setattr(target, name, new[name])
    return changed


def _save_profile(
    session: Session, user: User, new: Mapping[str, str], *, now: datetime, ip: str
) -> list[str]:
    with write(session):
        changed = apply_changes(user, new)
        if changed:
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
    return changed


# --- passwords and status -------------------------------------------------------------------


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
    password_hash = policy.hash(new_password)  # slow on purpose: before the write begins
    with write(session):
        user.password_hash = password_hash
        end_all_sessions(user)  # the caller keeps its own session (web.common.sessions)
        audit.record(
            session, actor=user, action="user.password_changed", target=user, ip=ip, now=now
        )


def set_password(
    session: Session,
    *,
    actor: User | None,
    user: User,
    password: str,
    policy: PasswordPolicy,
    now: datetime,
    ip: str = "",
    action: str = "user.password_set",
) -> None:
    """Set a password without knowing the old one; commits.

    The command line (`actor` None = system) records "user.password_set"; a password link
    (`password_tokens.reset_password`) records "user.password_reset".
    """
    if user.is_erased:
        raise AlreadyErased(person_id=user.id)
    policy.check(password, email=user.email, name=user.full_name)
    password_hash = policy.hash(password)  # slow on purpose: before the write begins
    with write(session):
        user.password_hash = password_hash
        end_all_sessions(user)
        audit.record(session, actor=actor, action=action, target=user, ip=ip, now=now)


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
    if user.is_erased and active:
        raise AlreadyErased(person_id=user.id)  # an anonymised account never comes back
    with write(session):
        if user.active == active:
            return False
        user.active = active
        end_all_sessions(user)  # a reactivated account does not get its old sessions back
        action = "user.reactivated" if active else "user.deactivated"
        audit.record(session, actor=actor, action=action, target=user, ip=ip, now=now)
    return True


def end_all_sessions(user: User) -> None:
    """End every open session of `user` (inside the caller's write): raise its generation.

    An SQL increment, so two concurrent bumps both count; the new value is read back on access.
    """
    user.session_generation = User.session_generation + 1
