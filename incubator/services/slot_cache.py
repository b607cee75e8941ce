"""Per-process caches of slot listings that are never stale, with no query on a hit.

A listing is keyed by the versions of the calendars it covers: the directory's (who gives which
area at which office) and each of its experts' (see models/calendar_version.py: database
triggers raise them on every change that alters free time). This module keeps each process's
copy of those versions current without asking the database on every request:

* **PostgreSQL**: a `Listener` thread per process holds a connection of its own, ``LISTEN``\\ s
  on the channel the triggers ``pg_notify`` at commit, and applies each ``<calendar>:<version>``
  as it arrives, within milliseconds of the commit, on every host sharing the database. A hit
  then costs a dict lookup. While the listener is not connected (starting, reconnecting after
  the server restarted), every request reads the versions table instead: slower, never stale.
  After a commit made by this process the table is read once, so a person always sees their
  own change at once, even before its notification arrives.
* **SQLite** (one machine, no NOTIFY): ``PRAGMA data_version`` on a connection of its own
  changes whenever any other connection (any process) commits; it costs no I/O, so it is read
  per request, and the small versions table only when it moved.

Whatever the cache says, a booking checks its slot again inside its own transaction, so a
listing can only ever lead to a 409 with alternatives, never to a double booking.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session

from ..models import DIRECTORY_CALENDAR, CalendarVersion

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "incubator_calendar"  # the triggers' pg_notify channel (migration 0005)
HEARTBEAT_SECONDS = 5.0  # a silent listener checks its connection this often
WAKE_SECONDS = 0.5  # how often the listener looks up from waiting (to stop when asked)
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)  # back-off between attempts, then the last one

_SNAPSHOT = select(CalendarVersion.id, CalendarVersion.version)


class Versions:
    """This process's copy of the calendar versions.

    Versions only grow, so merging takes the larger value and a notification that arrives after
    a fresher snapshot changes nothing. A version going *down* means the database was replaced
    (a restore): `epoch` moves on, so no key made before can match again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[int, int] = {}
        self.epoch = 0

    def raise_to(self, calendar: int, version: int) -> None:
        with self._lock:
            if version > self._values.get(calendar, 0):
                self._values[calendar] = version

    def merge(self, snapshot: Iterable[tuple[int, int]]) -> None:
        fresh = dict(snapshot)
        with self._lock:
            if any(fresh.get(k, 0) < v for k, v in self._values.items()):
                self.epoch += 1
                self._values = fresh
                return
            self._values.update(fresh)

    def key(self, expert_ids: Iterable[int]) -> tuple[int, ...]:
        """The part of a cache key that changes whenever any of these calendars changes."""
        get = self._values.get
        return (self.epoch, get(DIRECTORY_CALENDAR, 0), *(get(e, 0) for e in expert_ids))

    def directory_key(self) -> tuple[int, int]:
        return (self.epoch, self._values.get(DIRECTORY_CALENDAR, 0))

    def get(self, calendar: int) -> int:
        return self._values.get(calendar, 0)


def read_versions(engine: Engine) -> list[tuple[int, int]]:
    """The whole versions table, read in autocommit on a pooled connection (one round trip)."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    with connection:
        return [(row.id, row.version) for row in connection.execute(_SNAPSHOT)]


class Watcher:
    """Keeps `versions` current for one database; `fresh()` is called once per listing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.versions = Versions()
        self.reads = 0  # table reads, for tests and the benchmark

    def fresh(self) -> Versions:
        self._reload()
        return self.versions

    def _reload(self) -> None:
        self.reads += 1
        self.versions.merge(read_versions(self.engine))

    def committed(self) -> None:
        """This process committed something (called after every session commit)."""

    def stop(self) -> None:
        """Stop any background work."""


class SqliteWatcher(Watcher):
    """Reads ``PRAGMA data_version`` per request; the table only when another commit happened."""

    def __init__(self, engine: Engine, path: str) -> None:
        super().__init__(engine)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._pid = os.getpid()

    def fresh(self) -> Versions:
        if self._pid != os.getpid():  # forked: a sqlite3 connection must not cross a fork
            self.__init__(self.engine, self.engine.url.database or "")  # type: ignore[misc]
        with self._lock:
            (data_version,) = self._connection.execute("PRAGMA data_version").fetchone()
            if data_version != self._seen:
                self._seen = data_version
                self.reads += 1
                rows = self._connection.execute("SELECT id, version FROM calendar_versions")
                self.versions.merge(rows)
        return self.versions

    def stop(self) -> None:
        with self._lock:
            self._connection.close()


