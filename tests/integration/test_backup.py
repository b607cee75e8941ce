"""`incubator backup` and `incubator restore` on the real engine (SQLite or PostgreSQL).

The main test backs up the suite's database with the real command, in its own process, while
three threads keep booking through `services.booking.book`; every booking committed before the
backup began must be in the copy restored into a fresh database (a new SQLite file, or a
PostgreSQL database made with ``createdb`` and dropped afterwards), whole (attendee and audit
row), with the schema at the head revision. The refusals are checked for what they leave behind:
nothing touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, create_engine, inspect, make_url, text

import incubator
from incubator import create_app
from incubator.config import TestConfig
from incubator.domain.booking_rules import BookingPolicy
from incubator.extensions import db as _db
from incubator.models import User
from incubator.services import booking
from incubator.services.booking import BookingRequest
from tests.factories import (
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_rule,
)
from tests.helpers import NOTICES, NOW, local

INCUBATOR = Path(sys.executable).parent / "incubator"
WRITERS = 3
POLICY = BookingPolicy(max_active=10_000)  # one client books many slots here


def _head_revision() -> str:
    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(incubator.__file__).parent / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head
    return head


def run_cli(url: str, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `incubator` command in its own process, on the database `url`."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("SECRET_KEY", None)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [str(INCUBATOR), *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's engine: a new SQLite file, or a `createdb` database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"{url.database}_restore_{os.getpid()}"
    target = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or ""]
    subprocess.run(["dropdb", *target, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", *target, name], check=True)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        subprocess.run(["dropdb", *target, "--if-exists", "--force", name], check=True)


@pytest.fixture()
def fresh(fresh_url: str) -> Iterator[Engine]:
    engine = create_engine(fresh_url)
    yield engine
    engine.dispose()


def invoke(app: Flask, *args: str):
    """Run a command in-process on `app` (its own context: `with_appcontext` would otherwise
    reuse the context the `db` fixture pushed, i.e. the suite's database)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture()
def fresh_app(fresh_url: str) -> Iterator[Flask]:
    """The application configured for the fresh database (for in-process CLI runs)."""

    class _Config(TestConfig):
        DATABASE_URL = fresh_url

    application = create_app(_Config)
    yield application
    with application.app_context():
        _db.engine.dispose()


def _slot_starts(count: int) -> list[datetime]:
    """Free hours of the expert below (Mon-Sat 8-16) from Wednesday on, Sundays skipped."""
    starts: list[datetime] = []
    day = date(2026, 11, 25)
    while len(starts) < count:
        if day.weekday() != 6:
            starts += [local(day, hour) for hour in range(8, 16)]
        day += timedelta(days=1)
    return starts[:count]


@pytest.fixture()
def bookable(db) -> dict:
    klucze = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[klucze], full_name="Anna Nowak")
    for weekday in range(6):
        create_rule(expert, klucze, weekday=weekday, start_time=local(NOW.date(), 8).time(),
                    end_time=local(NOW.date(), 16).time())  # fmt: skip
    clients = [create_client(email=f"klient{i}@example.org") for i in range(WRITERS)]
    ids = {"branch": klucze.id, "expert": expert.id, "clients": [c.id for c in clients]}
    _db.session.rollback()
    return ids


@dataclass
class Ledger:
    """What the writer threads committed, in order, as (consultation id, start)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    committed: list[tuple[int, datetime]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def snapshot(self) -> list[tuple[int, datetime]]:
        with self.lock:
            return list(self.committed)


def _writer(app: Flask, ids: dict, n: int, starts: list[datetime], ledger: Ledger,
            stop: threading.Event) -> None:  # fmt: skip
    """Book `starts` one by one with its own app context and session until told to stop."""
    try:
        with app.app_context():
            session = _db.session
            actor = session.get(User, ids["clients"][n])
            for start in starts:
                if stop.is_set():
                    return
                request = BookingRequest(ids["expert"], ids["branch"], "law", start)
                consultation = booking.book(
                    session, request, actor=actor, now=NOW, notices=NOTICES, policy=POLICY
                )
                with ledger.lock:  # recorded only once the commit has returned
                    ledger.committed.append((consultation.id, start))
            _db.session.remove()
    except BaseException as error:  # reported by the test, never lost in the thread
        ledger.errors.append(error)


def _restored(engine: Engine) -> dict:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, start_dt FROM consultations")).all()
        attendees = connection.execute(
            text("SELECT consultation_id FROM consultation_attendees")
        ).scalars()
        audited = connection.execute(
            text("SELECT target_id FROM audit_events WHERE action = 'consultation.book'")
        ).scalars()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return {
            "consultations": {i: _aware(s) for i, s in rows},
            "attendees": set(attendees),
            "audited": set(audited),
            "revision": revision,
        }


def _aware(value: datetime | str) -> datetime:
    """SQLite hands raw SQL its naive UTC text; PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.mark.slow
