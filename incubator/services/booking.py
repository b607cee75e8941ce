"""Booking service: free slots, book, cancel, reschedule.

Load from the database -> call `incubator.domain` -> commit; the acting user and `now` are passed
in. Integrity does not depend on this module being right: the schema refuses two active
consultations of one expert at one start (both engines) and overlapping ones (PostgreSQL
exclusion constraint). Here we add what a constraint cannot express (availability, notice, limits
per client) and make the check-then-write sequence serial: ``BEGIN IMMEDIATE`` on SQLite, row
locks on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload

from ..domain import slots as slot_engine
from ..domain.booking_rules import (
    BookingPolicy,
    InvalidAttendee,
    OutsideAvailability,
    SlotTaken,
    UnknownClient,
    UnknownDomain,
    check_cancellation,
    check_client_commitments,
    check_timing,
)
from ..domain.calendar import local_date, local_day_bounds, local_midnight
from ..domain.errors import (
    Busy,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotFound,
    UnknownBranch,
    UnknownExpert,
)
from ..domain.slots import Interval, Slot
from ..models import (
    Area,
    AvailabilityException,
    AvailabilityRule,
    Branch,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    ExpertProfile,
    FoundingGroupMember,
    Role,
    User,
)
from ..models.user import expert_branches, expert_domains
from . import audit
from .calendar_days import polish_holidays
from .transactions import begin_write

NEXT_SLOTS_OFFERED = 5


def policy_from_config(config: Mapping) -> BookingPolicy:
    return BookingPolicy(
        min_notice=config["BOOKING_MIN_NOTICE"],
        horizon=config["BOOKING_HORIZON"],
        max_active=config["BOOKING_MAX_ACTIVE"],
        cancel_notice=config["BOOKING_CANCEL_NOTICE"],
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


# --- look-ups -------------------------------------------------------------------------------


def resolve_domain(session: Session, code: str) -> Area:
    domain = session.scalar(select(Area).where(Area.code == code))
    if domain is None:
        raise UnknownDomain(code=code)
    return domain


def resolve_branch(session: Session, branch_id: int) -> Branch:
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.active:
        raise UnknownBranch(branch_id=branch_id)
    return branch


def experts_for(
    session: Session, domain: Area | None = None, branch: Branch | None = None
) -> list[User]:
    """Active experts, optionally only those offering `domain` at `branch`, by name."""
    stmt = (
        select(User)
        .join(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(User.role == Role.EXPERT, User.active.is_(True))
        .options(
            selectinload(User.expert_profile).selectinload(ExpertProfile.domains),
            selectinload(User.expert_profile).selectinload(ExpertProfile.branches),
        )
        .order_by(User.full_name)
    )
    if domain is not None:
        stmt = stmt.where(ExpertProfile.domains.any(Area.id == domain.id))
    if branch is not None:
        stmt = stmt.where(ExpertProfile.branches.any(Branch.id == branch.id))
    return list(session.scalars(stmt))


def _expert_ids(session: Session, domain: Area, branch: Branch) -> list[int]:
    """Ids of the active experts offering `domain` at `branch` (one query, no ORM objects)."""
    stmt = (
        select(User.id)
        .join(expert_domains, expert_domains.c.expert_id == User.id)
        .join(expert_branches, expert_branches.c.expert_id == User.id)
        .where(
            User.role == Role.EXPERT,
            User.active.is_(True),
            expert_domains.c.domain_id == domain.id,
            expert_branches.c.branch_id == branch.id,
        )
    )
    return list(session.scalars(stmt))


def resolve_expert(session: Session, expert_id: int, domain: Area, branch: Branch) -> User:
    expert = session.get(User, expert_id)
    profile = expert.expert_profile if expert is not None else None
    if (
        expert is None
        or not expert.active
        or profile is None
        or domain not in profile.domains
        or branch not in profile.branches
    ):
        raise UnknownExpert(expert_id=expert_id, domain=domain.code, branch_id=branch.id)
    return expert


# --- slots ----------------------------------------------------------------------------------


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
) -> dict[int, list[Interval]]:
    """Active consultations of the experts (at every branch), each with its buffer after."""
    stmt = select(
        Consultation.expert_id, Consultation.start_dt, Consultation.end_dt, Consultation.buffer_min
    ).where(
        Consultation.expert_id.in_(expert_ids),
        Consultation.status != ConsultationStatus.CANCELLED,
        Consultation.start_dt < end,
        Consultation.end_dt > start - timedelta(hours=8),
    )
    if exclude_id is not None:
        stmt = stmt.where(Consultation.id != exclude_id)
    busy: dict[int, list[Interval]] = defaultdict(list)
    for expert_id, s, e, buffer in session.execute(stmt):
        busy[expert_id].append(Interval(s, e + timedelta(minutes=buffer)))
    return busy


def find_slots(
    session: Session,
    *,
    domain: Area,
    branch: Branch,
    start_date: date,
    end_date: date,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    exclude_consultation_id: int | None = None,
    ignore_busy: bool = False,
) -> list[Slot]:
    """Free slots for `domain` at `branch` between two local dates (inclusive)."""
    if expert_id is not None:
        expert_ids = [resolve_expert(session, expert_id, domain, branch).id]
    else:
        expert_ids = _expert_ids(session, domain, branch)
    if not expert_ids or end_date < start_date:
        return []
    window_start, window_end = local_day_bounds(start_date, end_date)
    busy = (
        {}
        if ignore_busy
        else _busy(session, expert_ids, window_start, window_end, exclude_consultation_id)
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
    domain: Area,
    branch: Branch,
    after: datetime,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    limit: int = NEXT_SLOTS_OFFERED,
) -> list[Slot]:
    """The first free slots after `after` (the chosen expert's first, then anyone's)."""
    first_day = local_date(max(after, now))
    last_day = local_date(now + policy.horizon)
    found: list[Slot] = []
    for only in ([expert_id] if expert_id is not None else []) + [None]:
        slots = find_slots(
            session,
            domain=domain,
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


# --- permissions ----------------------------------------------------------------------------


def can_view(user: User, consultation: Consultation) -> bool:
    if user.is_manager:
        return True
    if user.is_expert:
        return consultation.expert_id == user.id
    return consultation.client_id == user.id or any(
        a.user_id == user.id for a in consultation.attendees
    )


def can_manage(user: User, consultation: Consultation) -> bool:
    """Cancel or move: the client it is for, its expert, or a manager."""
    if user.is_manager:
        return True
    if user.is_expert:
        return consultation.expert_id == user.id
    return consultation.client_id == user.id


def get_visible(session: Session, consultation_id: int, user: User) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None or not can_view(user, consultation):
        # Someone else's consultation is "not found", so ids cannot be probed.
        raise NotFound(consultation_id=consultation_id)
    return consultation


# --- writes ---------------------------------------------------------------------------------


def _lock_users(session: Session, user_ids: Iterable[int]) -> None:
    """Row locks (PostgreSQL) in id order, so bookings of one expert or client run one by one."""
    ids = sorted(set(user_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())


def _commitments(
    session: Session, client_id: int, now: datetime, exclude_id: int | None = None
) -> list[Interval]:
    stmt = (
        select(Consultation.start_dt, Consultation.end_dt)
        .join(ConsultationAttendee, ConsultationAttendee.consultation_id == Consultation.id)
        .where(
            ConsultationAttendee.user_id == client_id,
            Consultation.status == ConsultationStatus.BOOKED,
            Consultation.end_dt > now,
        )
    )
    if exclude_id is not None:
        stmt = stmt.where(Consultation.id != exclude_id)
    return [Interval(s, e) for s, e in session.execute(stmt)]


def _resolve_client(session: Session, actor: User, client_id: int | None) -> User:
    if actor.is_client:
        if client_id not in (None, actor.id):
            raise NotAllowed(reason="client_for_other")
        return actor
    if client_id is None:
        raise UnknownClient(reason="client_id_required")
    client = session.get(User, client_id)
    if client is None or client.role != Role.CLIENT or not client.active:
        raise UnknownClient(client_id=client_id)
    return client


def _group_for_attendees(session: Session, client: User, attendee_ids: Sequence[int]) -> int | None:
    """Attendees must be clients who share a founding group with the client; returns that group."""
    others = [i for i in dict.fromkeys(attendee_ids) if i != client.id]
    if not others:
        return None
    memberships: dict[int, set[int]] = defaultdict(set)
    rows = session.execute(
        select(FoundingGroupMember.user_id, FoundingGroupMember.group_id).where(
            FoundingGroupMember.user_id.in_([client.id, *others]),
            FoundingGroupMember.left_date.is_(None),
        )
    )
    for user_id, group_id in rows:
        memberships[user_id].add(group_id)
    shared = set(memberships[client.id])
    for other in others:
        user = session.get(User, other)
        if user is None or user.role != Role.CLIENT or not user.active:
            raise InvalidAttendee(user_id=other, reason="unknown")
        shared &= memberships[other]
        if not shared:
            raise InvalidAttendee(user_id=other, reason="not_in_group")
    return min(shared)


def _match_slot(
    session: Session,
    *,
    domain: Area,
    branch: Branch,
    expert: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    exclude_id: int | None = None,
) -> Slot:
    """The expert's free slot that starts at `start`, or SlotTaken / OutsideAvailability."""
    day = local_date(start)
    common = dict(
        domain=domain,
        branch=branch,
        start_date=day,
        end_date=day,
        now=now,
        policy=policy,
        expert_id=expert.id,
        exclude_consultation_id=exclude_id,
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
        domain = resolve_domain(session, request.domain_code)
        branch = resolve_branch(session, request.branch_id)
        alternatives = next_free_slots(
            session,
            domain=domain,
            branch=branch,
            after=request.start,
            now=now,
            policy=policy,
            expert_id=request.expert_id,
        )
    finally:
        session.rollback()
    return SlotTaken(next_slots=alternatives)


@contextmanager
def _unit_of_work(
    session: Session, on_conflict: Callable[[], SlotTaken] | None = None
) -> Iterator[None]:
    """Run one write: on any refusal roll back, so nothing is half-written.

    A lost race (SlotTaken from the check, or IntegrityError from the constraints) becomes
    ``on_conflict()`` (SlotTaken with the next free slots); SQLite's lock timeout becomes Busy.
    """
    try:
        yield
    except (SlotTaken, IntegrityError):
        if on_conflict is None:
            session.rollback()
            raise
        raise on_conflict() from None
    except OperationalError as error:
        session.rollback()
        if "locked" in str(error).lower():
            raise Busy() from error
        raise
    except DomainError:
        session.rollback()
        raise


def book(
    session: Session,
    request: BookingRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
) -> Consultation:
    """Book a consultation; the whole check-and-insert is one serialised transaction."""
    if actor.is_expert and request.expert_id != actor.id:
        raise NotAllowed(reason="other_experts_calendar")
    with _unit_of_work(
        session, lambda: _slot_taken_with_alternatives(session, request, now, policy)
    ):
        begin_write(session)
        domain = resolve_domain(session, request.domain_code)
        branch = resolve_branch(session, request.branch_id)
        client = _resolve_client(session, actor, request.client_id)
        _lock_users(session, [request.expert_id, client.id])
        expert = resolve_expert(session, request.expert_id, domain, branch)
        check_timing(request.start, now, policy, polish_holidays(*_days(request.start)))
        slot = _match_slot(
            session,
            domain=domain,
            branch=branch,
            expert=expert,
            start=request.start,
            now=now,
            policy=policy,
        )
        group_id = _group_for_attendees(session, client, request.attendee_ids)
        check_client_commitments(
            Interval(slot.start, slot.end),
            _commitments(session, client.id, now),
            policy,
            is_move=False,
        )
        consultation = Consultation(
            expert_id=expert.id,
            branch_id=branch.id,
            domain_id=domain.id,
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
        attendee_ids = [client.id, *(i for i in request.attendee_ids if i != client.id)]
        consultation.attendees = [
            ConsultationAttendee(user_id=i) for i in dict.fromkeys(attendee_ids)
        ]
        session.add(consultation)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="consultation.book",
            target=consultation,
            details={"start": slot.start.isoformat(), "for": client.id},
            now=now,
        )
        session.commit()
    return consultation


def _days(start: datetime) -> tuple[date, date]:
    day = local_date(start)
    return day, day


def cancel(
    session: Session,
    consultation_id: int,
    *,
    actor: User,
    reason: str = "",
    now: datetime,
    policy: BookingPolicy,
) -> Consultation:
    """Cancel; the slot is free again at once. Staff may always cancel, with a reason."""
    with _unit_of_work(session):
        begin_write(session)
        consultation = get_visible(session, consultation_id, actor)
        if not can_manage(actor, consultation):
            raise NotAllowed(reason="not_yours")
        reason = reason.strip()[:300]
        if actor.is_staff and not reason:
            raise InvalidInput(field="reason", reason="reason_required")
        check_cancellation(
            consultation.start_dt,
            now,
            policy,
            by_staff=actor.is_staff,
            is_active=consultation.is_active,
            took_place=consultation.status != ConsultationStatus.BOOKED,
        )
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
        session.commit()
    return consultation


def reschedule(
    session: Session,
    consultation_id: int,
    *,
    actor: User,
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    expert_id: int | None = None,
    branch_id: int | None = None,
) -> Consultation:
    """Move a consultation, atomically: the old time is released only if the new one is taken.

    The row is updated in place (same UID, SEQUENCE + 1), in one transaction; if the new slot is
    refused, by the rules or by the database, nothing changes.
    """
    request: BookingRequest | None = None

    def alternatives() -> SlotTaken:
        if request is None:  # refused before the new slot was even chosen
            session.rollback()
            return SlotTaken()
        return _slot_taken_with_alternatives(session, request, now, policy)

    with _unit_of_work(session, alternatives):
        begin_write(session)
        consultation = get_visible(session, consultation_id, actor)
        if not can_manage(actor, consultation):
            raise NotAllowed(reason="not_yours")
        new_expert_id = expert_id or consultation.expert_id
        if actor.is_expert and new_expert_id != actor.id:
            raise NotAllowed(reason="other_experts_calendar")
        check_cancellation(
            consultation.start_dt,
            now,
            policy,
            by_staff=actor.is_staff,
            is_active=consultation.is_active,
            took_place=consultation.status != ConsultationStatus.BOOKED,
        )
        domain = consultation.domain
        branch = resolve_branch(session, branch_id or consultation.branch_id)
        request = BookingRequest(
            expert_id=new_expert_id, branch_id=branch.id, domain_code=domain.code, start=start
        )
        _lock_users(session, [consultation.expert_id, new_expert_id, consultation.client_id])
        expert = resolve_expert(session, new_expert_id, domain, branch)
        check_timing(start, now, policy, polish_holidays(*_days(start)))
        slot = _match_slot(
            session,
            domain=domain,
            branch=branch,
            expert=expert,
            start=start,
            now=now,
            policy=policy,
            exclude_id=consultation.id,
        )
        for attendee in consultation.attendees:
            check_client_commitments(
                Interval(slot.start, slot.end),
                _commitments(session, attendee.user_id, now, exclude_id=consultation.id),
                policy,
                is_move=True,
            )
        previous = consultation.start_dt
        consultation.expert_id = expert.id
        consultation.branch_id = branch.id
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
            details={"from": previous.isoformat(), "to": slot.start.isoformat()},
            now=now,
        )
        session.commit()
    return consultation


