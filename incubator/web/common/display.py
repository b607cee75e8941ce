"""How the pages show consultations, people and times, and read choices back from URLs.

Times are instants shown in the page's time zone (Europe/Warsaw) through Flask-Babel; the same
words serve the booking, staff and consultation-hours pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from flask import url_for
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from ...domain import bounds
from ...domain.calendar import WARSAW
from ...domain.consultations import ConsultationStatus
from ...models import Branch, Consultation, User

MAX_PAGE = 100_000  # far beyond any list here; keeps OFFSET well inside a 32-bit integer

STATUS_LABELS = {
    ConsultationStatus.BOOKED: _l("Booked"),
    ConsultationStatus.CANCELLED: _l("Cancelled"),
    ConsultationStatus.ATTENDED: _l("Attended"),
    ConsultationStatus.NO_SHOW: _l("No-show"),
}


# --- formatting -----------------------------------------------------------------------------


# One pattern per kind of date and locale, for every page, e-mail and printout (Babel's "full"
# is "Wednesday, December 2, 2026" in English, which sat badly next to "Wednesday 2 December").
DATE_PATTERNS: dict[str, dict[str, str]] = {
    "day": {"pl": "EEEE d MMMM", "en": "EEEE d MMMM"},  # środa 2 grudnia
    "full": {"pl": "EEEE, d MMMM y", "en": "EEEE d MMMM y"},  # środa, 2 grudnia 2026
    "date": {"pl": "d MMMM y", "en": "d MMMM y"},  # 2 grudnia 2026
    "day_month": {"pl": "d MMMM", "en": "d MMMM"},  # 2 grudnia
}
DEFAULT_PATTERN_LOCALE = "en"


def format_day(value: date | datetime, kind: str) -> str:
    """A date in one of `DATE_PATTERNS` (a datetime is shown in Warsaw time)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        value = aware.astimezone(WARSAW).date()
    return _format_day(value, kind, str(get_locale()))


def day_label(value: date | datetime) -> str:
    """ "wtorek 3 marca" / "Tuesday 3 March"."""
    return format_day(value, "day")


def full_date(value: date | datetime) -> str:
    """ "wtorek, 3 marca 2026" / "Tuesday 3 March 2026"."""
    return format_day(value, "full")


def long_date(value: date | datetime) -> str:
    """ "3 marca 2026" / "3 March 2026"."""
    return format_day(value, "date")


def day_month(value: date | datetime) -> str:
    """ "3 marca" / "3 March"."""
    return format_day(value, "day_month")


def date_pattern(kind: str, locale: str) -> str:
    patterns = DATE_PATTERNS[kind]
    language = locale.split("_")[0]
    return patterns.get(locale) or patterns.get(language) or patterns[DEFAULT_PATTERN_LOCALE]


@lru_cache(maxsize=4096)
def _format_day(day: date, kind: str, locale: str) -> str:
    # Formatting a date through Babel costs ~50 µs; a slot list shows the same few days many
    # times, so the words are kept per day, kind and locale (the locale is part of the key).
    return format_date(day, date_pattern(kind, locale))


def hhmm(value: datetime) -> str:
    """ "09:30" in Warsaw time: the same in every locale, so no Babel round trip."""
    if value.tzinfo is None:  # naive values are UTC throughout the app (as Flask-Babel reads them)
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WARSAW).strftime("%H:%M")


def time_range(start: datetime, end: datetime) -> str:
    return f"{hhmm(start)}–{hhmm(end)}"


def expert_name(user: User) -> str:
    return user.public_name


def branch_label(branch: Branch) -> str:
    if branch.parent is not None:
        return f"{branch.name} ({branch.parent.name})"
    return branch.name


def start_arg(start: datetime) -> str:
    """A slot start for a URL: Warsaw time with its offset, to the minute."""
    return start.astimezone(WARSAW).isoformat(timespec="minutes")


def parse_start(raw: str | None) -> datetime | None:
    """An aware ISO date-time within the accepted dates (`domain.bounds`), else None."""
    try:
        value = datetime.fromisoformat((raw or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    if value.tzinfo is None or value.utcoffset() is None or not bounds.is_accepted_date(value):
        return None
    return value


def parse_day(raw: str | None) -> date | None:
    """A YYYY-MM-DD date within the accepted dates (`domain.bounds`), else None."""
    try:
        value = date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return value if bounds.is_accepted_date(value) else None


def parse_id(raw: str | None) -> int | None:
    """A record id (1..2^31-1, `domain.bounds`), else None."""
    return bounds.parse_id(raw)


def parse_page(raw: str | None) -> int:
    """A page number from the query string; anything but a sane positive number is page 1."""
    value = bounds.parse_id(raw)
    return value if value is not None and value <= MAX_PAGE else 1


def ics_url(consultation: Consultation) -> str:
    """The calendar file of the JSON API."""
    return url_for("api.consultation_ics", consultation_id=consultation.id)


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(ConsultationStatus(status))
    return str(label) if label is not None else status
