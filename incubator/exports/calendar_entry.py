"""A consultation as a calendar entry, worded in a given language.

The wording is translated text (Flask-Babel catalogues), so it needs the application, but not a
request: the locale is a parameter. The same entry serves the .ics download, the calendar feed
and the file attached to an e-mail built by a background job.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import Consultation
from .ics import CalendarEntry, build_calendar


def calendar_entry(consultation: Consultation, *, locale: str) -> CalendarEntry:
    """Summary ``Consultation: Law — mec. Anna Nowak``; location = office name and address."""
    expert = consultation.expert.public_name
    branch = consultation.branch
    location = ", ".join(part for part in (branch.name, branch.address) if part)
    with force_locale(locale):
        lines = []
        if consultation.is_cancelled:
            lines.append(_("This consultation has been cancelled."))
        if consultation.topic:
            lines.append(_("Topic: %(topic)s", topic=consultation.topic))
        lines.append(_("Expert: %(name)s", name=expert))
        if branch.phone:
            lines.append(_("Office phone: %(phone)s", phone=branch.phone))
        summary = _(
            "Consultation: %(area)s — %(expert)s",
            area=consultation.domain.name(locale),
            expert=expert,
        )
    return CalendarEntry(
        uid=consultation.uid,
        sequence=consultation.sequence,
        start=consultation.start_dt,
        end=consultation.end_dt,
        summary=summary,
        location=location,
        description="\n".join(lines),
        cancelled=consultation.is_cancelled,
        created=consultation.created_at_dt,
        last_modified=consultation.updated_at_dt,
        organizer_name=expert,
    )


def calendar_bytes(
    consultation: Consultation,
    *,
    locale: str,
    now: datetime,
    domain: str,
    method: str | None = None,
) -> bytes:
    """The .ics file of one consultation (`method`: REQUEST or CANCEL for e-mail invitations)."""
    return build_calendar(
        [calendar_entry(consultation, locale=locale)], now=now, domain=domain, method=method
    )
