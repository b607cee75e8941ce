"""The one way to write: a serialised unit of work that commits whole or not at all.

Every service write runs as ``with write(session): ...``: it begins a write transaction the same
way on both engines, commits when the block ends, and on any refusal or error rolls back, so
nothing is ever half-written. Races lost to a database constraint can be turned into a domain
refusal (``on_conflict``); SQLite's lock timeout becomes `Busy` (answered 503, try again), and a
connection lost in the middle (the server restarted, the backend killed) `DatabaseUnavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, scoped_session

from ..db_events import SQLITE_IMMEDIATE
from ..domain.errors import Busy, DatabaseUnavailable

log = logging.getLogger(__name__)


def begin_write(session: Session | scoped_session) -> None:
    """Start a fresh transaction for a read-check-write unit of work.

    On SQLite it begins with ``BEGIN IMMEDIATE`` (see `incubator.db_events`), so the checks and the
    insert that follows cannot interleave with another writer. On PostgreSQL it is a plain
    transaction; races there are settled by the constraints and by row locks (`lock_rows`).
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


@contextmanager
def write(
    session: Session | scoped_session,
    *,
    on_conflict: Callable[[BaseException], BaseException] | None = None,
    conflicts: tuple[type[BaseException], ...] = (IntegrityError,),
) -> Iterator[None]:
    """Run the block as one write transaction and commit it; roll back on any failure.

    A failure of a type in `conflicts` (by default a unique or exclusion constraint refusing the
    change: a race lost to another writer) is replaced by ``on_conflict(failure)`` when given,
    e.g. a `SlotTaken` carrying the next free slots; the session is rolled back before it is
    called, and it may return the failure itself when it is not the conflict it knows.
    """
    try:
        # Inside the try: on SQLite the wait for the write lock happens at BEGIN IMMEDIATE, so
        # that is where the busy timeout runs out.
        begin_write(session)
        yield
        session.commit()
    except conflicts as failure:
        session.rollback()
        if on_conflict is None:
            raise
        replacement = on_conflict(failure)
        if replacement is failure:
            raise
        raise replacement from None
    except DBAPIError as error:
        session.rollback()
        if error.connection_invalidated:  # the connection broke: the transaction is gone
            log.warning("Database connection lost during a write, nothing saved: %s", error.orig)
            raise DatabaseUnavailable() from error
        if isinstance(error, OperationalError) and _is_locked(error):
            raise Busy() from error  # SQLite: the busy timeout ran out
        raise
    except BaseException:
        session.rollback()
        raise


def _is_locked(error: OperationalError) -> bool:
    """SQLite's "database is locked" (or "... table is locked"): the busy timeout ran out."""
    return "locked" in str(error.orig).lower()


def lock_rows(session: Session | scoped_session, model: type, ids: Iterable[int]) -> None:
    """PostgreSQL row locks in id order, so writes about the same people run one by one.

    (SQLite needs none: ``BEGIN IMMEDIATE`` already serialises every write.) Locking in id order
    means two writers never wait for each other in opposite orders.
    """
    wanted = sorted(set(ids))
    if wanted and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(model.id).where(model.id.in_(wanted)).order_by(model.id).with_for_update()
        )
