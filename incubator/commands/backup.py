"""`incubator backup -o FILE` and `incubator restore FILE`: a consistent copy, and back.

SQLite is copied with its online backup API (`sqlite3.Connection.backup`): one read transaction
over the whole file, so the copy is consistent while the application keeps writing (WAL: readers
and the writer do not block each other). PostgreSQL is copied with ``pg_dump -Fc`` (one
repeatable-read snapshot) and restored with ``pg_restore --clean --if-exists --no-owner
--single-transaction`` (all or nothing). Both tools are found on PATH.

Restore is deliberately narrow: it checks the file is a backup of the configured engine before
touching anything, refuses to overwrite a database that holds data unless ``--force`` is given,
and afterwards runs nothing else (no migration, no seeding): what was backed up is what you get.
Every failure is one line on stderr and exit code 1 (:class:`click.ClickException`).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import URL, inspect, make_url, select, table, text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Bookkeeping tables a freshly migrated database already fills; rows there are not "data".
BOOKKEEPING = {"alembic_version", "calendar_versions"}
SQLITE_TIMEOUT_S = 15


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _engine_name(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise click.ClickException(f"unsupported database engine: {backend}")
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the configured SQLite database is in memory: nothing to copy")
    return Path(url.database)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(
            f"{name} was not found on PATH; install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) in the version of the server or newer"
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for pg_dump/pg_restore; the password goes in the environment, not
    on the command line (where `ps` would show it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else f"exit code {result.returncode}"
        raise click.ClickException(f"{Path(command[0]).name} failed: {detail}")


# --- backup ---------------------------------------------------------------------------------


@click.command("backup")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (a SQLite file, or a pg_dump custom-format archive).",
)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@with_appcontext
def backup(output: Path, force: bool) -> None:
    """Write a consistent copy of the configured database to OUTPUT while the service runs.

    SQLite: the online backup API. PostgreSQL: pg_dump -Fc (needs pg_dump on PATH). Restore it
    with `incubator restore OUTPUT`.
    """
    url = _url()
    engine = _engine_name(url)
    if output.exists() and not force:
        raise click.ClickException(f"{output} already exists; use --force to overwrite it")
    if not output.parent.is_dir():
        raise click.ClickException(f"the folder {output.parent} does not exist")
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if engine == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            command, env = _pg_dump_command(url, partial)
            _run(command, env)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Backed up the {engine} database to {output} ({output.stat().st_size} bytes).")


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.is_file():
        raise click.ClickException(f"the SQLite database {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT_S)
    dst = sqlite3.connect(target)
    try:
        # pages=-1 (the default): the whole file in one step, i.e. one consistent snapshot.
        src.backup(dst)
        # One self-contained file: no -wal file beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise click.ClickException(f"SQLite backup failed: {error}") from None
    finally:
        dst.close()
        src.close()


def _pg_dump_command(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    dsn, env = _libpq(url)
    return [_tool("pg_dump"), "-Fc", "-f", str(target), "--dbname", dsn], env


# --- restore --------------------------------------------------------------------------------


@click.command("restore")
@click.argument("backup_file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a database that is not empty.")
@with_appcontext
def restore(backup_file: Path, force: bool) -> None:
    """Replace the configured database with the backup in FILE (made by `incubator backup`).

    Stop the service first. FILE must be a backup of the same engine (SQLite file or pg_dump
    custom format); a database holding data is only overwritten with --force. Nothing else runs
    afterwards: if the backup comes from an older version, run `incubator db upgrade` yourself.
    PostgreSQL needs pg_restore on PATH.
    """
    url = _url()
    engine = _engine_name(url)
    _check_file(backup_file, engine)
    if engine == "sqlite":
        _check_sqlite_backup(backup_file)
    else:
        _tool("pg_restore")
    rows = _data_tables()
    if rows and not force:
        raise click.ClickException(
            f"the database is not empty ({', '.join(rows[:3])}{'…' if len(rows) > 3 else ''} "
            "hold data); use --force to replace it"
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours may hold the database open
    if engine == "sqlite":
        _sqlite_restore(backup_file, _sqlite_path(url))
    else:
        dsn, env = _libpq(url)
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                dsn,
                str(backup_file),
            ],
            env,
        )
    click.echo(f"Restored {backup_file} into the {engine} database.")


def _check_file(path: Path, engine: str) -> None:
    """Refuse anything but a readable backup of the configured engine, by its first bytes."""
    if not path.exists():
        raise click.ClickException(f"{path} does not exist")
    if not path.is_file():
        raise click.ClickException(f"{path} is not a file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror}") from None
    kind = (
        "sqlite"
        if head.startswith(SQLITE_MAGIC)
        else "postgresql"
        if head.startswith(PGDUMP_MAGIC)
        else None
    )
    if kind is None:
        raise click.ClickException(
            f"{path} is neither a SQLite database nor a pg_dump custom-format archive"
        )
    if kind != engine:
        made = "a SQLite backup" if kind == "sqlite" else "a PostgreSQL (pg_dump) backup"
        raise click.ClickException(f"{path} is {made}, but the configured database is {engine}")


def _check_sqlite_backup(path: Path) -> None:
    """The file opens, passes SQLite's quick check and has a migrated Inkubator schema."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = connection.execute("PRAGMA quick_check").fetchone()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise click.ClickException(f"{path} is not a usable Inkubator backup: {error}") from None
    if not check or check[0] != "ok":
        raise click.ClickException(f"{path} is damaged: {check[0] if check else 'no answer'}")
    if revision is None:
        raise click.ClickException(f"{path} has no schema revision: not an Inkubator backup")


def _data_tables() -> list[str]:
    """The configured database's tables that hold rows, bookkeeping aside (empty: may restore)."""
    try:
        names = sorted(set(inspect(db.engine).get_table_names()) - BOOKKEEPING)
        with db.engine.connect() as connection:
            return [
                name
                for name in names
                if connection.execute(select(text("1")).select_from(table(name)).limit(1)).first()
            ]
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise click.ClickException(
            f"cannot read the configured database: {detail[0] if detail else error}"
        ) from None


def _sqlite_restore(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=SQLITE_TIMEOUT_S)
    try:
        src.backup(dst)
    except sqlite3.Error as error:
        raise click.ClickException(f"SQLite restore failed: {error}") from None
    finally:
        dst.close()
        src.close()


commands = [backup, restore]
