"""Shared fixtures.

The database is chosen by one variable: ``TEST_DATABASE_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/incubator_test``). Without it the suite uses a
SQLite file in a temporary folder. The schema is built by the real Alembic migrations, and every
test that uses the database starts from empty tables.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from incubator import create_app
from incubator.config import TestConfig
from incubator.extensions import db as _db


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    class _Config(TestConfig):
        DATABASE_URL = database_url

    application = create_app(_Config)
    application.instance_path = str(tmp_path_factory.mktemp("instance"))
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        _db.engine.dispose()


# Kept across tests: its counter only grows, so cached slot listings of one test can never be
# served in another (their keys hold the counter).
KEEP = {"calendar_versions"}


def _empty_all_tables() -> None:
    """Empty every table, the append-only audit trail too (its triggers are bypassed here only:
    on PostgreSQL as the superuser the tests connect as, on SQLite by dropping and re-creating
    them from their own stored definition)."""
    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEEP]
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text("SET LOCAL session_replication_role = replica"))
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        triggers = _db.session.execute(
            text(
                "SELECT name, sql FROM sqlite_master"
                " WHERE type = 'trigger' AND tbl_name = 'audit_events'"
            )
        ).all()
        for name, _sql in triggers:
            _db.session.execute(text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            # SQLite enforces ON DELETE RESTRICT row by row, so a self-reference (a filia's parent
            # branch) would fail a plain DELETE: detach the rows first.
            for fk in table.foreign_keys:
                if fk.column.table is table:
                    _db.session.execute(table.update().values({fk.parent.name: None}))
            _db.session.execute(table.delete())
        for _name, sql in triggers:
            _db.session.execute(text(sql))
    _db.session.commit()


@pytest.fixture()
def db(app: Flask) -> Iterator:
    """An app context with empty tables; yields Flask-SQLAlchemy's `db`."""
    with app.app_context():
        _empty_all_tables()
        yield _db
        _db.session.rollback()
        _db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh context.

    The `db` fixture keeps an app context pushed for the test body; without this, Flask would run
    each request inside that same context, sharing `g` (the logged-in user, the locale) and the
    SQLAlchemy session with the test, which hides a missing commit. Here a request sees only what
    is committed, as in production. Afterwards the test's own transaction is ended (rollback:
    tests commit what they create before a request), so its next query sees the request's
    committed effects even on SQLite, whose read transactions keep their snapshot.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.rollback()
        return response


@pytest.fixture()
def client(app: Flask, db) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db):
    return app.test_cli_runner()


@pytest.fixture()
def outbox(app: Flask, tmp_path) -> Iterator:
    """Point the development mail outbox at a fresh folder; yields its Path."""
    previous = app.config.get("MAIL_OUTBOX")
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    yield tmp_path / "outbox"
    app.config["MAIL_OUTBOX"] = previous


def login(client: FlaskClient, email: str, password: str, follow: bool = True):
    return client.post(
        "/konto/logowanie",
        data={"email": email, "password": password},
        follow_redirects=follow,
    )
