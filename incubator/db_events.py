"""Engine-level settings that differ per database."""

from __future__ import annotations

from sqlalchemy import Engine, event

SQLITE_IMMEDIATE = "sqlite_immediate"


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def install(engine: Engine) -> None:
    """On SQLite: enforce foreign keys, use WAL, and let write transactions take the lock at BEGIN.

    A transaction started through `incubator.services.transactions.begin_write` carries the
    execution option ``sqlite_immediate`` and begins with ``BEGIN IMMEDIATE``: it waits (busy
    timeout) for the write lock up front, so its reads and its writes are one serialised unit and
    it can never fail half-way with "database is locked". Plain reads use a deferred ``BEGIN`` and
    do not block each other (WAL).
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
        # SQLite's lower() folds ASCII only ("ŁUKASZ" would not match "łukasz"); use Python's.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # pragma: no cover - driver callback
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
