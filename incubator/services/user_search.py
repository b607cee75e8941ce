"""Finding user accounts: the managers' list with its filters, the command line's table, by id.

Plain reads: the session (and, where it matters, the acting user) are passed in; nothing here
writes. Searching for clients on the phone is `services.clients`, built on `search_users`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.errors import NotAllowed
from ..domain.people import phone_digits
from ..models import User

PER_PAGE = 50
MIN_QUERY_DIGITS = 3  # fewer digits in a query are part of a name or an e-mail, not a phone


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class UserFilters:
    """What the managers' list is narrowed to; None means "any"."""

    role: str | None = None
    query: str | None = None
    active: bool | None = None


def list_users(
    session: Session, actor: User, filters: UserFilters, *, page: int = 1, per_page: int = PER_PAGE
) -> UserPage:
    """One page of the managers' user list."""
    if not (actor.is_manager and actor.active):
        raise NotAllowed("only managers list user accounts")
    return search_users(
        session,
        role=filters.role,
        query=filters.query,
        active=filters.active,
        page=page,
        per_page=per_page,
    )


def search_users(
    session: Session,
    *,
    role: str | None = None,
    query: str | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
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
        digits = phone_digits(query)
        if len(digits) >= MIN_QUERY_DIGITS:
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


def all_users(session: Session, *, role: str | None = None) -> list[User]:
    """Every account (of one role), by role and name: the command line's table."""
    stmt = select(User).order_by(User.role, func.lower(User.full_name), User.id)
    if role:
        stmt = stmt.where(User.role == role)
    return list(session.scalars(stmt))


def get_user(session: Session, user_id: int) -> User | None:
    """The account with this id, active or not, or None."""
    return session.get(User, user_id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
