"""Engine-level settings that differ per database."""

from __future__ import annotations

from sqlalchemy import Engine, event


def install(engine: Engine) -> None:
    """On SQLite: enforce foreign keys, use WAL and take the write lock at BEGIN.

    ``BEGIN IMMEDIATE`` makes a write transaction wait (busy timeout) for the lock up front instead
    of failing half-way with "database is locked" when two bookings race.
    """
    if engine.dialect.name != "sqlite":
        return
    if getattr(engine, "_incubator_events", False):
        return
    engine._incubator_events = True  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # pragma: no cover - driver callback
        connection.exec_driver_sql("BEGIN IMMEDIATE")
