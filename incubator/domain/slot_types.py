"""The slot engine's data: weekly hours, exceptions, busy intervals and the slots it finds.

Plain frozen dataclasses over local (Europe/Warsaw) wall-clock times and aware instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from .calendar import WARSAW

__all__ = ["WEEKDAY_NAMES", "AvailabilityException", "ExceptionKind", "Interval", "Rule", "Slot"]

WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


@dataclass(frozen=True)
class Rule:
    """Weekly availability of one expert at one branch (local Europe/Warsaw wall-clock)."""

    expert_id: int
    branch_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday (like date.weekday())
    start: time
    end: time
    length_min: int = 60  # consultation length
    buffer_min: int = 0  # free time after each consultation
    valid_from: date | None = None  # inclusive
    valid_to: date | None = None  # inclusive

    def covers(self, d: date) -> bool:
        """True if the rule's validity period includes local date ``d`` (weekday not checked)."""
        return (self.valid_from is None or self.valid_from <= d) and (
            self.valid_to is None or d <= self.valid_to
        )


class ExceptionKind(StrEnum):
    OFF = "off"  # leave, sick day: removes availability
    EXTRA = "extra"  # extra hours at a branch


@dataclass(frozen=True)
class AvailabilityException:
    """One-off change of an expert's availability on the dates ``start_date..end_date``.

    ``OFF`` without times blocks whole days; with times it blocks ``[start_time, end_time)`` on
    each of the dates. ``branch_id=None`` on ``OFF`` means every branch. ``EXTRA`` needs a
    branch and both times and adds slots laid out exactly like a :class:`Rule`.
    """

    expert_id: int
    kind: ExceptionKind
    start_date: date  # inclusive
    end_date: date  # inclusive
    branch_id: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    length_min: int = 60
    buffer_min: int = 0

    @property
    def whole_day(self) -> bool:
        return self.start_time is None and self.end_time is None


@dataclass(frozen=True, order=True)
class Interval:
    """Half-open ``[start, end)`` between two aware datetimes (any tz, compared as instants)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable consultation. ``start`` is an aware Europe/Warsaw datetime."""

    start: datetime
    end: datetime  # start + length (elapsed time)
    expert_id: int
    branch_id: int
    buffer_min: int = field(default=0, compare=False)

    def occupied(self) -> Interval:
        """The interval this slot blocks once booked: the consultation plus its buffer.

        This is exactly what should be passed back to :func:`free_slots` as ``busy``.
        """
        until = (self.end.astimezone(UTC) + timedelta(minutes=self.buffer_min)).astimezone(WARSAW)
        return Interval(self.start, until)
