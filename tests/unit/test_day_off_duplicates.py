"""A day off that an earlier one already covers is refused (domain rule, no database)."""

from __future__ import annotations

from datetime import date, time

from incubator.domain.days_off import covering_day_off
from incubator.domain.slots import AvailabilityException, ExceptionKind


def off(first, last, *, branch=None, start=None, end=None, kind=ExceptionKind.OFF):
    return AvailabilityException(
        expert_id=1,
        kind=kind,
        start_date=first,
        end_date=last,
        branch_id=branch,
        start_time=start,
        end_time=end,
        length_min=60,
        buffer_min=0,
    )


JAN4, JAN5, JAN8 = date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 8)


def test_the_same_day_off_twice_is_covered() -> None:
    assert covering_day_off(off(JAN4, JAN4), [(off(JAN4, JAN4), "first")]) == "first"


def test_part_of_a_longer_day_off_is_covered() -> None:
    assert covering_day_off(off(JAN5, JAN5), [(off(JAN4, JAN8), "leave")]) == "leave"
    assert covering_day_off(off(JAN5, JAN5, branch=2), [(off(JAN4, JAN8), "all")]) == "all"
    hours = off(JAN5, JAN5, start=time(10), end=time(12))
    assert covering_day_off(hours, [(off(JAN5, JAN5), "whole day")]) == "whole day"
    wider_hours = off(JAN5, JAN5, start=time(9), end=time(13))
    assert covering_day_off(hours, [(wider_hours, "morning")]) == "morning"


def test_anything_that_adds_time_off_is_not_covered() -> None:
    assert covering_day_off(off(JAN4, JAN8), [(off(JAN5, JAN5), "x")]) is None  # longer
    assert covering_day_off(off(JAN5, JAN5), [(off(JAN5, JAN5, branch=2), "x")]) is None
    whole = off(JAN5, JAN5)
    assert covering_day_off(whole, [(off(JAN5, JAN5, start=time(9), end=time(12)), "x")]) is None
    later = off(JAN5, JAN5, start=time(11), end=time(14))
    assert covering_day_off(later, [(off(JAN5, JAN5, start=time(9), end=time(12)), "x")]) is None
    extra = off(JAN5, JAN5, kind=ExceptionKind.EXTRA, start=time(9), end=time(12))
    assert covering_day_off(off(JAN5, JAN5), [(extra, "x")]) is None
