"""Counting people served, by the EFS rules (DOMAIN.md "Counting people served").

Plain Python over figures the database has already aggregated: the services run GROUP BY and
COUNT(DISTINCT) queries and hand the grouped counts here, where the dated breakdown scheme turns
them into the funder's categories.
"""

from __future__ import annotations

from datetime import date


def age_on(birth_date: date | None, birth_year: int | None, day: date) -> int | None:
    """Age in whole years on ``day``; None when neither the date nor the year is known.

    With only the year of birth the age is the one reached during ``day``'s year (the
    convention of EFS monitoring forms, which ask for the year when the date is not given).
    """
    if birth_date is not None:
        before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
        return day.year - birth_date.year - int(before_birthday)
    if birth_year is not None:
        return day.year - birth_year
    return None
