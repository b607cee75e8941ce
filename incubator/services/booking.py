"""Booking: book, cancel and move a consultation.

Load from the database -> call `incubator.domain` -> write through `transactions.write`; the acting
user and `now` are passed in. Integrity does not depend on this module being right: the schema
refuses two active consultations of one expert at one start (both engines) and overlapping ones
(PostgreSQL exclusion constraint). Here we add what a constraint cannot express (availability,
notice, limits per client) and make the check-then-write sequence serial: ``BEGIN IMMEDIATE`` on
SQLite, row locks on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.booking_rules import (
    BookingPolicy,
    OutsideAvailability,
    SlotTaken,
    TooManyBookings,
    check_active_limit,
    check_client_commitments,
    check_timing,
)
from ..domain.calendar import local_date
from ..domain.consultations import ConsultationStatus, can_manage, check_change
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.notifications import NoticeKind
from ..domain.slots import Interval, Slot
from ..models import (
    Area,
    Branch,
    Consultation,
    ConsultationAttendee,
    User,
)
from . import audit, notifications
from .booking_parties import commitments, group_for_attendees, resolve_client
from .calendar_days import polish_holidays
from .consultations import get_visible
from .consultations import load as load_consultation
from .directory import resolve_area, resolve_branch, resolve_expert
from .notifications import NoticeSettings
from .slots import find_slots, next_free_slots
from .transactions import lock_rows, write
from .waitlist import pass_on_freed


def policy_from_config(config: Mapping) -> BookingPolicy:
    return BookingPolicy(
        min_notice=config["BOOKING_MIN_NOTICE"],
        horizon=config["BOOKING_HORIZON"],
        max_active=config["BOOKING_MAX_ACTIVE"],
        cancel_notice=config["BOOKING_CANCEL_NOTICE"],
        waitlist_hold=config.get("WAITLIST_HOLD", BookingPolicy.waitlist_hold),
    )


@dataclass(frozen=True)
class BookingRequest:
    expert_id: int
    branch_id: int
    domain_code: str
    start: datetime
    topic: str = ""
    client_id: int | None = None  # staff only; a client books for themselves
    attendee_ids: tuple[int, ...] = ()


def _match_slot(
    session: Session,
    *,
    area: Area,
    branch: Branch,
    expert: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    exclude_id: int | None = None,
    offer_id: int | None = None,
) -> Slot:
    """The expert's free slot that starts at `start`, or SlotTaken / OutsideAvailability."""
    day = local_date(start)
    common = dict(
        area=area,
        branch=branch,
        start_date=day,
        end_date=day,
        now=now,
        policy=policy,
        expert_id=expert.id,
        exclude_consultation_id=exclude_id,
        expert_checked=True,  # resolved by the caller, in this transaction
        exclude_offer_id=offer_id,
    )
    for slot in find_slots(session, **common):
        if slot.start == start:
            return slot
    if any(s.start == start for s in find_slots(session, **common, ignore_busy=True)):
        raise SlotTaken()
    raise OutsideAvailability(start=start.isoformat())


def _slot_taken_with_alternatives(
    session: Session, request: BookingRequest, now: datetime, policy: BookingPolicy
) -> SlotTaken:
    session.rollback()
    try:
        area = resolve_area(session, request.domain_code)
        branch = resolve_branch(session, request.branch_id)
        alternatives = next_free_slots(
            session,
            area=area,
            branch=branch,
            after=request.start,
            now=now,
            policy=policy,
            expert_id=request.expert_id,
        )
    finally:
        session.rollback()
    return SlotTaken(next_slots=alternatives)


