"""Booking checked ahead: would `booking.book` or `booking.reschedule` accept this, and may the
client book at all? The same domain rules, read-only, so a page can say no before a form is
filled in; the writes check everything again under their locks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.booking_rules import (
    BookingPolicy,
    TooManyBookings,
    check_active_limit,
    check_client_commitments,
    check_timing,
)
from ..domain.consultations import can_manage, check_change
from ..domain.errors import NotAllowed
from ..domain.slots import Interval, Slot
from ..models import User
from .booking import (
    BookingRequest,
    _commitments,
    _holidays_on,
    _match_slot,
    _resolve_client,
)
from .consultations import get_visible
from .directory import resolve_area, resolve_branch, resolve_expert


def limit_refusal(
    session: Session, client: User, *, now: datetime, policy: BookingPolicy
) -> TooManyBookings | None:
    """Why `client` cannot book one more consultation now (None: they can), asked up front."""
    try:
        check_active_limit(len(_commitments(session, client.id, now)), policy)
    except TooManyBookings as error:
        return error
    return None


def preview(
    session: Session,
    request: BookingRequest,
    *,
    actor: User,
    now: datetime,
    policy: BookingPolicy,
) -> Slot:
    """The slot `book` would take, checked by the same rules without writing anything."""
    if actor.is_expert and request.expert_id != actor.id:
        raise NotAllowed(reason="other_experts_calendar")
    area = resolve_area(session, request.domain_code)
    branch = resolve_branch(session, request.branch_id)
    client = _resolve_client(session, actor, request.client_id)
    expert = resolve_expert(session, request.expert_id, area, branch)
    check_timing(request.start, now, policy, _holidays_on(request.start))
    slot = _match_slot(
        session,
        area=area,
        branch=branch,
        expert=expert,
        start=request.start,
        now=now,
        policy=policy,
    )
    check_client_commitments(
        Interval(slot.start, slot.end),
        _commitments(session, client.id, now),
        policy,
        is_move=False,
    )
    return slot


def preview_move(
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
    """The slot `reschedule` would move the consultation to, checked by the same rules."""
    consultation = get_visible(session, consultation_id, actor)
    new_expert_id = expert_id or consultation.expert_id
    if can_manage(actor, consultation) and actor.is_expert and new_expert_id != actor.id:
        raise NotAllowed(reason="other_experts_calendar")
    check_change(actor, consultation, now, policy)
    area = consultation.domain
    branch = resolve_branch(session, branch_id or consultation.branch_id)
    expert = resolve_expert(session, new_expert_id, area, branch)
    check_timing(start, now, policy, _holidays_on(start))
    slot = _match_slot(
        session,
        area=area,
        branch=branch,
        expert=expert,
        start=start,
        now=now,
        policy=policy,
        exclude_id=consultation.id,
    )
    for attendee_id in consultation.attendee_ids:
        check_client_commitments(
            Interval(slot.start, slot.end),
            _commitments(session, attendee_id, now, exclude_id=consultation.id),
            policy,
            is_move=True,
        )
    return slot
