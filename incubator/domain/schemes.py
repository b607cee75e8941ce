"""EFS breakdown schemes: the funder's categories, dated by programme period, as data.

Each programme period asked for different categories (DOMAIN.md): ESF+ 2021-2027 has three
genders and the bands under 18 / 18-29 / 55 and over; ESF 2014-2020 under 25 / over 54 and
ISCED 1-2; the 2007-2013 PEFS form asked disability, minority and migrant questions only from
2012. The schemes live in ``seed_data/breakdown_schemes.json``; this module checks that file and
picks the scheme for a report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .errors import DomainError

# The yes / no / refused questions every scheme reports (None in the data = not asked: unknown).
ANSWER_FIELDS = ("disability", "minority", "third_country", "foreign_background", "homeless")


class SchemeError(DomainError):
    """The breakdown-scheme file is wrong (a deployment error, reported with its reason)."""

    code = "invalid_scheme"


@dataclass(frozen=True)
class Category:
    """One category of a breakdown: stored values it gathers (a status may be in two: the
    long-term unemployed are also unemployed)."""

    code: str
    name_pl: str
    name_en: str
    values: tuple[str, ...] = ()

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl


@dataclass(frozen=True)
class AgeBand:
    """Ages ``low``..``high`` inclusive (None = open); ``rest`` marks the band shown as "the
    rest" (ESF+ has no 30-54 band of its own)."""

    code: str
    name_pl: str
    name_en: str
    low: int | None = None
    high: int | None = None
    rest: bool = False

    def holds(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl


@dataclass(frozen=True)
class Scheme:
    code: str
    name_pl: str
    name_en: str
    valid_from: date
    valid_to: date | None
    genders: tuple[Category, ...]
    age_bands: tuple[AgeBand, ...]
    labour_status: tuple[Category, ...]
    education: tuple[Category, ...]
    since: Mapping[str, date]

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl

    def age_band(self, age: int) -> AgeBand | None:
        """The first band that holds ``age``, else the "rest" band, else None."""
        for band in self.age_bands:
            if not band.rest and band.holds(age):
                return band
        return next((b for b in self.age_bands if b.rest), None)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def choose_scheme(schemes: Sequence[Scheme], first_day: date, programme: str | None) -> Scheme:
    """The scheme of ``programme`` (a project's), else the newest valid on ``first_day``, else
    the oldest (a report before every scheme still gets categories)."""
    if not schemes:
        raise SchemeError("no breakdown schemes")
    if programme:
        for scheme in schemes:
            if scheme.code == programme:
                return scheme
    valid = [s for s in schemes if s.valid_on(first_day)]
    if valid:
        return max(valid, key=lambda s: s.valid_from)
    return min(schemes, key=lambda s: s.valid_from)


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SchemeError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _day(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise SchemeError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _categories(items: Any, where: str) -> tuple[Category, ...]:
    if not isinstance(items, list) or not items:
        raise SchemeError(f"{where}: must be a non-empty list")
    categories = []
    for i, item in enumerate(items, 1):
        at = f"{where} #{i}"
        values = item.get("values")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SchemeError(f"{at}: 'values' must be a list of strings")
        names = (_text(item, "name_pl", at), _text(item, "name_en", at))
        categories.append(Category(_text(item, "code", at), *names, tuple(values)))
    return tuple(categories)


def _bands(items: Any, where: str) -> tuple[AgeBand, ...]:
    if not isinstance(items, list) or not items:
        raise SchemeError(f"{where}: must be a non-empty list")
    bands = []
    for i, item in enumerate(items, 1):
        at = f"{where} #{i}"
        low, high = item.get("min"), item.get("max")
        if any(v is not None and not isinstance(v, int) for v in (low, high)):
            raise SchemeError(f"{at}: 'min' and 'max' must be whole numbers")
        names = (_text(item, "name_pl", at), _text(item, "name_en", at))
        rest = bool(item.get("rest", False))
        bands.append(AgeBand(_text(item, "code", at), *names, low, high, rest))
    if sum(b.rest for b in bands) > 1:
        raise SchemeError(f"{where}: at most one band may be the rest")
    return tuple(bands)


def parse_scheme(item: Mapping[str, Any], where: str) -> Scheme:
    since = item.get("since") or {}
    if not isinstance(since, dict) or any(k not in ANSWER_FIELDS for k in since):
        raise SchemeError(f"{where}: 'since' may name only {', '.join(ANSWER_FIELDS)}")
    valid_to = item.get("valid_to")
    return Scheme(
        code=_text(item, "code", where),
        name_pl=_text(item, "name_pl", where),
        name_en=_text(item, "name_en", where),
        valid_from=_day(item.get("valid_from"), where),
        valid_to=None if valid_to is None else _day(valid_to, where),
        genders=_categories(item.get("genders"), f"{where} genders"),
        age_bands=_bands(item.get("age_bands"), f"{where} age_bands"),
        labour_status=_categories(item.get("labour_status"), f"{where} labour_status"),
        education=_categories(item.get("education"), f"{where} education"),
        since={k: _day(v, where) for k, v in since.items()},
    )


def parse_schemes(data: Any) -> tuple[Scheme, ...]:
    """Check the file's content and build the schemes; `SchemeError` names the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("schemes"), list):
        raise SchemeError("the file must hold {'schemes': [...]}")
    schemes = tuple(parse_scheme(item, f"scheme #{i}") for i, item in enumerate(data["schemes"], 1))
    codes = [s.code for s in schemes]
    if len(set(codes)) != len(codes):
        raise SchemeError("scheme codes must be unique")
    return schemes