class ListeningWatcher(Watcher):
    """PostgreSQL: versions pushed by NOTIFY to a listener thread of this process."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.listening = threading.Event()  # set while the listener is connected and current
        self._dirty = True  # a commit of this process not yet seen through the table
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self.notifications = 0

    def fresh(self) -> Versions:
        if self._pid != os.getpid():
            self._start()
        if self._dirty or not self.listening.is_set():
            self._dirty = False  # before the read: a commit during it marks it again
            self._reload()
        return self.versions

    def committed(self) -> None:
        self._dirty = True

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            # A new process (first use, or a worker forked from a master that had one): threads
            # do not survive a fork, so each process runs its own listener.
            self._pid = os.getpid()
            self.listening = threading.Event()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="calendar-listener", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_SECONDS + 2)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._listen()
                attempt = 0
            except Exception as error:  # any failure: fall back, wait, reconnect
                self.listening.clear()
                if self._stop.is_set():
                    return
                pause = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                if attempt == 0:
                    log.warning("calendar listener lost its connection (%s); retrying", error)
                attempt += 1
                self._stop.wait(pause)

    def _listen(self) -> None:
        import psycopg

        url = make_url(self.engine.url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        # Keepalives and a user timeout notice a silently dropped network within seconds.
        with psycopg.connect(
            conninfo,
            autocommit=True,
            application_name="incubator calendar listener",
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            tcp_user_timeout=10_000,
        ) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            # Listening first, then the snapshot: nothing committed in between is missed.
            rows = connection.execute("SELECT id, version FROM calendar_versions").fetchall()
            self.versions.merge(rows)
            self.listening.set()
            heard = time.monotonic()
            while not self._stop.is_set():
                for notice in connection.notifies(timeout=WAKE_SECONDS):
                    heard = time.monotonic()
                    self._apply(notice.payload)
                if time.monotonic() - heard > HEARTBEAT_SECONDS:
                    connection.execute("SELECT 1")  # raises at once if the server went away
                    heard = time.monotonic()
            self.listening.clear()

    def _apply(self, payload: str) -> None:
        calendar, _, version = payload.partition(":")
        try:
            self.versions.raise_to(int(calendar), int(version))
        except ValueError:
            log.warning("calendar listener ignored a malformed notification %r", payload)
            return
        self.notifications += 1


_watchers: dict[Engine, Watcher] = {}
_registry_lock = threading.Lock()


def watcher_for(engine: Engine, *, listen: bool = True) -> Watcher:
    """The one watcher of this process for `engine` (created on first use)."""
    found = _watchers.get(engine)
    if found is not None:
        return found
    with _registry_lock:
        if engine not in _watchers:
            _watchers[engine] = _make_watcher(engine, listen)
        return _watchers[engine]


_by_session: weakref.WeakKeyDictionary[object, Watcher] = weakref.WeakKeyDictionary()


def watcher_of(session: Session | scoped_session, *, listen: bool = True) -> Watcher:
    """The watcher of the database `session` talks to.

    Remembered per session object: asking a Flask-SQLAlchemy scoped session for its engine
    creates a session (~40 µs with its clean-up), which a cache hit otherwise never needs."""
    found = _by_session.get(session)
    if found is None:
        found = _by_session[session] = watcher_for(session.get_bind(), listen=listen)
    return found


def _make_watcher(engine: Engine, listen: bool) -> Watcher:
    if engine.dialect.name == "postgresql" and listen:
        return ListeningWatcher(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return SqliteWatcher(engine, database)
    return Watcher(engine)  # no push and no cheap counter: read the table every time


def forget(engine: Engine) -> None:
    """Stop and drop the watcher of `engine` (tests, engine disposal)."""
    with _registry_lock:
        found = _watchers.pop(engine, None)
        for session in [k for k, v in _by_session.items() if v is found]:
            del _by_session[session]
    if found is not None:
        found.stop()


def forget_all() -> None:
    """Stop every watcher of this process (scripts that drop their databases afterwards)."""
    for engine in list(_watchers):
        forget(engine)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    found = _watchers.get(engine)
    if found is not None:
        found.committed()


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


class LruCache:
    """A small thread-safe LRU; callers put everything an entry depends on into its key."""

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


slot_listings = LruCache()
expert_sets = LruCache(maxsize=256)
directory_values = LruCache(maxsize=256)
