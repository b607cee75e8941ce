"""A consultation's life: its states, who may see it and who may change it.

The page, the API and the booking service all ask these functions, so a rule cannot drift between
them. Plain Python over anything shaped like a user and a consultation (see the protocols).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .booking_rules import BookingPolicy, check_cancellation
from .errors import DomainError, NotAllowed


class ConsultationStatus(StrEnum):
    """``booked`` until it happens; then ``attended`` or ``no_show``; or ``cancelled``.

    Every status but ``cancelled`` occupies the expert's time.
    """

    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Person(Protocol):
    """Who acts: a user with a role."""

    id: int
    is_manager: bool
    is_expert: bool
    is_client: bool
    is_staff: bool


class ConsultationFacts(Protocol):
    """What the rules need to know about a consultation."""

    expert_id: int
    client_id: int
    status: str
    start_dt: datetime

    @property
    def attendee_ids(self) -> Iterable[int]: ...


def can_view(user: Person, consultation: ConsultationFacts) -> bool:
    """A manager sees every consultation, an expert those in their calendar, a client those they
    are booked for or attend."""
    if user.is_manager:
        return True
    if user.is_expert:
        return consultation.expert_id == user.id
    return consultation.client_id == user.id or user.id in consultation.attendee_ids


def can_manage(user: Person, consultation: ConsultationFacts) -> bool:
    """Who may cancel or move it at all: the client it is for, its expert, or a manager."""
    if user.is_manager:
        return True
    if user.is_expert:
        return consultation.expert_id == user.id
    return consultation.client_id == user.id


def change_refusal(
    user: Person, consultation: ConsultationFacts, now: datetime, policy: BookingPolicy
) -> DomainError | None:
    """Why `user` cannot cancel or move the consultation now; None when they can.

    The one answer the page (whether to offer the buttons), the API and the booking service
    (before it writes) all use.
    """
    if not can_manage(user, consultation):
        return NotAllowed(reason="not_yours")
    try:
        check_cancellation(
            consultation.start_dt,
            now,
            policy,
            by_staff=user.is_staff,
            is_active=consultation.status != ConsultationStatus.CANCELLED,
            took_place=consultation.status != ConsultationStatus.BOOKED,
        )
    except DomainError as error:
        return error
    return None


def can_change(
    user: Person, consultation: ConsultationFacts, now: datetime, policy: BookingPolicy
) -> bool:
    return change_refusal(user, consultation, now, policy) is None


def check_change(
    user: Person, consultation: ConsultationFacts, now: datetime, policy: BookingPolicy
) -> None:
    """Raise the refusal `change_refusal` names, if any."""
    refusal = change_refusal(user, consultation, now, policy)
    if refusal is not None:
        raise refusal


def can_read_notes(user: Person, consultation: ConsultationFacts) -> bool:
    """The expert's private notes on the outcome: its expert and managers only (never a client,
    never another expert)."""
    if user.is_manager:
        return True
    return user.is_expert and consultation.expert_id == user.id
