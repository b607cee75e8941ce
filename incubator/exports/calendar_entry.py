"""A consultation as a calendar entry, worded in a given language and for a given reader.

The wording is translated text (Flask-Babel catalogues), so it needs the application, but not a
request: the locale is a parameter. The same entry serves the .ics download, the calendar feeds
and the file attached to an e-mail built by a background job.

What each reader sees (issue #13): a client sees their own booking only (area, expert, office,
address, topic, the office's phone), never who else attends; an expert's and an office's feed add
the attendees' names, since the expert needs to know who comes. No entry ever carries the
expert's private notes, an outcome, a cancellation reason, anyone's phone number or e-mail or
participant data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..models import Consultation
from .ics import CalendarEntry, build_calendar

Reader = Literal["client", "expert", "office"]
# How often subscribed calendars should fetch a feed again (Google and Outlook decide for
# themselves, Apple Calendar and Thunderbird follow these).
REFRESH = b"PT1H"


def calendar_entry(consultation: Consultation, *, locale: str) -> CalendarEntry:
    """Summary ``Consultation: Law — mec. Anna Nowak``; location = office name and address.

    What a client sees of their own booking (the download, the e-mail, the client's feed)."""
    return _entry(consultation, locale, "client")


def _entry(consultation: Consultation, locale: str, reader: Reader) -> CalendarEntry:
    expert = consultation.expert.public_name
    branch = consultation.branch
    location = ", ".join(part for part in (branch.name, branch.address) if part)
    names = _attendee_names(consultation) if reader != "client" else []
    with force_locale(locale):
        area = consultation.domain.name(locale)
        lines = []
        if consultation.is_cancelled:
            lines.append(_("This consultation has been cancelled."))
        if consultation.topic:
            lines.append(_("Topic: %(topic)s", topic=consultation.topic))
        lines.append(_("Expert: %(name)s", name=expert))
        if names:
            lines.append(_("Attendees: %(names)s", names=", ".join(names)))
        if branch.phone:
            lines.append(_("Office phone: %(phone)s", phone=branch.phone))
        if reader == "office":
            summary = _(
                "%(expert)s — %(who)s (%(area)s)", expert=expert, who=_who(names), area=area
            )
        elif reader == "expert":
            summary = _("Consultation: %(area)s — %(who)s", area=area, who=_who(names))
        else:
            summary = _("Consultation: %(area)s — %(expert)s", area=area, expert=expert)
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


def _attendee_names(consultation: Consultation) -> list[str]:
    """Who comes, the person it was booked for first: names only."""
    others = sorted(
        (a.user.full_name for a in consultation.attendees if a.user_id != consultation.client_id),
        key=str.casefold,
    )
    return [consultation.client.full_name, *others]


def _who(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ngettext(
        "%(name)s and %(num)d other", "%(name)s and %(num)d others", len(names) - 1, name=names[0]
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


def feed_bytes(
    consultations: Iterable[Consultation],
    *,
    reader: Reader,
    name: str,
    locale: str,
    now: datetime,
    domain: str,
    extra: Iterable[CalendarEntry] = (),
) -> bytes:
    """A subscribable calendar: every consultation worded for `reader` (and `extra` entries:
    sessions of events), named `name`, with the refresh interval calendars should keep
    (``REFRESH-INTERVAL`` of RFC 7986 and Outlook's ``X-PUBLISHED-TTL``)."""
    entries = [_entry(c, locale, reader) for c in consultations] + list(extra)
    data = build_calendar(entries, now=now, domain=domain, name=name)
    # build_calendar writes the calendar's own properties first; these two join them (the order
    # of a calendar's properties carries no meaning).
    head = b"BEGIN:VCALENDAR\r\n"
    if not data.startswith(head):  # pragma: no cover - icalendar always starts so
        raise ValueError("unexpected calendar start")
    refresh = b"REFRESH-INTERVAL;VALUE=DURATION:" + REFRESH + b"\r\nX-PUBLISHED-TTL:" + REFRESH
    return head + refresh + b"\r\n" + data[len(head) :]
