"""The waitlist: join it, leave it, and offer freed slots to the first person waiting.

A slot that frees up (a cancellation, a move, new hours) is offered to the first waiting entry
whose days it fits: an open `SlotOffer` holds it for them (services/slots.py counts it as busy
for everyone else) until `BookingPolicy.waitlist_hold` runs out. Nothing is booked until they, or
staff on their behalf, confirm; confirming is an ordinary booking (`booking.book_within`) in
the same transaction that closes the offer, so every booking rule and constraint applies.
Unanswered offers lapse and the slot passes on at the next `process` run (the sender's loop,
or ``incubator waitlist process`` from cron).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..domain.booking_rules import BookingError, BookingPolicy, check_client_commitments
from ..domain.calendar import local_date
from ..domain.errors import NotAllowed, NotFound
from ..domain.slots import Interval, Slot
from ..domain.waitlist import (
    AlreadyWaiting,
    AreaNotHere,
    NotWaiting,
    OfferClosed,
    OfferExpired,
    check_range,
    hold_until,
    search_days,
)
from ..models import (
    LIVE_STATUSES,
    Consultation,
    OfferStatus,
    SlotOffer,
    User,
    WaitlistEntry,
    WaitlistStatus,
)
from . import audit, notifications
from .booking_parties import commitments, resolve_client
from .consultations import load as load_consultation
from .directory import expert_ids_for, resolve_area, resolve_branch
from .notifications import NoticeSettings
from .slots import find_slots
from .transactions import lock_rows, write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JoinRequest:
    area_code: str
    branch_id: int
    from_date: date | None = None
    to_date: date | None = None
    client_id: int | None = None  # staff only; a client joins for themselves


@dataclass
class ProcessReport:
    expired: int = 0
    offered: int = 0


def join(
    session: Session,
    request: JoinRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> WaitlistEntry:
    """Put a client on the waitlist for an area at an office; if a slot is free already, it is
    offered to them (or to whoever waits before them) at once."""
    if actor.is_expert:
        raise NotAllowed(reason="staff_only")
    with write(session, on_conflict=lambda _: AlreadyWaiting()):
        client = resolve_client(session, actor, request.client_id)
        area = resolve_area(session, request.area_code)
        branch = resolve_branch(session, request.branch_id)
        if not expert_ids_for(session, area, branch):
            raise AreaNotHere(area=area.code, branch_id=branch.id)
        today = local_date(now)
        check_range(
            request.from_date,
            request.to_date,
            today=today,
            last_day=local_date(now + policy.horizon),
        )
        lock_rows(session, User, [client.id])
        live = _live_entry(session, client.id, area.id, branch.id)
        if live is not None and live.to_date is not None and live.to_date < today:
            _close(session, live, WaitlistStatus.LAPSED, now)  # its days are over
            session.flush()
        elif live is not None:
            raise AlreadyWaiting()
        entry = WaitlistEntry(
            client_id=client.id, area_id=area.id, branch_id=branch.id,
            from_date=request.from_date, to_date=request.to_date,
            status=WaitlistStatus.WAITING, created_at_dt=now, created_by_id=actor.id,
        )  # fmt: skip
        session.add(entry)
        session.flush()
        audit.record(
            session, actor=actor, action="waitlist.join", target=client,
            details={"entry": entry.id, "area": area.code, "branch": branch.id}, now=now,
        )  # fmt: skip
        entry_id = entry.id
    offer_freed(session, area.id, branch.id, now=now, policy=policy, notices=notices)
    return _entry(session, entry_id)


def _live_entry(session: Session, client_id: int, area_id: int, branch_id: int):
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.client_id == client_id,
            WaitlistEntry.area_id == area_id,
            WaitlistEntry.branch_id == branch_id,
            WaitlistEntry.status.in_(LIVE_STATUSES),
        )
    )


def _entry(session: Session, entry_id: int) -> WaitlistEntry:
    found = session.scalar(
        select(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id)
        .options(*_entry_options())
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound()
    return found


def _entry_options():
    return (
        joinedload(WaitlistEntry.client),
        joinedload(WaitlistEntry.area),
        joinedload(WaitlistEntry.branch),
        joinedload(WaitlistEntry.offers).joinedload(SlotOffer.expert),
    )


def _visible_entry(session: Session, entry_id: int, actor: User) -> WaitlistEntry:
    """An entry the actor may act on: a client's own; any, for managers and reception staff."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or not can_see(actor, entry):
        raise NotFound()
    return entry


def can_see(actor: User, entry: WaitlistEntry) -> bool:
    if actor.is_client:
        return entry.client_id == actor.id
    return actor.is_manager or actor.is_expert


