"""The people in a booking: whom it is for, who comes along, and what they have booked already.

Split from `booking` (which applies the rules in order); the rules themselves are in
`domain.booking_rules`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.booking_rules import InvalidAttendee, UnknownClient
from ..domain.consultations import ConsultationStatus
from ..domain.errors import NotAllowed
from ..domain.slots import Interval
from ..models import Consultation, ConsultationAttendee, FoundingGroupMember, Role, User


def commitments(
    session: Session, client_id: int, now: datetime, exclude_id: int | None = None
) -> list[Interval]:
    """The times `client_id` is booked from `now` on (one consultation left out on a move)."""
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


def resolve_client(session: Session, actor: User, client_id: int | None) -> User:
    """Whom the booking is for: a client books for themselves, staff name an active client."""
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


def group_for_attendees(session: Session, client: User, attendee_ids: Sequence[int]) -> int | None:
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
