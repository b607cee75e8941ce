"""Counting people served, by the EFS rules (DOMAIN.md "Counting people served").

Plain Python over figures the database has already aggregated: the services run GROUP BY and
COUNT(DISTINCT) queries and hand the grouped counts here, where the dated breakdown scheme turns
them into the funder's categories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from .errors import DomainError, InvalidInput
from .schemes import ANSWER_FIELDS, Category, Scheme

if TYPE_CHECKING:
    from .support_forms import ServedByForm


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


# The answers a yes / no / refused question is reported by; None (not asked) is "unknown".
ANSWER_CODES = ("yes", "no", "refused")
# Non-sensitive answers every participant record should hold; a record missing one still counts
# in the total but shows as "incomplete" in that breakdown (EFS: only in the grand total).
REQUIRED_DIMENSIONS = ("gender", "age", "labour_status", "education")


def hours(minutes: int) -> float:
    """Minutes as hours to one decimal, halves rounded up as on the funder's forms
    (255 min = 4.3 h; ``round`` would give 4.2)."""
    tenths = (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(tenths)


@dataclass(frozen=True)
class Line:
    """One row of a breakdown table: a category and how many people are in it."""

    code: str
    name_pl: str
    name_en: str
    count: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl


@dataclass(frozen=True)
class Breakdown:
    """People served split by one question. ``unknown`` counts records without an answer
    the scheme can place (missing, or — for answer fields — not asked)."""

    dimension: str
    lines: tuple[Line, ...]
    unknown: int


@dataclass(frozen=True)
class Share:
    """Figures for one office, area or month."""

    key: str
    name_pl: str
    name_en: str
    people: int = 0
    consultations_held: int = 0
    minutes: int = 0

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl

    @property
    def hours(self) -> float:
        return hours(self.minutes)


@dataclass(frozen=True)
class Summary:
    """Everything a report shows, already counted."""

    first_day: date
    last_day: date
    scheme: Scheme
    people_served: int
    new_people: int
    returning_people: int
    incomplete_records: int
    consultations_held: int
    did_not_come: int
    absences: int
    cancelled_in_time: int
    cancelled_late: int
    minutes: int
    by_area: tuple[Share, ...]
    by_branch: tuple[Share, ...]
    by_month: tuple[Share, ...]
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    # People served per form of support (advice, training, information meeting) and across
    # forms (`domain.support_forms`); ``people_served`` above and its breakdowns are advice's.
    forms: ServedByForm | None = None

    @property
    def advisory_hours(self) -> float:
        return hours(self.minutes)


def _gather(
    categories: Sequence[Category], counts: Mapping[str | None, int], dimension: str
) -> Breakdown:
    lines = tuple(
        Line(c.code, c.name_pl, c.name_en, sum(counts.get(v, 0) for v in c.values))
        for c in categories
    )
    placed = {v for c in categories for v in c.values}
    unknown = sum(n for value, n in counts.items() if value not in placed)
    return Breakdown(dimension, lines, unknown)


def age_breakdown(scheme: Scheme, by_age: Mapping[int | None, int]) -> Breakdown:
    """People by the scheme's age bands, from counts per age in whole years."""
    totals = {band.code: 0 for band in scheme.age_bands}
    unknown = 0
    for age, n in by_age.items():
        band = None if age is None else scheme.age_band(age)
        if band is None:
            unknown += n
        else:
            totals[band.code] += n
    lines = tuple(Line(b.code, b.name_pl, b.name_en, totals[b.code]) for b in scheme.age_bands)
    return Breakdown("age", lines, unknown)


def answer_breakdown(dimension: str, counts: Mapping[str | None, int]) -> Breakdown:
    """A yes / no / refused question; the names are the web layer's (translated there)."""
    lines = tuple(Line(code, code, code, counts.get(code, 0)) for code in ANSWER_CODES)
    unknown = sum(n for value, n in counts.items() if value not in ANSWER_CODES)
    return Breakdown(dimension, lines, unknown)


def breakdowns(
    scheme: Scheme,
    grouped: Mapping[str, Mapping[str | None, int]],
    by_age: Mapping[int | None, int],
) -> dict[str, Breakdown]:
    """Every breakdown of the scheme from per-value counts of the people served.

    ``grouped[dimension][stored value] = people``; ``by_age[age in years] = people``.
    """
    result = {
        "gender": _gather(scheme.genders, grouped.get("gender", {}), "gender"),
        "age": age_breakdown(scheme, by_age),
        "labour_status": _gather(
            scheme.labour_status, grouped.get("labour_status", {}), "labour_status"
        ),
        "education": _gather(scheme.education, grouped.get("education", {}), "education"),
        "residence": answer_breakdown_residence(grouped.get("residence", {})),
    }
    for dimension in ANSWER_FIELDS:
        result[dimension] = answer_breakdown(dimension, grouped.get(dimension, {}))
    return result


def answer_breakdown_residence(counts: Mapping[str | None, int]) -> Breakdown:
    """Rural or urban residence (ESF+ reports the rural share)."""
    codes = ("rural", "urban")
    lines = tuple(Line(code, code, code, counts.get(code, 0)) for code in codes)
    unknown = sum(n for value, n in counts.items() if value not in codes)
    return Breakdown("residence", lines, unknown)


def month_starts(first_day: date, last_day: date) -> list[date]:
    """The first day of every calendar month that ``first_day..last_day`` touches."""
    months = []
    year, month = first_day.year, first_day.month
    while (year, month) <= (last_day.year, last_day.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class PeriodOrder(DomainError):
    """The report's first day is after its last."""

    code = "period_order"
    field = "from"


class UnknownProject(DomainError):
    code = "unknown_project"
    field = "project"


class OutsideProject(DomainError):
    """The chosen period or office does not meet the project's."""

    code = "outside_project"


MAX_REPORT_YEARS = 30


def check_period(first_day: date, last_day: date) -> None:
    """A report covers ``first_day..last_day`` inclusive: in order, and at most 30 years."""
    if first_day > last_day:
        raise PeriodOrder(first=first_day.isoformat(), last=last_day.isoformat())
    if (last_day - first_day).days > MAX_REPORT_YEARS * 366:
        raise InvalidInput(field="to", reason="period_too_long", years=MAX_REPORT_YEARS)
