"""A per-process cache of computed slot listings that is never stale.

Entries are keyed by the database's calendar version (see models/calendar_state.py: raised by
triggers on every change that affects free slots) and by the minute of `now`, so an entry lives at
most until the next change or the next minute, whichever comes first.

Reading the version is itself one database round trip, which costs more than serving the cached
listing. `VersionClock` therefore re-reads it at most every ``SLOT_VERSION_TTL_SECONDS`` (default
1 s; 0 = on every request) per process, and at once after any commit made in this process. A
change made by another worker process shows in this one's listings within that time. A booking
still checks its slot inside its own transaction, so a listing a moment old can only lead to a
409 with alternatives, never to a double booking.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..models import CalendarState

T = TypeVar("T")


_VERSION = select(CalendarState.version).where(CalendarState.id == 1)


def calendar_version(session: Session) -> int:
    """The current calendar version, read in autocommit mode on a connection of its own.

    It is the only query of a cache hit, so it skips the ORM and the transaction the session
    would open (BEGIN ... ROLLBACK): one round trip. It sees every committed change at once.
    """
    engine = session.get_bind()
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        # (Not on SQLite: its transactions are managed by incubator.db_events, and a read there
        # is local and cheap anyway.)
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    with connection:
        return connection.execute(_VERSION).scalar_one()


class VersionClock:
    """The calendar version as this process last read it, re-read when older than a TTL."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._value: int | None = None
        self._read_at = 0.0
        self.reads = 0

    def current(self, session: Session, ttl_seconds: float) -> int:
        now = self._clock()
        with self._lock:
            if self._value is not None and now - self._read_at < ttl_seconds:
                return self._value
        value = calendar_version(session)
        with self._lock:
            self._value, self._read_at = value, now
            self.reads += 1
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._value = None


version_clock = VersionClock()


@event.listens_for(Session, "after_commit")
def _after_commit(_session: Session) -> None:
    # Whatever this process committed may have raised the version: read it again next time.
    version_clock.invalidate()


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


class VersionedCache:
    """A small thread-safe LRU whose keys always include the calendar version."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]  # type: ignore[return-value]
        value = compute()  # outside the lock: a slow miss must not block the hits
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


slot_listings = VersionedCache()
