"""Days without consultations: Polish public holidays (the `holidays` package)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _year(year: int) -> frozenset[date]:
    # holidays.Poland knows the statutory days off (Ustawa o dniach wolnych od pracy, 1951, as
    # amended), including Wigilia (24 December) from 2025.
    return frozenset(holidays.Poland(years=year).keys())


def polish_holidays(start: date, end: date) -> frozenset[date]:
    """Public holidays between `start` and `end` inclusive.

    Sundays are not listed: `incubator.domain.calendar.is_closed_day` adds them.
    """
    days: set[date] = set()
    for year in range(start.year, end.year + 1):
        days |= _year(year)
    return frozenset(d for d in days if start <= d <= end)
