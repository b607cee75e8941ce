"""Subscribable calendar feeds (issue #13): secret addresses that calendars poll without a login.

Who may have which feed (the one place that says so):

* an expert: one feed of their own consultations (as the expert);
* a client: one feed of the consultations they are booked for or attend (a group's too);
* a manager: one feed per active office, holding the consultations there *and at its filie*
  (a filia is run from its parent office, as the reports count it by default); no own feed.

A feed holds the consultations from the local day 30 days ago onwards, cancelled ones included
(so subscribed calendars drop them: same UID, higher SEQUENCE, ``STATUS:CANCELLED``). Its address
carries a random token (``secrets.token_urlsafe(32)``); the token is created the first time the
owner looks at their account page or asks the API, and regenerating overwrites it in one write,
so the old address answers 404 at once. So does the address of a deactivated user, of an office
that was closed or became a filia, or of a scope that no longer fits the owner's role. Which
consultations a feed holds is asked of `services.consultations.list_consultations`, the same
rule the pages use; what an entry shows (never private notes, never contact data) is decided in
`exports.calendar_entry`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..domain.calendar import local_date
from ..domain.errors import InvalidInput, NotAllowed, UnknownBranch
from ..models import (
    Branch,
    CalendarFeed,
    Consultation,
    EventRegistration,
    EventSession,
    RegistrationStatus,
    User,
    event_trainers,
)
from . import audit
from .consultations import list_consultations
from .transactions import write

FEED_PAST = timedelta(days=30)
TOKEN_BYTES = 32  # 256 random bits; 43 URL-safe characters
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{20,64}")
REGENERATED = "calendar_feed.regenerated"

Audience = Literal["client", "expert", "office"]


@dataclass(frozen=True)
class Feed:
    """A resolved feed: whose it is, which office (managers), and what it holds."""

    owner: User
    office: Branch | None
    consultations: list[Consultation]
    sessions: list[EventSession] = field(default_factory=list)  # events they train or attend

    @property
    def audience(self) -> Audience:
        if self.office is not None:
            return "office"
        return "expert" if self.owner.is_expert else "client"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_well_formed(token: str) -> bool:
    """Whether `token` could be one of ours (anything else is refused before a query)."""
    return bool(_WELL_FORMED.fullmatch(token))


def offices(session: Session) -> list[Branch]:
    """The offices managers have feeds for: active, not a filia, by name."""
    stmt = select(Branch).where(Branch.parent_id.is_(None), Branch.active.is_(True))
    return list(session.scalars(stmt.order_by(Branch.name, Branch.id)))


def check_scope(session: Session, user: User, branch_id: int | None) -> Branch | None:
    """The office of the feed `user` asks for (None: their own), or the refusal.

    Managers must name an office (``invalid_input`` on ``branch_id``); an unknown, closed or
    filia office is ``unknown_branch``; clients and experts have no office feeds (``forbidden``).
    """
    if not user.is_manager:
        if branch_id is not None:
            raise NotAllowed(reason="office_feed")
        return None
    if branch_id is None:
        raise InvalidInput(field="branch_id", reason="missing")
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.active or branch.parent_id is not None:
        raise UnknownBranch(branch_id=branch_id)
    return branch


def _find(session: Session, user_id: int, branch_id: int | None) -> CalendarFeed | None:
    stmt = select(CalendarFeed).where(CalendarFeed.user_id == user_id)
    if branch_id is None:
        stmt = stmt.where(CalendarFeed.branch_id.is_(None))
    else:
        stmt = stmt.where(CalendarFeed.branch_id == branch_id)
    return session.scalar(stmt)


def _ensure(
    session: Session, user: User, branch_ids: list[int | None], now: datetime
) -> dict[int | None, CalendarFeed]:
    """The user's feeds for these scopes, creating the missing ones in one write."""
    user_id = user.id
    found = {b: _find(session, user_id, b) for b in branch_ids}
    missing = [b for b, feed in found.items() if feed is None]
    if missing:
        try:
            with write(session):
                for branch_id in missing:
                    session.add(
                        CalendarFeed(
                            user_id=user_id, branch_id=branch_id, token=new_token(),
                            created_at_dt=now,
                        )
                    )  # fmt: skip
        except IntegrityError:  # another request created them first: theirs are the ones
            pass
        found = {b: _find(session, user_id, b) for b in branch_ids}
    return {b: feed for b, feed in found.items() if feed is not None}


