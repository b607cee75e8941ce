"""Finding free slots: load the experts' hours, days off and bookings, ask the slot engine.

`find_slots` computes a listing afresh (bookings check their slot with it, inside their own
transaction). `cached_listing` serves the same listing from the per-process cache keyed by the
versions of the calendars it covers (`slot_cache`): the JSON API and the booking pages both use
it, so what a client sees on a page and what the slot picker fetches are the same.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import slots as slot_engine
from ..domain.booking_rules import BookingPolicy
from ..domain.calendar import local_date, local_day_bounds
from ..domain.consultations import ConsultationStatus
from ..domain.slots import Interval, Slot
from ..models import (
    Area,
    AvailabilityException,
    AvailabilityRule,
    Branch,
    Consultation,
    ExpertBusyTime,
    OfferStatus,
    SlotOffer,
)
from . import directory, slot_cache
from .calendar_days import polish_holidays

NEXT_SLOTS_OFFERED = 5
# Bookings that end this long before the window can still reach into it with their buffer
# (a break after a consultation is at most 240 minutes: models/availability.py).
BUFFER_REACH = timedelta(hours=8)


def _rules(session: Session, expert_ids: Sequence[int], branch_id: int) -> list[slot_engine.Rule]:
    rows = session.scalars(
        select(AvailabilityRule).where(
            AvailabilityRule.expert_id.in_(expert_ids), AvailabilityRule.branch_id == branch_id
        )
    )
    return [r.to_domain() for r in rows]


def _exceptions(
    session: Session, expert_ids: Sequence[int], start: date, end: date
) -> list[slot_engine.AvailabilityException]:
    rows = session.scalars(
        select(AvailabilityException).where(
            AvailabilityException.expert_id.in_(expert_ids),
            AvailabilityException.start_date <= end,
            AvailabilityException.end_date >= start,
        )
    )
    return [e.to_domain() for e in rows]


def _busy(
    session: Session,
    expert_ids: Sequence[int],
    start: datetime,
    end: datetime,
    exclude_id: int | None = None,
    *,
    now: datetime,
    exclude_offer_id: int | None = None,
) -> dict[int, list[Interval]]:
    """Active consultations of the experts (at every branch), each with its buffer after, the
    slots held for someone on the waitlist (open offers not yet run out at `now`), and the
    sessions they train at (events)."""
    stmt = select(
        Consultation.expert_id, Consultation.start_dt, Consultation.end_dt, Consultation.buffer_min
    ).where(
        Consultation.expert_id.in_(expert_ids),
        Consultation.status != ConsultationStatus.CANCELLED,
        Consultation.start_dt < end,
        Consultation.end_dt > start - BUFFER_REACH,
    )
    if exclude_id is not None:
        stmt = stmt.where(Consultation.id != exclude_id)
    busy: dict[int, list[Interval]] = defaultdict(list)
    for expert_id, s, e, buffer in session.execute(stmt):
        busy[expert_id].append(Interval(s, e + timedelta(minutes=buffer)))
    held = select(
        SlotOffer.expert_id, SlotOffer.start_dt, SlotOffer.end_dt, SlotOffer.buffer_min
    ).where(
        SlotOffer.expert_id.in_(expert_ids),
        SlotOffer.status == OfferStatus.OPEN,
        SlotOffer.expires_at_dt > now,
        SlotOffer.start_dt < end,
        SlotOffer.end_dt > start - BUFFER_REACH,
    )
    if exclude_offer_id is not None:
        held = held.where(SlotOffer.id != exclude_offer_id)
    for expert_id, s, e, buffer in session.execute(held):
        busy[expert_id].append(Interval(s, e + timedelta(minutes=buffer)))
    training = select(
        ExpertBusyTime.expert_id, ExpertBusyTime.start_dt, ExpertBusyTime.end_dt
    ).where(
        ExpertBusyTime.expert_id.in_(expert_ids),
        ExpertBusyTime.session_id.is_not(None),  # consultations are read above, with buffers
        ExpertBusyTime.start_dt < end,
        ExpertBusyTime.end_dt > start,
    )
    for expert_id, s, e in session.execute(training):
        busy[expert_id].append(Interval(s, e))
    return busy


def find_slots(
    session: Session,
    *,
    area: Area,
    branch: Branch,
    start_date: date,
    end_date: date,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    exclude_consultation_id: int | None = None,
    ignore_busy: bool = False,
    expert_checked: bool = False,
    exclude_offer_id: int | None = None,
) -> list[Slot]:
    """Free slots for `area` at `branch` between two local dates (inclusive).

    `expert_checked`: the caller has just resolved `expert_id` for this area and office (a
    booking, inside its transaction), so it is not looked up again. `exclude_offer_id`: the
    slot held by that waitlist offer counts as free (its holder is confirming it)."""
    if expert_id is not None and expert_checked:
        expert_ids = [expert_id]
    elif expert_id is not None:
        expert_ids = [directory.resolve_expert(session, expert_id, area, branch).id]
    else:
        expert_ids = directory.expert_ids_for(session, area, branch)
    if not expert_ids or end_date < start_date:
        return []
    window_start, window_end = local_day_bounds(start_date, end_date)
    busy = (
        {}
        if ignore_busy
        else _busy(
            session,
            expert_ids,
            window_start,
            window_end,
            exclude_consultation_id,
            now=now,
            exclude_offer_id=exclude_offer_id,
        )  # fmt: skip
    )
    return slot_engine.free_slots(
        rules=_rules(session, expert_ids, branch.id),
        exceptions=_exceptions(session, expert_ids, start_date, end_date),
        busy=busy,
        holidays=polish_holidays(start_date, end_date),
        window_start=start_date,
        window_end=end_date,
        now=now,
        min_notice=policy.min_notice,
        horizon=policy.horizon,
        branch_id=branch.id,
        expert_ids=set(expert_ids),
    )


def next_free_slots(
    session: Session,
    *,
    area: Area,
    branch: Branch,
    after: datetime,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    limit: int = NEXT_SLOTS_OFFERED,
    cached: bool = False,
    listen: bool = True,
) -> list[Slot]:
    """The first free slots after `after` (the chosen expert's first, then anyone's).

    `cached` takes them from the listings cache (pages); a booking that lost its slot computes
    them afresh inside its own transaction."""
    first_day = local_date(max(after, now))
    last_day = local_date(now + policy.horizon)
    found: list[Slot] = []
    for only in ([expert_id] if expert_id is not None else []) + [None]:
        if cached:
            query = SlotQuery(area.code, branch.id, first_day, last_day, only)
            slots = cached_listing(session, query, now=now, policy=policy, listen=listen)
        else:
            slots = find_slots(
                session,
                area=area,
                branch=branch,
                start_date=first_day,
                end_date=last_day,
                now=now,
                policy=policy,
                expert_id=only,
            )
        found = [s for s in slots if s.start > after]
        if found:
            break
    return found[:limit]


@dataclass(frozen=True)
class SlotQuery:
    """What a listing asks for: an area at an office between two local dates."""

    area_code: str
    branch_id: int
    start_date: date
    end_date: date
    expert_id: int | None = None
    exclude_consultation_id: int | None = None  # moving it: its own time counts as free


def cached_listing(
    session: Session,
    query: SlotQuery,
    *,
    now: datetime,
    policy: BookingPolicy,
    listen: bool = True,
    render: Callable[[Slot], Any] | None = None,
    render_key: Hashable = None,
    assemble: Callable[[list[Any]], Any] | None = None,
) -> Any:
    """The free slots of `query` (each passed through `render`, when given), from the cache.

    A listing is computed for the start of the minute and kept under the versions of the
    calendars it covers (`slot_cache`), so it is never served after a change to any of them,
    and a change to one expert's calendar leaves the others' listings cached. Slots that are by
    now too close to book (the minimum notice) are cut off on every call, so that side is exact.
    `render_key` tells renderings apart in the cache; `assemble`, when given, turns the bookable
    items into the answer (e.g. one JSON array), kept with the entry for each cut-off point.
    `listen` = False turns the PostgreSQL listener off (the versions are then read from the
    database on every call).
    """
    versions = slot_cache.watcher_of(session, listen=listen).fresh()
    experts = _covered_experts(session, query, versions)
    key = (query, render_key, slot_cache.minute_of(now), versions.key(experts))

    def compute() -> tuple[list[float], list[Any], dict[int, Any]]:
        found = find_slots(
            session,
            area=directory.resolve_area(session, query.area_code),
            branch=directory.resolve_branch(session, query.branch_id),
            start_date=query.start_date,
            end_date=query.end_date,
            now=slot_cache.minute_of(now),
            policy=policy,
            expert_id=query.expert_id,
            exclude_consultation_id=query.exclude_consultation_id,
        )
        items = [render(s) for s in found] if render is not None else found
        return [s.start.timestamp() for s in found], items, {}

    starts, items, assembled = slot_cache.slot_listings.get_or_compute(key, compute)
    first = bisect_left(starts, (now + policy.min_notice).timestamp())
    if assemble is None:
        return items[first:]
    answer = assembled.get(first)
    if answer is None:
        # The cut-off moves a few times a minute at most; racing threads compute the same value.
        answer = assembled[first] = assemble(items[first:])
    return answer


def directory_cached(
    session: Session, key: Hashable, compute: Callable[[], Any], *, listen: bool = True
) -> Any:
    """A value that depends only on the directory (who gives which area at which office, and
    the experts' names and titles), computed once per directory version. Callers must not
    change what they get: it is shared by every request of the process."""
    versions = slot_cache.watcher_of(session, listen=listen).fresh()
    return slot_cache.directory_values.get_or_compute((key, versions.directory_key()), compute)


def _covered_experts(
    session: Session, query: SlotQuery, versions: slot_cache.Versions
) -> tuple[int, ...]:
    """The experts whose calendars a listing depends on, cached under the directory's version.

    Unknown areas, offices or experts raise here, before anything is cached."""

    def compute() -> tuple[int, ...]:
        area = directory.resolve_area(session, query.area_code)
        branch = directory.resolve_branch(session, query.branch_id)
        if query.expert_id is not None:
            return (directory.resolve_expert(session, query.expert_id, area, branch).id,)
        return tuple(sorted(directory.expert_ids_for(session, area, branch)))

    key = (query.area_code, query.branch_id, query.expert_id, versions.directory_key())
    return slot_cache.expert_sets.get_or_compute(key, compute)