def test_backup_while_booking_keeps_every_earlier_booking(
    app: Flask, database_url: str, bookable: dict, fresh: Engine, fresh_url: str, tmp_path: Path
) -> None:
    starts = _slot_starts(WRITERS * 60)
    ledger, stop = Ledger(), threading.Event()
    threads = [
        threading.Thread(target=_writer, args=(app, bookable, n, starts[n::WRITERS], ledger, stop))
        for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(ledger.snapshot()) < 10 and not ledger.errors:
            assert time.monotonic() < deadline, "the writers booked fewer than 10 in 60 s"
            time.sleep(0.01)
        before = ledger.snapshot()
        result = run_cli(database_url, "backup", "-o", str(tmp_path / "copy.bak"))
        during = len(ledger.snapshot()) - len(before)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not ledger.errors, ledger.errors[:3]
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout
    assert during > 0, "no booking was committed while the backup ran: not a concurrent backup"
    total = ledger.snapshot()

    restored = run_cli(fresh_url, "restore", str(tmp_path / "copy.bak"))
    assert restored.returncode == 0, restored.stderr
    copy = _restored(fresh)
    missing = [(i, s) for i, s in before if copy["consultations"].get(i) != s]
    assert not missing, f"{len(missing)} of {len(before)} earlier bookings are not in the copy"
    # Nothing half-written either: every copied booking was committed, with its attendee and
    # audit row (the backup may hold some that were committed while it ran).
    assert set(copy["consultations"]) <= {i for i, _ in total}
    assert set(copy["consultations"]) == copy["attendees"] == copy["audited"]
    assert copy["revision"] == _head_revision()


def _tables(engine: Engine) -> set[str]:
    engine.dispose()
    return set(inspect(engine).get_table_names())


def test_restore_refuses_a_database_with_data_unless_forced(
    database_url: str, bookable: dict, fresh: Engine, fresh_url: str, fresh_app: Flask,
    tmp_path: Path,
) -> None:  # fmt: skip
    backup_file = tmp_path / "copy.bak"
    assert run_cli(database_url, "backup", "-o", str(backup_file)).returncode == 0
    first = invoke(fresh_app, "restore", str(backup_file))
    assert first.exit_code == 0, first.output
    with fresh.begin() as connection:  # data of its own, that a refusal must leave alone
        connection.execute(text("UPDATE branches SET name = 'Zmieniony'"))

    refused = run_cli(fresh_url, "restore", str(backup_file))
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0, refused.stderr  # one line
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    with fresh.connect() as connection:
        assert connection.execute(text("SELECT name FROM branches")).scalar() == "Zmieniony"

    forced = invoke(fresh_app, "restore", "--force", str(backup_file))
    assert forced.exit_code == 0, forced.output
    with fresh.connect() as connection:
        assert connection.execute(text("SELECT name FROM branches")).scalar() == "Klucze"
        clients = connection.execute(text("SELECT count(*) FROM users WHERE role = 'client'"))
        assert clients.scalar() == WRITERS


def _other_engine_file(path: Path, engine: str) -> Path:
    if engine == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    else:
        sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    return path


@pytest.mark.parametrize("kind", ["text", "other_engine", "empty", "missing", "folder"])
def test_restore_refuses_what_is_not_a_backup(
    kind: str, fresh: Engine, fresh_app: Flask, tmp_path: Path
) -> None:
    engine = fresh.dialect.name
    path = tmp_path / "backup.bak"
    if kind == "text":
        path.write_text("id,name\n1,Klucze\n")
    elif kind == "other_engine":
        _other_engine_file(path, engine)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    before = _tables(fresh)
    result = invoke(fresh_app, "restore", "--force", str(path))
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    expected = {
        "text": "neither a SQLite database nor a pg_dump",
        "empty": "neither a SQLite database nor a pg_dump",
        "other_engine": "but the configured database is",
        "missing": "does not exist",
        "folder": "is not a file",
    }[kind]
    assert expected in message
    assert _tables(fresh) == before  # nothing touched


def test_restore_refuses_a_sqlite_file_that_is_no_incubator_backup(
    fresh: Engine, fresh_app: Flask, tmp_path: Path
) -> None:
    if fresh.dialect.name != "sqlite":
        pytest.skip("a SQLite file is refused by its header on PostgreSQL (test above)")
    path = _other_engine_file(tmp_path / "other.db", "postgresql")  # a SQLite file, no schema
    result = invoke(fresh_app, "restore", str(path))
    assert result.exit_code == 1
    assert "not a usable Inkubator backup" in result.stderr
    assert _tables(fresh) == set()


def test_backup_refuses_to_overwrite_without_force(database_url: str, db, tmp_path: Path) -> None:
    target = tmp_path / "copy.bak"
    target.write_text("keep me")
    result = run_cli(database_url, "backup", "-o", str(target))
    assert result.returncode == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text() == "keep me"
    forced = run_cli(database_url, "backup", "--force", "-o", str(target))
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert not list(tmp_path.glob("*.partial"))


def test_backup_without_pg_dump_says_so(database_url: str, db, tmp_path: Path) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite is copied in-process: no external tool is needed")
    bare = tmp_path / "bin"
    bare.mkdir()  # a PATH without the PostgreSQL client tools
    assert shutil.which("pg_dump", path=str(bare)) is None
    result = run_cli(database_url, "backup", "-o", str(tmp_path / "x.bak"), path=str(bare))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "pg_dump was not found on PATH" in result.stderr
    assert not (tmp_path / "x.bak").exists()