def get_or_create(
    session: Session, *, user: User, branch_id: int | None = None, now: datetime
) -> CalendarFeed:
    """The user's feed for the scope (`check_scope`), created on first use."""
    office = check_scope(session, user, branch_id)
    key = office.id if office is not None else None
    feed = _ensure(session, user, [key], now).get(key)
    if feed is None:  # pragma: no cover - created just above or by a concurrent request
        raise RuntimeError("calendar feed could not be created")
    return feed


def feeds_for(session: Session, user: User, *, now: datetime) -> list[tuple[Branch | None, str]]:
    """Every feed `user` may have, as (office or None, token): the account page's list."""
    scopes: list[Branch | None] = list(offices(session)) if user.is_manager else [None]
    feeds = _ensure(session, user, [o.id if o else None for o in scopes], now)
    return [(o, feeds[o.id if o else None].token) for o in scopes if (o.id if o else None) in feeds]


def regenerate(
    session: Session, *, user: User, branch_id: int | None = None, now: datetime, ip: str = ""
) -> CalendarFeed:
    """A new token for the feed; the old address answers 404 from this commit on.

    Audited without the token (the trail must not hand out a working address).
    """
    feed_id = get_or_create(session, user=user, branch_id=branch_id, now=now).id
    with write(session):
        feed = session.get(CalendarFeed, feed_id, populate_existing=True)
        assert feed is not None
        feed.token = new_token()
        feed.created_at_dt = now
        audit.record(
            session,
            actor=user,
            action=REGENERATED,
            target=feed,
            details={"branch_id": feed.branch_id},
            ip=ip,
            now=now,
        )
    return feed


def sessions_of(session: Session, user: User, *, since: datetime) -> list[EventSession]:
    """Sessions ending after `since` of the events `user` trains, or holds a seat at."""
    trains = select(event_trainers.c.event_id).where(event_trainers.c.expert_id == user.id)
    seated = select(EventRegistration.event_id).where(
        EventRegistration.user_id == user.id,
        EventRegistration.status == RegistrationStatus.REGISTERED,
    )
    return list(
        session.scalars(
            select(EventSession)
            .where(
                EventSession.end_dt > since,
                EventSession.event_id.in_(trains.union(seated)),
            )
            .order_by(EventSession.start_dt)
        )
    )


def resolve(session: Session, token: str, *, now: datetime) -> Feed | None:
    """The feed behind `token` with its consultations, or None for anything wrong (unknown,
    regenerated, malformed, a deactivated owner, a closed office, a scope the role lost)."""
    if not is_well_formed(token):
        return None
    row = session.scalar(
        select(CalendarFeed)
        .where(CalendarFeed.token == token)
        .options(joinedload(CalendarFeed.user), joinedload(CalendarFeed.branch))
    )
    if row is None or not row.user.active:
        return None
    owner, office = row.user, row.branch
    first_day = local_date(now - FEED_PAST)
    if office is None:
        if owner.is_manager:
            return None
        own = list_consultations(session, owner, date_from=first_day)
        return Feed(owner, None, own, sessions_of(session, owner, since=now - FEED_PAST))
    if not owner.is_manager or not office.active or office.parent_id is not None:
        return None
    branch_ids = [
        office.id,
        *session.scalars(select(Branch.id).where(Branch.parent_id == office.id)),
    ]
    rows = [
        c
        for branch_id in branch_ids
        for c in list_consultations(session, owner, branch_id=branch_id, date_from=first_day)
    ]
    return Feed(owner, office, sorted(rows, key=lambda c: (c.start_dt, c.id)))
