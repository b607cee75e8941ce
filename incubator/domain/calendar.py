"""The incubator's calendar: its time zone, local days and the one rule for closed days.

Everything that turns an instant into a local date, a local date into an instant, or asks whether
the incubator is open on a day comes here, so the slot engine, the booking rules, the calendar
management and the demo generator cannot disagree.

Public holidays are data (the `holidays` package, read by `incubator.services.holidays`): they are
passed in as a container of dates, so this module stays plain Python.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "SUNDAY",
    "WARSAW",
    "daterange",
    "is_closed_day",
    "local_date",
    "local_day_bounds",
    "local_midnight",
]

# Europe/Warsaw: CET, CEST from the last Sunday of March to the last Sunday of October.
WARSAW = ZoneInfo("Europe/Warsaw")
SUNDAY = 6  # date.weekday()


def local_date(instant: datetime) -> date:
    """The Warsaw calendar date of an aware instant."""
    return instant.astimezone(WARSAW).date()


def local_midnight(day: date) -> datetime:
    """The instant a local date begins (00:00 in Warsaw; DST never changes at midnight here)."""
    return datetime.combine(day, time(0), tzinfo=WARSAW)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """``[start, end)`` instants covering the local dates ``first..last`` inclusive."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def daterange(first: date, last: date) -> Iterator[date]:
    """Every date from `first` to `last`, both included (nothing when `last` < `first`)."""
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def is_closed_day(day: date, holidays: Container[date]) -> bool:
    """No consultations on Sundays and public holidays (Ustawa o dniach wolnych od pracy, 1951,
    as amended; `holidays` holds the statutory days off of the years concerned)."""
    return day.weekday() == SUNDAY or day in holidays
