"""The audit trail is append-only at the database (migration 0014's triggers), whatever connects:
raw SQL through a connection of its own cannot change or remove an entry (SQLite and
PostgreSQL), nor empty the table (PostgreSQL's TRUNCATE)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from incubator.models import AuditEvent
from incubator.services import audit
from incubator.services.transactions import write
from tests.factories import create_client, create_manager
from tests.helpers import NOW


@pytest.fixture()
def entry(db) -> int:
    manager = create_manager(full_name="Kinga Kierownik")
    person = create_client(full_name="Maria Wiśniewska")
    with write(db.session):
        event = audit.record(
            db.session, actor=manager, action="participant.viewed", target=person,
            details={"sensitive": True}, ip="203.0.113.7", now=NOW,
        )  # fmt: skip
    event_id = event.id
    db.session.rollback()  # no transaction of the test's own left holding a lock on the table
    return event_id


def _row(db, event_id: int) -> tuple:
    with db.engine.connect() as connection:
        return connection.execute(
            text("SELECT action, actor_id, subject_id, ip FROM audit_events WHERE id = :id"),
            {"id": event_id},
        ).one()


def _refused(db, sql: str, **params) -> None:
    """Run `sql` on a fresh connection of its own: the database must refuse it."""
    db.session.rollback()  # TRUNCATE would wait for the test's own open read otherwise
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "postgresql":  # a lock wait fails the test, never hangs it
            connection.execute(text("SET lock_timeout = '5s'"))
        with pytest.raises(DBAPIError) as refused:
            connection.execute(text(sql), params)
            connection.commit()
        connection.rollback()
    assert "append-only" in str(refused.value)


def test_an_entry_is_written_and_read_back(db, entry) -> None:
    assert _row(db, entry)[0] == "participant.viewed"
    assert db.session.get(AuditEvent, entry).details == {"sensitive": True}


def test_update_is_refused_and_the_row_is_unchanged(db, entry) -> None:
    before = _row(db, entry)
    _refused(db, "UPDATE audit_events SET action = 'nothing', ip = '' WHERE id = :id", id=entry)
    _refused(db, "UPDATE audit_events SET actor_id = NULL")
    assert _row(db, entry) == before


def test_delete_is_refused_and_the_row_stays(db, entry) -> None:
    before = _row(db, entry)
    _refused(db, "DELETE FROM audit_events WHERE id = :id", id=entry)
    _refused(db, "DELETE FROM audit_events")
    assert _row(db, entry) == before


def test_the_orm_cannot_change_an_entry_either(db, entry) -> None:
    event = db.session.get(AuditEvent, entry)
    event.action = "nothing"
    with pytest.raises(DBAPIError):
        db.session.commit()
    db.session.rollback()
    assert _row(db, entry)[0] == "participant.viewed"


def test_truncate_is_refused_on_postgresql(db, entry) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none; its DELETE is refused above)")
    before = _row(db, entry)
    _refused(db, "TRUNCATE audit_events")
    assert _row(db, entry) == before