def book(
    session: Session,
    request: BookingRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> Consultation:
    """Book a consultation; the whole check-and-insert is one serialised transaction.

    A lost race (the slot taken meanwhile, found by the check or by the database's constraints)
    is answered by `SlotTaken` carrying the next free slots.
    """
    with write(
        session,
        conflicts=(SlotTaken, IntegrityError),
        on_conflict=lambda _: _slot_taken_with_alternatives(session, request, now, policy),
    ):
        booked_id = book_within(
            session, request, actor=actor, now=now, policy=policy, notices=notices
        ).id
    return _loaded(session, booked_id)


def book_within(
    session: Session,
    request: BookingRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
    offer_id: int | None = None,
) -> Consultation:
    """The booking itself, inside the caller's write: `book`, or confirming a waitlist offer
    (`offer_id`: the slot that offer holds counts as free for this booking)."""
    checked = check_booking(
        session, request, actor=actor, now=now, policy=policy, lock=True, offer_id=offer_id
    )
    area, client, slot, group_id = checked.area, checked.client, checked.slot, checked.group_id
    consultation = _new_consultation(
        session, request, slot, area=area, client=client, group_id=group_id, actor=actor, now=now
    )
    audit.record(
        session,
        actor=actor,
        action="consultation.book",
        target=consultation,
        details={"start": slot.start.isoformat(), "for": client.id},
        now=now,
    )
    notifications.consultation_changed(
        session, consultation, NoticeKind.BOOKED, actor=actor, now=now, settings=notices
    )
    return consultation


def _loaded(session: Session, consultation_id: int) -> Consultation:
    """After the commit: the consultation with what showing it needs, in two queries."""
    found = load_consultation(session, consultation_id)
    assert found is not None  # committed a moment ago; consultations are never deleted
    return found


@dataclass(frozen=True)
class CheckedBooking:
    """A booking request that passed every rule: who, where, and the slot it takes."""

    area: Area
    branch: Branch
    client: User
    expert: User
    slot: Slot
    group_id: int | None


def check_booking(
    session: Session,
    request: BookingRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
    lock: bool = False,
    offer_id: int | None = None,
) -> CheckedBooking:
    """Every rule a booking must pass, in order: the one place they are applied.

    `book` runs it inside its write with `lock` (the expert and the client locked, so nothing
    changes between the check and the insert); a page runs it without, read-only, to refuse a
    crafted or stale link at once with the message the booking would give.
    """
    if actor.is_expert and request.expert_id != actor.id:
        raise NotAllowed(reason="other_experts_calendar")
    area = resolve_area(session, request.domain_code)
    branch = resolve_branch(session, request.branch_id)
    client = resolve_client(session, actor, request.client_id)
    if lock:
        lock_rows(session, User, [request.expert_id, client.id])
    expert = resolve_expert(session, request.expert_id, area, branch)
    check_timing(request.start, now, policy, _holidays_on(request.start))
    slot = _match_slot(
        session, area=area, branch=branch, expert=expert, start=request.start, now=now,
        policy=policy, offer_id=offer_id,
    )  # fmt: skip
    group_id = group_for_attendees(session, client, request.attendee_ids)
    check_client_commitments(
        Interval(slot.start, slot.end), commitments(session, client.id, now), policy,
        is_move=False,
    )  # fmt: skip
    return CheckedBooking(area, branch, client, expert, slot, group_id)


def client_limit_refusal(
    session: Session, client: User, *, now: datetime, policy: BookingPolicy
) -> TooManyBookings | None:
    """Why `client` cannot book one more consultation now (None: they can), asked up front."""
    try:
        check_active_limit(len(commitments(session, client.id, now)), policy)
    except TooManyBookings as error:
        return error
    return None


def _new_consultation(
    session: Session,
    request: BookingRequest,
    slot: Slot,
    *,
    area: Area,
    client: User,
    group_id: int | None,
    actor: User,
    now: datetime,
) -> Consultation:
    """The consultation row with its attendees: the client first, then the others once each."""
    consultation = Consultation(
        expert_id=slot.expert_id,
        branch_id=slot.branch_id,
        domain_id=area.id,
        client_id=client.id,
        created_by_id=actor.id,
        founding_group_id=group_id,
        start_dt=slot.start,
        end_dt=slot.end,
        buffer_min=slot.buffer_min,
        topic=request.topic.strip()[:300],
        created_at_dt=now,
        updated_at_dt=now,
    )
    attendee_ids = dict.fromkeys([client.id, *request.attendee_ids])
    consultation.attendees = [ConsultationAttendee(user_id=i) for i in attendee_ids]
    session.add(consultation)
    session.flush()
    return consultation


def _holidays_on(start: datetime) -> frozenset[date]:
    day = local_date(start)
    return polish_holidays(day, day)


def cancel(
    session: Session,
    consultation_id: int,
    *,
    actor: User,
    reason: str = "",
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
) -> Consultation:
    """Cancel; the slot is free again at once. Staff may always cancel, with a reason."""
    with write(session):
        consultation = get_visible(session, consultation_id, actor)
        reason = reason.strip()[:300]
        if actor.is_staff and not reason and can_manage(actor, consultation):
            raise InvalidInput(field="reason", reason="reason_required")
        check_change(actor, consultation, now, policy)
        consultation.status = ConsultationStatus.CANCELLED
        consultation.cancel_reason = reason
        consultation.cancelled_by_id = actor.id
        consultation.cancelled_at_dt = now
        consultation.updated_at_dt = now
        consultation.sequence += 1
        audit.record(
            session,
            actor=actor,
            action="consultation.cancel",
            target=consultation,
            details={"reason": reason},
            now=now,
        )
        notifications.consultation_changed(
            session, consultation, NoticeKind.CANCELLED, actor=actor, now=now, settings=notices
        )
    pass_on_freed(session, consultation.domain_id, consultation.branch_id, now, policy, notices)
    return consultation


def reschedule(
    session: Session,
    consultation_id: int,
    *,
    actor: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    notices: NoticeSettings,
    expert_id: int | None = None,
    branch_id: int | None = None,
) -> Consultation:
    """Move a consultation, atomically: the old time is released only if the new one is taken.

    The row is updated in place (same UID, SEQUENCE + 1), in one transaction; if the new slot is
    refused, by the rules or by the database, nothing changes.
    """
    request: BookingRequest | None = None

    def alternatives(_: BaseException) -> SlotTaken:
        if request is None:  # refused before the new slot was even chosen
            return SlotTaken()
        return _slot_taken_with_alternatives(session, request, now, policy)

    with write(session, conflicts=(SlotTaken, IntegrityError), on_conflict=alternatives):
        consultation = get_visible(session, consultation_id, actor)
        request, area, branch = _move_request(
            session, consultation, actor=actor, start=start, now=now, policy=policy,
            expert_id=expert_id, branch_id=branch_id,
        )  # fmt: skip
        ids = [consultation.expert_id, request.expert_id, consultation.client_id]
        lock_rows(session, User, ids)
        expert, slot = _move_slot(session, consultation, request, area, branch, now, policy)
        previous = _move(session, consultation, expert, branch, slot, actor=actor, now=now)
        notifications.consultation_changed(
            session, consultation, NoticeKind.MOVED, actor=actor, now=now, settings=notices,
            previous=previous,
        )  # fmt: skip
        freed = (consultation.domain_id, previous.branch_id)
    pass_on_freed(session, *freed, now, policy, notices)
    return _loaded(session, consultation_id)


def check_move(
    session: Session,
    consultation_id: int,
    *,
    actor: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    branch_id: int | None = None,
) -> Slot:
    """The slot `reschedule` would move the consultation to, by the same rules, read-only."""
    consultation = get_visible(session, consultation_id, actor)
    request, area, branch = _move_request(
        session, consultation, actor=actor, start=start, now=now, policy=policy,
        expert_id=expert_id, branch_id=branch_id,
    )  # fmt: skip
    return _move_slot(session, consultation, request, area, branch, now, policy)[1]


def _move_request(
    session: Session,
    consultation: Consultation,
    *,
    actor: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None,
    branch_id: int | None,
) -> tuple[BookingRequest, Area, Branch]:
    """May `actor` move it, and where to: the new expert, office and time as a request."""
    new_expert_id = expert_id or consultation.expert_id
    if can_manage(actor, consultation) and actor.is_expert and new_expert_id != actor.id:
        raise NotAllowed(reason="other_experts_calendar")
    check_change(actor, consultation, now, policy)
    area = consultation.domain
    branch = resolve_branch(session, branch_id or consultation.branch_id)
    request = BookingRequest(
        expert_id=new_expert_id, branch_id=branch.id, domain_code=area.code, start=start
    )
    return request, area, branch


def _move_slot(
    session: Session,
    consultation: Consultation,
    request: BookingRequest,
    area: Area,
    branch: Branch,
    now: datetime,
    policy: BookingPolicy,
) -> tuple[User, Slot]:
    """The expert and the free slot the move takes; every attendee must be free then."""
    expert = resolve_expert(session, request.expert_id, area, branch)
    check_timing(request.start, now, policy, _holidays_on(request.start))
    slot = _match_slot(
        session, area=area, branch=branch, expert=expert, start=request.start, now=now,
        policy=policy, exclude_id=consultation.id,
    )  # fmt: skip
    for attendee_id in consultation.attendee_ids:
        check_client_commitments(
            Interval(slot.start, slot.end),
            commitments(session, attendee_id, now, exclude_id=consultation.id),
            policy,
            is_move=True,
        )
    return expert, slot


def _move(
    session: Session,
    consultation: Consultation,
    expert: User,
    branch: Branch,
    slot: Slot,
    *,
    actor: User,
    now: datetime,
) -> notifications.Previous:
    previous = notifications.Previous(
        start=consultation.start_dt,
        end=consultation.end_dt,
        expert=consultation.expert,
        branch_id=consultation.branch_id,
    )
    consultation.expert = expert
    consultation.branch = branch
    consultation.start_dt = slot.start
    consultation.end_dt = slot.end
    consultation.buffer_min = slot.buffer_min
    consultation.sequence += 1
    consultation.updated_at_dt = now
    audit.record(
        session,
        actor=actor,
        action="consultation.reschedule",
        target=consultation,
        details={"from": previous.start.isoformat(), "to": slot.start.isoformat()},
        now=now,
    )
    return previous


__all__ = ["BookingRequest", "book", "cancel", "policy_from_config", "reschedule"]