def leave(session: Session, entry_id: int, *, actor: User, now: datetime) -> WaitlistEntry:
    """Take an entry off the waitlist (an open offer is withdrawn: the next run passes it on)."""
    with write(session):
        entry = _visible_entry(session, entry_id, actor)
        if actor.is_expert:
            raise NotAllowed(reason="staff_only")
        if entry.status not in LIVE_STATUSES:
            raise NotWaiting()
        offer = entry.open_offer
        if offer is not None:
            offer.status, offer.answered_at_dt = OfferStatus.WITHDRAWN, now
        entry.status, entry.closed_at_dt = WaitlistStatus.LEFT, now
        audit.record(
            session, actor=actor, action="waitlist.leave", target=entry.client,
            details={"entry": entry.id}, now=now,
        )  # fmt: skip
    return _entry(session, entry_id)


def _open_offer(session: Session, offer_id: int, actor: User, now: datetime) -> SlotOffer:
    offer = session.get(SlotOffer, offer_id)
    if offer is None or not can_see(actor, offer.entry):
        raise NotFound()
    if actor.is_expert:  # experts see the list; answering is for the person or reception
        raise NotAllowed(reason="staff_only")
    if offer.status != OfferStatus.OPEN:
        raise OfferClosed(status=offer.status)
    if offer.expires_at_dt <= now:
        raise OfferExpired(expired_at=offer.expires_at_dt.isoformat())
    return offer


def accept(
    session: Session,
    offer_id: int,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> Consultation:
    """Confirm an offer: book its slot for the person waiting, in one transaction."""
    from .booking import BookingRequest, book_within  # (booking calls offer_freed)

    with write(session):
        offer = _open_offer(session, offer_id, actor, now)
        entry = offer.entry
        request = BookingRequest(
            expert_id=offer.expert_id, branch_id=entry.branch_id, domain_code=entry.area.code,
            start=offer.start_dt, client_id=None if actor.is_client else entry.client_id,
        )  # fmt: skip
        consultation = book_within(
            session, request, actor=actor, now=now, policy=policy, notices=notices,
            offer_id=offer.id,
        )  # fmt: skip
        offer.status, offer.answered_at_dt = OfferStatus.ACCEPTED, now
        entry.status, entry.closed_at_dt = WaitlistStatus.BOOKED, now
        entry.consultation_id = consultation.id
        booked_id = consultation.id
    found = load_consultation(session, booked_id)
    assert found is not None  # committed a moment ago
    return found


def decline(
    session: Session,
    offer_id: int,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> WaitlistEntry:
    """The time does not suit: the person keeps their place; the slot goes to the next one
    (this slot is never offered to them again)."""
    with write(session):
        offer = _open_offer(session, offer_id, actor, now)
        offer.status, offer.answered_at_dt = OfferStatus.DECLINED, now
        entry = offer.entry
        entry.status = WaitlistStatus.WAITING
        area_id, branch_id, entry_id = entry.area_id, entry.branch_id, entry.id
        audit.record(
            session, actor=actor, action="waitlist.decline", target=entry.client,
            details={"entry": entry.id, "offer": offer.id}, now=now,
        )  # fmt: skip
    offer_freed(session, area_id, branch_id, now=now, policy=policy, notices=notices)
    return _entry(session, entry_id)


def process(
    session: Session, *, now: datetime, policy: BookingPolicy, notices: NoticeSettings
) -> ProcessReport:
    """Lapse offers whose hold ran out, then offer free slots to whoever waits, everywhere.

    Idempotent: run it as often as you like (the sender's loop runs it on every pass)."""
    report = ProcessReport(expired=expire_offers(session, now=now))
    queues = session.execute(
        select(WaitlistEntry.area_id, WaitlistEntry.branch_id)
        .where(WaitlistEntry.status == WaitlistStatus.WAITING)
        .distinct()
    ).all()
    session.rollback()
    for area_id, branch_id in queues:
        report.offered += offer_freed(
            session, area_id, branch_id, now=now, policy=policy, notices=notices
        )
    return report


def expire_offers(session: Session, *, now: datetime) -> int:
    """Close offers whose hold ran out (their entries lapse: the person may join again), and
    entries whose days are over. Returns how many offers ran out."""
    with write(session):
        offers = session.scalars(
            select(SlotOffer).where(
                SlotOffer.status == OfferStatus.OPEN, SlotOffer.expires_at_dt <= now
            )
        ).all()
        for offer in offers:
            offer.status = OfferStatus.EXPIRED
            _close(session, offer.entry, WaitlistStatus.LAPSED, now)
        over = session.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.status == WaitlistStatus.WAITING,
                WaitlistEntry.to_date < local_date(now),
            )
        ).all()
        for entry in over:
            _close(session, entry, WaitlistStatus.LAPSED, now)
    return len(offers)


def _close(session: Session, entry: WaitlistEntry, status: WaitlistStatus, now: datetime) -> None:
    entry.status, entry.closed_at_dt = status, now
    audit.record(
        session, actor=None, action=f"waitlist.{status}", target=entry.client,
        details={"entry": entry.id}, now=now,
    )  # fmt: skip


