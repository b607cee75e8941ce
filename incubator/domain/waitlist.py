"""Waitlist rules: which days an entry waits for, how long an offered slot is held, and the
refusals. Plain rules, no I/O (services/waitlist.py loads, asks and writes)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from .errors import DomainError, InvalidInput

# An offer shorter than this is not worth making: nobody could answer it in time.
SHORTEST_HOLD = timedelta(hours=1)


class WaitlistError(DomainError):
    code = "waitlist_error"


class AlreadyWaiting(WaitlistError):
    """The person is on the waitlist for this area at this office already."""

    code = "already_waiting"


class AreaNotHere(WaitlistError):
    """Nobody gives this area at this office: there is nothing to wait for."""

    code = "area_not_at_office"


class OfferExpired(WaitlistError):
    """The hold ran out before the confirmation: the slot may have gone to the next person."""

    code = "offer_expired"


class OfferClosed(WaitlistError):
    """The offer was answered already (confirmed, declined) or withdrawn."""

    code = "offer_closed"


class NotWaiting(WaitlistError):
    """The entry is no longer on the waitlist (booked, left, lapsed)."""

    code = "not_waiting"


def check_range(
    from_date: date | None, to_date: date | None, *, today: date, last_day: date
) -> None:
    """An entry may wait for any day, or for a range of days that is not over and that starts
    within the booking horizon (`last_day`)."""
    if from_date is not None and to_date is not None and to_date < from_date:
        raise InvalidInput(field="to_date", reason="before_from")
    if to_date is not None and to_date < today:
        raise InvalidInput(field="to_date", reason="range_over")
    if from_date is not None and from_date > last_day:
        raise InvalidInput(field="from_date", reason="beyond_waitlist_horizon")


def search_days(
    from_date: date | None, to_date: date | None, *, today: date, last_day: date
) -> tuple[date, date] | None:
    """The days to look for a free slot in today, or None when the range is over or too far."""
    first = max(from_date or today, today)
    last = min(to_date or last_day, last_day)
    return (first, last) if first <= last else None


def hold_until(
    now: datetime, slot_start: datetime, *, hold: timedelta, min_notice: timedelta
) -> datetime | None:
    """Until when a slot offered now is held: `hold`, but never past the last moment it can
    still be booked (the minimum notice). None: too close to offer at all."""
    latest = slot_start - min_notice
    if latest - now < SHORTEST_HOLD:
        return None
    return min(now + hold, latest)


def is_live_offer(status: str, expires_at: datetime, now: datetime) -> bool:
    """An offer holds its slot while it is open and its time has not run out."""
    return status == "open" and expires_at > now
