"""Clients as staff meet them on the phone: find one, or enter a new one with a name and a phone.

A client entered by staff has no password (and often no e-mail): the account exists so that a
consultation can be booked for the person and counted as support given. The RODO information
clause must have been read out to them first; `consent_dt` records when staff confirmed that, and
`informed_via` = "phone" how.

Plain functions: the session, the acting user and `now` are passed in. Failures are the account
refusals (`ConsentRequired`, `InvalidEmail`, `DuplicateEmail` from `domain.accounts`) and the shared
`InvalidInput`, `NotAllowed`, so the web layer maps them the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.accounts import ConsentRequired
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.participants import PersonKeys
from ..domain.people import (
    INFORMED_BY_PHONE,
    clean_name,
    clean_phone,
    local_phone_digits,
    mask_email,
    mask_phone,
    phone_digits,
)
from ..models import (
    ClientProfile,
    FoundingGroupMember,
    Role,
    User,
)
from . import audit
from .accounts import ensure_email_free, insert_user, normalise_email
from .participants import Duplicate, advised_by, find_duplicates
from .transactions import write
from .user_search import search_users

SEARCH_LIMIT = 20
MIN_PHONE_DIGITS = 6


def search_clients(session: Session, query: str, *, limit: int = SEARCH_LIMIT) -> list[User]:
    """Active clients whose name, e-mail or phone contains `query` (phone digits match however
    the number was written), by name. An empty query finds nobody: staff always search."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    return search_users(session, role=Role.CLIENT, query=query, active=True, per_page=limit).users


@dataclass(frozen=True)
class ClientMatch:
    """A client as the staff booking page shows them: full contact details, or masked ones."""

    client: User
    phone: str
    email: str
    masked: bool


def find_clients_to_book(
    session: Session, *, actor: User, query: str, now: datetime, ip: str = ""
) -> list[ClientMatch]:
    """Staff look for the client a consultation is for; every search is audited.

    A manager sees the contact details. An expert sees what booking needs — the name and a
    masked phone and e-mail, enough to tell two people apart on the phone — except for clients
    who have booked with them, whose details they already have (RODO: data minimisation). The
    audit event names the clients shown, not the query, so the trail is no second copy of it.
    """
    if not actor.is_staff:
        raise NotAllowed(reason="clients")
    found = search_clients(session, query)
    known = advised_by(session, actor.id, [c.id for c in found]) if actor.is_expert else set()
    matches = [
        ClientMatch(c, c.phone, c.email or "", masked=False)
        if actor.is_manager or c.id in known
        else ClientMatch(c, mask_phone(c.phone), mask_email(c.email), masked=True)
        for c in found
    ]
    with write(session):
        audit.record(
            session,
            actor=actor,
            action="client.searched",
            details={
                "shown": [c.id for c in found],
                "masked": [m.client.id for m in matches if m.masked],
            },
            ip=ip,
            now=now,
        )
    return matches


def clients_with_phone(session: Session, phone: str) -> list[User]:
    """Clients whose phone number has the same digits (spaces, dashes and +48 aside)."""
    if len(phone_digits(phone)) < MIN_PHONE_DIGITS:
        return []
    local = local_phone_digits(phone)
    bare = func.replace(
        func.replace(func.replace(func.replace(User.phone, " ", ""), "-", ""), "(", ""), ")", ""
    )
    stmt = (
        select(User)
        .where(User.role == Role.CLIENT, bare.like(f"%{local}"))
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(stmt))


def likely_duplicates(
    session: Session, *, full_name: str, phone: str, email: str | None = None
) -> list[Duplicate]:
    """Clients who may be the person staff are about to enter, with the reasons (same phone,
    e-mail...). The view shows them before creating, and creates only when staff confirm."""
    keys = PersonKeys.of(email=email, phone=phone, full_name=full_name)
    return find_duplicates(session, keys)


def create_phone_client(
    session: Session,
    *,
    actor: User,
    full_name: str,
    phone: str,
    email: str | None = None,
    rodo_clause_read: bool,
    now: datetime,
    ip: str = "",
) -> User:
    """A client entered by staff (expert or manager) during a phone call; no password.

    `rodo_clause_read`: staff confirm the RODO information clause (art. 13 GDPR) was read out to
    the person; its time is kept as `consent_dt`, like the tick at self-registration, and
    `informed_via` is "phone".
    """
    if actor is None or not actor.is_staff or not actor.active:
        raise NotAllowed("only experts and managers enter clients")
    if not rodo_clause_read:
        raise ConsentRequired(
            "the information clause must be read out to the client", reason="read_out"
        )
    full_name = clean_name(full_name)
    phone = clean_phone(phone)
    if len(phone_digits(phone)) < MIN_PHONE_DIGITS:
        raise InvalidInput("a phone number is required")
    address = normalise_email(email) if (email or "").strip() else None
    if address is not None:
        ensure_email_free(session, address)
    user = User(
        email=address,
        full_name=full_name,
        phone=phone,
        role=Role.CLIENT,
        preferred_language="pl",
        password_hash=None,
        created_at_dt=now,
        consent_dt=now,
        informed_via=INFORMED_BY_PHONE,
        created_by_id=actor.id,
        client_profile=ClientProfile(),
    )
    # Facts only, no personal data: the audit trail must not become a second copy of it.
    return insert_user(
        session,
        user,
        actor=actor,
        action="client.created_by_staff",
        details={"rodo_clause_read_out": True, "with_email": address is not None},
        ip=ip,
        now=now,
    )


def get_client(session: Session, client_id: int) -> User | None:
    """The active client with this id, or None."""
    user = session.get(User, client_id)
    if user is None or user.role != Role.CLIENT or not user.active:
        return None
    return user


def group_companions(session: Session, client: User) -> list[User]:
    """Active clients who are current members of a founding group with `client`, by name.

    These are the people who may be added to the client's consultation as attendees.
    """
    groups = select(FoundingGroupMember.group_id).where(
        FoundingGroupMember.user_id == client.id, FoundingGroupMember.left_date.is_(None)
    )
    stmt = (
        select(User)
        .join(FoundingGroupMember, FoundingGroupMember.user_id == User.id)
        .where(
            FoundingGroupMember.group_id.in_(groups),
            FoundingGroupMember.left_date.is_(None),
            User.id != client.id,
            User.role == Role.CLIENT,
            User.active.is_(True),
        )
        .distinct()
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(stmt))


__all__ = [
    "clients_with_phone",
    "create_phone_client",
    "get_client",
    "group_companions",
    "likely_duplicates",
    "search_clients",
]
