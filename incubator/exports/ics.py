"""iCalendar (.ics) for consultations: the same builder serves downloads, e-mails and feeds.

Times are written with ``TZID=Europe/Warsaw`` plus the zone's VTIMEZONE as the EU rule (two
RRULEs, `WARSAW_VTIMEZONE`), which Google Calendar, Outlook, Apple Calendar and Thunderbird all
read as the same instant. The UID never changes for a consultation; SEQUENCE is raised on every
change and a cancelled consultation is sent with ``STATUS:CANCELLED`` (and ``METHOD:CANCEL`` when
it is an invitation update), so calendars update the existing event instead of adding a new one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from ..domain.calendar import WARSAW

PRODID = "-//Inkubator Ekonomii Spolecznej//Inkubator//PL"
DEFAULT_UID_DOMAIN = "inkubator.local"

# Europe/Warsaw as the EU rule in force since 1996 (every date the application accepts is later,
# see domain/bounds.py): summer time from the last Sunday of March, 02:00 CET, to the last Sunday
# of October, 03:00 CEST. Not icalendar's add_missing_timezones(): its zone lists each change as
# an RDATE after a 1970 STANDARD, with the spring changes at 03:00 instead of 02:00, and parsers
# that build the zone from the VTIMEZONE (vobject) read summer wall-clock times as CET.
# tests/web/test_feeds.py checks this zone against the tz database, year by year.
WARSAW_VTIMEZONE = "\r\n".join(
    [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Warsaw",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19960331T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19961027T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
        "",
    ]
)


def uid_domain(config: Mapping[str, Any]) -> str:
    """The domain part of every UID: ``CALENDAR_UID_DOMAIN``, else PUBLIC_URL's host.

    It must never change once calendars hold the events (see config.py), so it is read from the
    settings, never from a request.
    """
    configured = (config.get("CALENDAR_UID_DOMAIN") or "").strip()
    if configured:
        return configured
    host = urlsplit(config.get("PUBLIC_URL") or "").hostname or ""
    if not host or host == "localhost" or _is_ip(host):  # the demo's http://127.0.0.1:port
        return DEFAULT_UID_DOMAIN
    return host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class CalendarEntry:
    """What one consultation looks like in a calendar, already in the reader's language."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    cancelled: bool
    created: datetime
    last_modified: datetime
    organizer_name: str = ""
    organizer_email: str | None = None
    url: str | None = None
    # (name, e-mail) of people invited: an e-mail invitation names its recipient, who has
    # already accepted (the booking is made), so calendars file it without asking for a reply.
    attendees: tuple[tuple[str, str], ...] = ()


def _event(entry: CalendarEntry, stamp: datetime, domain: str) -> Event:
    event = Event()
    event.add("uid", f"{entry.uid}@{domain}")
    event.add("sequence", entry.sequence)
    event.add("dtstamp", stamp)
    event.add("created", entry.created)
    event.add("last-modified", entry.last_modified)
    event.add("dtstart", entry.start.astimezone(WARSAW))
    event.add("dtend", entry.end.astimezone(WARSAW))
    event.add("summary", entry.summary)
    event.add("location", entry.location)
    event.add("description", entry.description)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if entry.url:
        event.add("url", entry.url)
    if entry.organizer_email:
        organizer = vCalAddress(f"mailto:{entry.organizer_email}")
        organizer.params["cn"] = vText(entry.organizer_name)
        event["organizer"] = organizer
    for name, email in entry.attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=0)
    return event


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    now: datetime,
    domain: str = DEFAULT_UID_DOMAIN,
    name: str | None = None,
    method: str | None = None,
) -> bytes:
    """One VCALENDAR with a VEVENT per entry and the VTIMEZONE they need, as bytes (CRLF)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Warsaw")
    events = [_event(entry, now, domain) for entry in entries]
    if events:
        calendar.add_component(Timezone.from_ical(WARSAW_VTIMEZONE))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
