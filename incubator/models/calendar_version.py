"""Per-calendar change counters, kept by database triggers (migration 0005)."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# The calendar that stands for who gives which area at which office (not an expert's id).
DIRECTORY_CALENDAR = 0


class CalendarVersion(db.Model):
    """`version` of calendar `id` (an expert's user id, or `DIRECTORY_CALENDAR`).

    Raised by triggers on every change that alters that expert's free time (a consultation's
    times, buffer or status, its attendees, the expert's rules and exceptions), or, for the
    directory, on changes to expert profiles, their areas and offices, offices, areas, and a
    user's role or active flag. Notes, topics and outcomes raise nothing. A missing row means
    version 0. Caches of computed slots are keyed by these counters, so they can never outlive a
    change, whichever code path (or person with psql) made it; see services/slot_cache.py.
    """

    __tablename__ = "calendar_versions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
