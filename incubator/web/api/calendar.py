"""A consultation as a calendar entry, worded in the request's language (Polish by default).

The wording lives in the web layer because it is translated text; `incubator.exports.ics` turns
the entry into bytes and knows nothing of languages.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from ...exports.ics import CalendarEntry, build_calendar
from ...models import Consultation
from .serializers import expert_name


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def calendar_entry(consultation: Consultation) -> CalendarEntry:
    """Summary ``Consultation: Law — mec. Anna Nowak``; location = office name and address."""
    expert = expert_name(consultation.expert)
    area = consultation.domain.name(_locale())
    branch = consultation.branch
    location = ", ".join(part for part in (branch.name, branch.address) if part)
    lines = []
    if consultation.is_cancelled:
        lines.append(_("This consultation has been cancelled."))
    if consultation.topic:
        lines.append(_("Topic: %(topic)s", topic=consultation.topic))
    lines.append(_("Expert: %(name)s", name=expert))
    if branch.phone:
        lines.append(_("Office phone: %(phone)s", phone=branch.phone))
    return CalendarEntry(
        uid=consultation.uid,
        sequence=consultation.sequence,
        start=consultation.start_dt,
        end=consultation.end_dt,
        summary=_("Consultation: %(area)s — %(expert)s", area=area, expert=expert),
        location=location,
        description="\n".join(lines),
        cancelled=consultation.is_cancelled,
        created=consultation.created_at_dt,
        last_modified=consultation.updated_at_dt,
        organizer_name=expert,
    )


def calendar_bytes(consultation: Consultation, *, now: datetime) -> bytes:
    return build_calendar([calendar_entry(consultation)], now=now)
