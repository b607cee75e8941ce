"""Days off that add nothing: one recorded earlier already covers all of a new one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .availability_rules import AvailabilityError
from .slots import AvailabilityException, ExceptionKind

T = TypeVar("T")


class AlreadyOff(AvailabilityError):
    """The new day off adds nothing: one recorded earlier already covers all of it.

    Params: `first` and `last`, the dates of the day off that covers it."""

    code = "already_off"
    field = "start_date"


def covering_day_off(
    new: AvailabilityException, existing: Iterable[tuple[AvailabilityException, T]]
) -> T | None:
    """The first of `existing` days off that already covers all of `new` (a day off), if any.

    Covering means: every date of `new`, at `new`'s office (a day off at every office covers
    one office), and all of its hours (a whole day covers any hours). Submitting the same day off
    twice, or a part of one already recorded, would only add a row that changes nothing."""
    for off, value in existing:
        if (
            off.kind is ExceptionKind.OFF
            and off.start_date <= new.start_date
            and new.end_date <= off.end_date
            and (off.branch_id is None or off.branch_id == new.branch_id)
            and (
                off.start_time is None
                or (
                    new.start_time is not None
                    and off.start_time <= new.start_time
                    and new.end_time <= off.end_time  # type: ignore[operator]
                )
            )
        ):
            return value
    return None
