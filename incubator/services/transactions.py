"""Starting write transactions the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.orm import Session, scoped_session

from ..db_events import SQLITE_IMMEDIATE


def begin_write(session: Session | scoped_session) -> None:
    """Start a fresh transaction for a read-check-write unit of work.

    On SQLite it begins with ``BEGIN IMMEDIATE`` (see `incubator.db_events`), so the checks and the
    insert that follows cannot interleave with another writer. On PostgreSQL it is a plain
    transaction; races there are settled by the constraints and by row locks the caller takes.
    Any read transaction already open (e.g. the request's user lookup) is ended first; pending
    changes would be lost by that, so they are refused.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with unflushed changes in the session")
        session.rollback()
    session.connection(execution_options={SQLITE_IMMEDIATE: True})
