"""Browsing the audit trail: managers only, filtered, newest first, one page at a time.

A plain read: nothing here writes (and the database would refuse any change to the trail,
migration 0014). The person filter finds the entries about the person and about every record
merged into theirs (`audit.subject_ids`), since merging never rewrites the trail. Names come from
the accounts as they are now; an id whose account is gone has no name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..domain.audit_trail import PER_PAGE, AuditFilters, check_page, parse_filters
from ..domain.errors import NotAllowed
from ..models import AuditEvent, User
from .audit import subject_ids

SYSTEM = "system"  # the actor of entries written by the command line or for anonymous visitors


@dataclass(frozen=True)
class Person:
    id: int
    name: str | None  # None: no such account any more (merged or removed)
    role: str | None


@dataclass(frozen=True)
class AuditRow:
    """One entry as the managers see it: names and ids, never the data itself."""

    id: int
    at: datetime
    actor: Person | None  # None: the system
    action: str
    subject: Person | None
    target_type: str
    target_id: int | None
    details: dict[str, Any]
    ip: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def may_browse(viewer: User) -> bool:
    return viewer.is_manager and viewer.active


def check_may_browse(viewer: User) -> None:
    if not may_browse(viewer):
        raise NotAllowed("only managers browse the audit trail")


def browse_query(
    session: Session, viewer: User, args: Mapping[str, str | None], *, per_page: int = PER_PAGE
) -> tuple[AuditFilters, AuditPage]:
    """The page a query string asks for (`domain.audit_trail.parse_filters`): who may look is
    checked before the filters are read, so a client never learns which filters are valid."""
    check_may_browse(viewer)
    filters, page = parse_filters(args)
    return filters, browse(session, viewer, filters, page=page, per_page=per_page)


def browse(
    session: Session,
    viewer: User,
    filters: AuditFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """One page of the entries matching `filters`, newest first, with how many match in all."""
    check_may_browse(viewer)
    filters.check()
    check_page(page)
    stmt = _filtered(session, filters)
    total = session.scalar(stmt.with_only_columns(func.count(AuditEvent.id))) or 0
    events = list(
        session.scalars(
            stmt.order_by(AuditEvent.at_dt.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return AuditPage(rows=_rows(session, events), total=total, page=page, per_page=per_page)


def _filtered(session: Session, filters: AuditFilters) -> Select:
    stmt = select(AuditEvent)
    if filters.person_id is not None:
        ids = subject_ids(session, filters.person_id)
        stmt = stmt.where(AuditEvent.subject_id.in_(sorted(ids)))
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.action:
        if filters.is_family:
            stmt = stmt.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            stmt = stmt.where(AuditEvent.action == filters.action)
    start, end = filters.instants()
    if start is not None:
        stmt = stmt.where(AuditEvent.at_dt >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at_dt < end)
    return stmt


def people(session: Session, ids: Iterable[int | None]) -> dict[int, Person]:
    """Who the ids of audit entries name now, by id, in one query (gone accounts are absent)."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.full_name, User.role).where(User.id.in_(wanted))
    ).all()
    return {row.id: Person(id=row.id, name=row.full_name, role=str(row.role)) for row in rows}


def _rows(session: Session, events: list[AuditEvent]) -> list[AuditRow]:
    named = people(session, [e.actor_id for e in events] + [e.subject_id for e in events])

    def person(person_id: int | None) -> Person | None:
        if person_id is None:
            return None
        return named.get(person_id) or Person(id=person_id, name=None, role=None)

    return [
        AuditRow(
            id=e.id,
            at=e.at_dt,
            actor=person(e.actor_id),
            action=e.action,
            subject=person(e.subject_id),
            target_type=e.target_type or "",
            target_id=e.target_id,
            details=dict(e.details) if isinstance(e.details, dict) else {},
            ip=e.ip or "",
        )
        for e in events
    ]
