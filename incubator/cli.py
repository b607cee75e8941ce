"""The `incubator` command: Flask's commands (run, db, shell, routes) plus our own."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _cli_app() -> Flask:
    from . import create_app

    return create_app(strict=False)


DISTRIBUTION = "inkubator"  # the name in pyproject.toml; the package imports as `incubator`


# Flask's own --version prints Python's, Flask's and Werkzeug's versions; ours prints the
# installed distribution's version from its metadata (what `pip install` put there).
@click.group(
    cls=FlaskGroup,
    create_app=_cli_app,
    add_version_option=False,
    help="Inkubator: manage and run the application.",
)
@click.version_option(
    package_name=DISTRIBUTION, prog_name="incubator", message="%(prog)s %(version)s"
)
def cli() -> None:
    pass


def register_commands(app: Flask) -> None:
    """Attach our commands to the app (so `flask --app incubator` sees them too)."""
    from .commands.backup import commands as backup_commands
    from .commands.doctor import commands as doctor_commands
    from .commands.mail import commands as mail_commands
    from .commands.report import commands as report_commands
    from .commands.retention import commands as retention_commands
    from .commands.seed import commands as seed_commands
    from .commands.users import users

    app.cli.add_command(users)
    for command in [
        *seed_commands,
        *backup_commands,
        *doctor_commands,
        *report_commands,
        *mail_commands,
        *retention_commands,
    ]:
        app.cli.add_command(command)