# --- listing --------------------------------------------------------------------------------


def list_consultations(
    session: Session,
    actor: User,
    *,
    expert_id: int | None = None,
    branch_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_cancelled: bool = True,
) -> list[Consultation]:
    """What `actor` may see: a client their own, an expert their calendar, a manager everything."""
    stmt = select(Consultation).options(
        selectinload(Consultation.attendees).selectinload(ConsultationAttendee.user),
        selectinload(Consultation.expert).selectinload(User.expert_profile),
        selectinload(Consultation.branch),
        selectinload(Consultation.domain),
    )
    if actor.is_client:
        stmt = stmt.where(
            or_(
                Consultation.client_id == actor.id,
                Consultation.attendees.any(ConsultationAttendee.user_id == actor.id),
            )
        )
    elif actor.is_expert:
        stmt = stmt.where(Consultation.expert_id == actor.id)
    if expert_id is not None and not actor.is_client:
        stmt = stmt.where(Consultation.expert_id == expert_id)
    if branch_id is not None:
        stmt = stmt.where(Consultation.branch_id == branch_id)
    if date_from is not None:
        stmt = stmt.where(Consultation.start_dt >= local_midnight(date_from))
    if date_to is not None:
        stmt = stmt.where(Consultation.start_dt < local_midnight(date_to + timedelta(days=1)))
    if not include_cancelled:
        stmt = stmt.where(Consultation.status != ConsultationStatus.CANCELLED)
    return list(session.scalars(stmt.order_by(Consultation.start_dt, Consultation.id)))


__all__ = [
    "BookingRequest",
    "Busy",
    "book",
    "can_manage",
    "can_view",
    "cancel",
    "experts_for",
    "find_slots",
    "get_visible",
    "list_consultations",
    "next_free_slots",
    "policy_from_config",
    "reschedule",
    "resolve_branch",
    "resolve_domain",
    "resolve_expert",
]
