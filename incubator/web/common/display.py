"""How the pages show consultations, people and times, and read choices back from URLs.

Times are instants shown in the page's time zone (Europe/Warsaw) through Flask-Babel; the same
words serve the booking, staff and consultation-hours pages.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l

from ...domain.calendar import WARSAW
from ...domain.consultations import ConsultationStatus
from ...models import Branch, Consultation, User

STATUS_LABELS = {
    ConsultationStatus.BOOKED: _l("Booked"),
    ConsultationStatus.CANCELLED: _l("Cancelled"),
    ConsultationStatus.ATTENDED: _l("Attended"),
    ConsultationStatus.NO_SHOW: _l("No-show"),
}


# --- formatting -----------------------------------------------------------------------------


def day_label(value: date | datetime) -> str:
    """ "wtorek 3 marca" / "Tuesday 3 March" (a datetime is shown in Warsaw time)."""
    return format_date(value, "EEEE d MMMM")


def hhmm(value: datetime) -> str:
    return format_time(value, "HH:mm")


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
    try:
        value = datetime.fromisoformat((raw or "").strip().replace(" ", "+"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def parse_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def ics_url(consultation: Consultation) -> str:
    """The calendar file of the JSON API."""
    return url_for("api.consultation_ics", consultation_id=consultation.id)


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(ConsultationStatus(status))
    return str(label) if label is not None else status
