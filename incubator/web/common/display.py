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


def day_label(value: date | datetime) -> str:
    """ "wtorek 3 marca" / "Tuesday 3 March" (a datetime is shown in Warsaw time)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        value = aware.astimezone(WARSAW).date()
    return _day_label(value, str(get_locale()))


@lru_cache(maxsize=2048)
def _day_label(day: date, _locale: str) -> str:
    # Formatting a date through Babel costs ~50 µs; a slot list shows the same few days many
    # times, so the words are kept per day and locale (the locale is part of the key).
    return format_date(day, "EEEE d MMMM")


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
