"""What many test modules share: the fixed clock, the default policy, local-time helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from incubator.domain.booking_rules import BookingPolicy
from incubator.domain.calendar import WARSAW
from incubator.services.notifications import NoticeSettings

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Warsaw
TODAY = date(2026, 11, 23)
WED = date(2026, 11, 25)  # the Wednesday of that week
POLICY = BookingPolicy()  # 24 h notice, 60 days ahead, 3 at once, cancel up to 24 h before
# What e-mails about bookings are built with: TestConfig's PUBLIC_URL host as the UID domain.
NOTICES = NoticeSettings(sender="Inkubator <inkubator@inkubator.test>", uid_domain="inkubator.test")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given as Warsaw wall-clock time."""
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW)
