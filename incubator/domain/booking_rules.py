"""Booking rules: what a booking, a cancellation or a move must satisfy, as plain Python.

Every refusal is a `DomainError` with a stable ``code``; the web layer alone turns it into an
HTTP status and a translated message. Nothing here reads the clock or the database: times and
the client's other bookings are passed in.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .calendar import is_closed_day, local_date
from .errors import (
    DomainError,
    InThePast,
    InvalidInput,
)
from .slots import Interval, Slot


@dataclass(frozen=True)
class BookingPolicy:
    """The incubator's booking policy; every value is configurable (see `incubator.config`)."""

    min_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(days=60)
    max_active: int = 3  # future active consultations a client may hold at once
    cancel_notice: timedelta = timedelta(hours=24)  # clients cancel up to this before the start
    waitlist_hold: timedelta = timedelta(hours=24)  # a slot offered from the waitlist is held


class BookingError(DomainError):
    """Base of the refusals only booking makes."""

    code = "booking_error"


class UnknownDomain(BookingError):
    code = "unknown_domain"


class UnknownClient(BookingError):
    code = "unknown_client"


class TooShortNotice(BookingError):
    code = "too_short_notice"


class BeyondHorizon(BookingError):
    code = "beyond_horizon"


class ClosedDay(BookingError):
    """A Sunday or a public holiday."""

    code = "closed_day"


class OutsideAvailability(BookingError):
    """The start is not one of the expert's slots (wrong time, wrong branch, day off)."""

    code = "not_a_slot"


class SlotTaken(BookingError):
    """Someone else holds the slot (or got it first). Carries the next free slots."""

    code = "slot_taken"

    def __init__(self, message: str = "", next_slots: Sequence[Slot] = (), **params) -> None:
        super().__init__(message, **params)
        self.next_slots = list(next_slots)


class TooManyBookings(BookingError):
    code = "too_many_bookings"


class OverlapsOwnBooking(BookingError):
    code = "overlapping_booking"


class InvalidAttendee(BookingError):
    code = "invalid_attendee"


class NotCancellable(BookingError):
    """Already cancelled, or already took place."""

    code = "not_cancellable"


class TooLateToCancel(BookingError):
    code = "too_late_to_cancel"


def check_timing(
    start: datetime, now: datetime, policy: BookingPolicy, holidays: Container
) -> None:
    """Refuse a start in the past, too soon, too far ahead, on a Sunday or on a holiday."""
    if start.tzinfo is None:
        raise InvalidInput("start must carry a UTC offset", field="start")
    local_day = local_date(start)
    if start <= now:
        raise InThePast(start=start.isoformat())
    if is_closed_day(local_day, holidays):
        raise ClosedDay(date=local_day.isoformat())
    if start < now + policy.min_notice:
        raise TooShortNotice(hours=int(policy.min_notice.total_seconds() // 3600))
    if start > now + policy.horizon:
        raise BeyondHorizon(days=policy.horizon.days)


def check_client_commitments(
    slot: Interval, commitments: Iterable[Interval], policy: BookingPolicy, *, is_move: bool
) -> None:
    """At most ``max_active`` future bookings, never two that overlap.

    ``commitments`` are the client's future active consultations; when moving a consultation the
    one being moved is left out by the caller, so a move never counts twice.
    """
    commitments = list(commitments)
    for other in commitments:
        if other.start < slot.end and slot.start < other.end:
            raise OverlapsOwnBooking(start=other.start.isoformat())
    if not is_move:
        check_active_limit(len(commitments), policy)


def check_active_limit(active: int, policy: BookingPolicy) -> None:
    """A client holding ``max_active`` future bookings may not book another (moving is fine)."""
    if active >= policy.max_active:
        raise TooManyBookings(limit=policy.max_active)


def check_cancellation(
    start: datetime,
    now: datetime,
    policy: BookingPolicy,
    *,
    by_staff: bool,
    is_active: bool,
    took_place: bool,
) -> None:
    """Clients may cancel up to ``cancel_notice`` before the start; staff at any time."""
    if not is_active or took_place:
        raise NotCancellable()
    if by_staff:
        return
    if start <= now:
        raise NotCancellable()
    if start - now < policy.cancel_notice:
        raise TooLateToCancel(hours=int(policy.cancel_notice.total_seconds() // 3600))
