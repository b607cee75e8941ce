"""Who hears about a change to a consultation, how, and when a failed e-mail is tried again.

Plain rules, no I/O: the service (services/notifications.py) asks them and writes the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class NoticeKind(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    REMINDER = "reminder"
    WAITLIST_OFFER = "waitlist_offer"
    EVENT_SEAT = "event_seat"  # a seat at a training or meeting, from its waiting list
    EVENT_CANCELLED = "event_cancelled"  # a training or meeting called off
    EMAIL_FAILED = "email_failed"  # a call task only: the server refused the address


# The iCalendar METHOD attached to each kind of e-mail (None: no calendar file).
ICS_METHOD: dict[NoticeKind, str | None] = {
    NoticeKind.BOOKED: "REQUEST",
    NoticeKind.MOVED: "REQUEST",
    NoticeKind.CANCELLED: "CANCEL",
    NoticeKind.REMINDER: "REQUEST",
    NoticeKind.WAITLIST_OFFER: None,
    NoticeKind.EVENT_SEAT: None,
    NoticeKind.EVENT_CANCELLED: None,
}

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# 1, 2, 4 … minutes, then every 6 hours: about three days of trying before giving up.
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Person:
    """An attendee or expert as the rules need them."""

    id: int
    has_email: bool


@dataclass(frozen=True)
class Notice:
    """One person to tell: by e-mail (`by_email`) or on staff's "to call" list."""

    person_id: int
    kind: NoticeKind
    by_email: bool


def consultation_notices(
    kind: NoticeKind,
    *,
    attendees: Sequence[Person],
    expert: Person,
    actor_id: int | None,
    previous_expert: Person | None = None,
) -> list[Notice]:
    """Everyone to tell about a booking, a move or a cancellation, and how.

    Attendees with an address get an e-mail whoever made the change (it is their confirmation
    and their calendar entry). An attendee without one is put on the "to call" list when someone
    else moved or cancelled their consultation; a booking made for them by phone needs no call
    back, they were on the line. The expert always gets the e-mail with the calendar file (the
    address is required for staff); when a move hands the consultation to another expert, the
    previous one gets a cancellation.
    """
    notices: list[Notice] = []
    for person in attendees:
        if person.has_email:
            notices.append(Notice(person.id, kind, by_email=True))
        elif kind is not NoticeKind.BOOKED and person.id != actor_id:
            notices.append(Notice(person.id, kind, by_email=False))
    if previous_expert is not None and previous_expert.id != expert.id:
        notices.append(Notice(previous_expert.id, NoticeKind.CANCELLED, by_email=True))
        notices.append(Notice(expert.id, NoticeKind.BOOKED, by_email=True))
    else:
        notices.append(Notice(expert.id, kind, by_email=True))
    return notices


def reminder_notices(attendees: Sequence[Person]) -> list[Notice]:
    """A reminder the day before: an e-mail, or a phone call for those without an address."""
    return [Notice(p.id, NoticeKind.REMINDER, by_email=p.has_email) for p in attendees]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: doubling from a minute, capped."""
    if attempts < 1:
        return timedelta(0)
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_RETRY)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


def is_permanent(smtp_code: int | None) -> bool:
    """A 5xx reply refuses the message for good (e.g. 550 no such mailbox): retrying cannot
    help. 4xx and lost connections are temporary."""
    return smtp_code is not None and 500 <= smtp_code < 600