def pass_on_freed(
    session: Session,
    area_id: int,
    branch_id: int,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> None:
    """After a cancellation or a move has committed: offer the freed time to whoever waits.
    A failure is logged and left to the next periodic run; the change itself is saved."""
    try:
        offer_freed(session, area_id, branch_id, now=now, policy=policy, notices=notices)
    except Exception:
        session.rollback()
        log.exception("Offering a freed slot to the waitlist failed; the next run retries")


def offer_freed(
    session: Session,
    area_id: int,
    branch_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> int:
    """Offer free slots in one area at one office to the waiting, first come first served.

    Each entry is handled in a write of its own (the slot found again inside it, the expert
    locked); a slot taken meanwhile, or held by a concurrent run (the unique index on open
    offers), only means that entry waits for the next run. Returns how many offers were made.
    """
    expire_offers(session, now=now)  # a run-out hold still blocks its slot's unique index
    waiting = session.scalars(
        select(WaitlistEntry.id)
        .where(
            WaitlistEntry.area_id == area_id,
            WaitlistEntry.branch_id == branch_id,
            WaitlistEntry.status == WaitlistStatus.WAITING,
        )
        .order_by(WaitlistEntry.created_at_dt, WaitlistEntry.id)
    ).all()
    session.rollback()
    made = 0
    for entry_id in waiting:
        try:
            with write(session):
                made += _offer_one(session, entry_id, now=now, policy=policy, notices=notices)
        except IntegrityError:
            log.info("Waitlist entry %s: its slot was taken meanwhile; next run", entry_id)
    return made


def _offer_one(
    session: Session,
    entry_id: int,
    *,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> int:
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.status != WaitlistStatus.WAITING:
        return 0
    slot = _first_fitting_slot(session, entry, now, policy)
    if slot is None:
        return 0
    lock_rows(session, User, [slot.expert_id, entry.client_id])
    expires = hold_until(now, slot.start, hold=policy.waitlist_hold, min_notice=policy.min_notice)
    assert expires is not None  # _first_fitting_slot only returns slots that can be held
    offer = SlotOffer(
        entry_id=entry.id, expert_id=slot.expert_id, start_dt=slot.start, end_dt=slot.end,
        buffer_min=slot.buffer_min, offered_at_dt=now, expires_at_dt=expires,
        status=OfferStatus.OPEN,
    )  # fmt: skip
    session.add(offer)
    entry.status = WaitlistStatus.OFFERED
    session.flush()
    audit.record(
        session, actor=None, action="waitlist.offer", target=entry.client,
        details={"entry": entry.id, "offer": offer.id, "start": slot.start.isoformat()}, now=now,
    )  # fmt: skip
    notifications.waitlist_offered(session, offer, now=now, settings=notices)
    return 1


def _first_fitting_slot(
    session: Session, entry: WaitlistEntry, now: datetime, policy: BookingPolicy
) -> Slot | None:
    """The first free slot in the entry's days that can still be held, that the person has not
    been offered before, and that does not clash with their other bookings."""
    days = search_days(
        entry.from_date,
        entry.to_date,
        today=local_date(now),
        last_day=local_date(now + policy.horizon),
    )
    if days is None:
        return None
    seen = {(o.expert_id, o.start_dt) for o in entry.offers}
    own = commitments(session, entry.client_id, now)
    for slot in find_slots(
        session, area=entry.area, branch=entry.branch, start_date=days[0], end_date=days[1],
        now=now, policy=policy,
    ):  # fmt: skip
        if (slot.expert_id, slot.start) in seen:
            continue
        if (
            hold_until(now, slot.start, hold=policy.waitlist_hold, min_notice=policy.min_notice)
            is None
        ):
            continue
        try:
            check_client_commitments(Interval(slot.start, slot.end), own, policy, is_move=False)
        except BookingError:
            continue
        return slot
    return None


def entries_of(session: Session, client_id: int, *, limit: int = 20) -> list[WaitlistEntry]:
    """A client's entries: the live ones first, then the latest closed ones."""
    rows = session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.client_id == client_id)
        .options(*_entry_options())
        .order_by(WaitlistEntry.created_at_dt.desc(), WaitlistEntry.id.desc())
        .limit(limit)
    ).unique()
    entries = list(rows)
    return sorted(entries, key=lambda e: e.status not in LIVE_STATUSES)


def queue(
    session: Session,
    actor: User,
    *,
    branch_id: int | None = None,
    area_code: str | None = None,
) -> list[WaitlistEntry]:
    """Who is waiting (and who has an offer), in order, for staff; filtered by office or area."""
    if actor.is_client:
        raise NotAllowed(reason="staff_only")
    stmt = (
        select(WaitlistEntry)
        .where(WaitlistEntry.status.in_(LIVE_STATUSES))
        .options(*_entry_options())
        .order_by(WaitlistEntry.branch_id, WaitlistEntry.area_id, WaitlistEntry.created_at_dt)
    )
    if branch_id is not None:
        stmt = stmt.where(WaitlistEntry.branch_id == branch_id)
    if area_code:
        stmt = stmt.where(WaitlistEntry.area_id == resolve_area(session, area_code).id)
    return list(session.scalars(stmt).unique())
