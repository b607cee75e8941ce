"""The one place that reads the clock; everything below the web layer gets `now` passed in."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
