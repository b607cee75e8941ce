"""`incubator seed`, `incubator seed-demo`, `incubator demo`.

Errors end as one line on stderr and a non-zero exit (:class:`click.ClickException`), never a
traceback: a bad seed file names itself (:class:`~incubator.demo.SeedError`), a
database problem says what to run.
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..clock import utcnow
from ..demo import (
    DEFAULT_SEED_DIR,
    DemoSummary,
    SeedError,
    demo_accounts,
    demo_data_present,
    load_demo_data,
    load_reference_data,
)
from ..extensions import db
from ..models import User
from ..services.mail import MailSettings

seed_dir_option = click.option(
    "--seed-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_SEED_DIR,
    show_default=True,
    help="Folder with the seed files (branches.json, domains.json, demo/).",
)


def _database_error(exc: SQLAlchemyError) -> click.ClickException:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    detail = lines[0] if lines else type(exc).__name__
    return click.ClickException(
        f"database error: {detail} (is the schema up to date? run `incubator db upgrade`)"
    )


def _print_logins(accounts: list[tuple[str, str, str]]) -> None:
    click.echo("Demo logins:")
    for role, email, password in accounts:
        click.echo(f"  {role:<8} {email:<28} password: {password}")


def _print_demo_summary(summary: DemoSummary) -> None:
    history = summary.history
    by_status = ", ".join(f"{n} {status}" for status, n in sorted(history.by_status.items()))
    click.echo(
        f"Loaded demo data: {summary.experts} experts ({summary.availability_rules} weekly "
        f"rules), {history.clients} clients, {summary.founding_groups} founding groups, "
        f"{history.consultations} consultations ({by_status})."
    )
    click.echo(f"People served 2008-05-01..2011-06-30: {history.people_served}.")


@click.command("seed", help="Load the reference data (branches, domains) from the seed files.")
@seed_dir_option
@with_appcontext
def seed(seed_dir: Path) -> None:
    """For production: safe to re-run, rows are matched by code and updated from the files."""
    try:
        summary = load_reference_data(db.session, seed_dir)
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    click.echo(
        f"Branches: {summary.branches_created} created, {summary.branches_updated} updated, "
        f"{summary.branches_unchanged} unchanged. Domains: {summary.domains_created} created, "
        f"{summary.domains_updated} updated, {summary.domains_unchanged} unchanged."
    )


def _load_demo_if_empty(seed_dir: Path) -> DemoSummary | None:
    """Load the demo into an empty database; None if the demo is already there.

    A database that has other accounts is refused: the demo's fictional clients must never be
    mixed into real data.
    """
    session = db.session
    if demo_data_present(session, seed_dir):
        return None
    users = session.scalar(select(func.count()).select_from(User)) or 0
    if users:
        raise click.ClickException(
            f"the database already has {users} user account(s) and no demo data; "
            "seed-demo only fills an empty database"
        )
    return load_demo_data(
        session,
        seed_dir,
        now=utcnow(),
        password_hash_method=current_app.config["PASSWORD_HASH_METHOD"],
    )


@click.command(
    "seed-demo",
    help="Load the reference data and the fictional demo data set (accounts, experts, clients, "
    "2008-2011 consultations, founding groups). Does nothing if the demo is already loaded.",
)
@seed_dir_option
@with_appcontext
def seed_demo(seed_dir: Path) -> None:
    try:
        summary = _load_demo_if_empty(seed_dir)
        accounts = demo_accounts(seed_dir)
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_error(exc) from None
    if summary is None:
        click.echo("Demo data already present; nothing to do.")
    else:
        _print_demo_summary(summary)
    _print_logins(accounts)


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(f"port {port} on {host} is already in use") from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@click.command(
    "demo",
    help="Run a self-contained demo: a SQLite database in the instance folder (unless "
    "DATABASE_URL is set), migrations, the demo data on first run, then serve the site.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 lets other computers connect).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    help="Port to listen on.",
)
@seed_dir_option
def demo(host: str, port: int, seed_dir: Path) -> None:
    """Serve a demo app built with DemoConfig.

    The `incubator` group's app is built for maintenance commands (no SECRET_KEY needed, but it
    refuses to serve pages without one). The demo builds its own app with DemoConfig instead,
    whose secret key is generated once and kept in the instance folder, so demo sessions survive
    a restart and no production secret is ever invented.
    """
    from flask_migrate import upgrade

    from .. import create_app
    from ..config import DemoConfig

    _check_port_free(host, port)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"

    class _Demo(DemoConfig):
        # Links in the demo's e-mails point at the demo itself unless PUBLIC_URL says otherwise;
        # listening on every address, it answers whatever name other computers use for it.
        PUBLIC_URL = DemoConfig.PUBLIC_URL or f"http://{shown_host}:{port}"
        wildcard = host in ("0.0.0.0", "::", "")
        ALLOWED_HOSTS = DemoConfig.ALLOWED_HOSTS or ("*" if wildcard else None)

    app = create_app(_Demo)
    with app.app_context():
        try:
            upgrade()
            users = db.session.scalar(select(func.count()).select_from(User)) or 0
            if users:
                click.echo(f"Using the existing database ({users} user accounts).")
            else:
                _print_demo_summary(
                    load_demo_data(
                        db.session,
                        seed_dir,
                        now=utcnow(),
                        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
                    )
                )
            accounts = demo_accounts(seed_dir)
        except SeedError as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            raise _database_error(exc) from None
        finally:
            db.session.remove()
        database = db.engine.url.render_as_string(hide_password=True)

    click.echo(f"Database: {database}")
    click.echo(f"Inkubator demo: http://{shown_host}:{port}/  (Ctrl+C to stop)")
    _print_logins(accounts)
    _serve(app, host, port)


def _serve(app: Flask, host: str, port: int) -> None:
    """Serve the demo, with a background sender delivering the outbox every few seconds (to
    instance/outbox/ as .eml files unless MAIL_SERVER is set)."""
    from werkzeug.serving import run_simple

    from .mail import start_background_sender

    if not app.config.get("MAIL_SERVER"):
        folder = MailSettings.from_config(app.config, app.instance_path).outbox
        click.echo(f"E-mails (bookings, changes, reminders) are written to {folder}/")
    stop_sender = start_background_sender(app)
    try:
        run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
    finally:
        stop_sender.set()


commands: list[click.Command] = [seed, seed_demo, demo]
