"""`incubator users ...`: create accounts (the first manager, above all) and list them."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..clock import utcnow
from ..domain import passwords
from ..domain.accounts import DuplicateEmail, InvalidEmail, WeakPassword
from ..domain.errors import DomainError, InvalidInput
from ..domain.people import clean_name
from ..extensions import db
from ..models import Role, User
from ..services import accounts, user_search

users = AppGroup("users", help="Create and list user accounts.")

ROLES = [role.value for role in Role]

# The CLI speaks English: it is for the people who install and run the service.
PROBLEM_TEXT = {
    passwords.TOO_SHORT: "it is shorter than {min_length} characters",
    passwords.TOO_LONG: f"it is longer than {passwords.MAX_LENGTH} characters",
    passwords.TOO_COMMON: "it is a commonly used password",
    passwords.CONTAINS_EMAIL: "it contains the e-mail address",
    passwords.CONTAINS_NAME: "it contains the person's name",
    passwords.REPETITIVE: "it repeats too few characters",
    passwords.SEQUENTIAL: "it is a simple sequence of letters or digits",
}


@users.command("create")
@click.option("--email", required=True, help="E-mail address; it is also the login.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES, case_sensitive=False),
    help="What the account may do: client, expert or manager.",
)
@click.option("--name", "full_name", required=True, help='Full name, e.g. "Anna Nowak".')
@click.option("--phone", default="", help="Phone number (optional).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_user(email: str, role: str, full_name: str, phone: str, password_stdin: bool) -> None:
    """Create an account with a password (checked against the password policy).

    Without --password-stdin the password is asked for twice, without echo.
    """
    policy = accounts.PasswordPolicy.from_config(current_app.config)
    try:
        address = accounts.normalise_email(email)
    except InvalidEmail as error:
        raise click.BadParameter(str(error), param_hint="'--email'") from None
    try:
        clean_name(full_name)
    except InvalidInput as error:
        message = "must not be empty" if not full_name.strip() else str(error)
        raise click.BadParameter(message, param_hint="'--name'") from None
    if password_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin: no password on standard input.")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password"
        )
    try:
        user = accounts.create_account(
            db.session,
            actor=None,
            role=role.lower(),
            email=address,
            full_name=full_name,
            phone=phone,
            password=password,
            policy=policy,
            now=utcnow(),
        )
    except WeakPassword as error:
        raise click.ClickException(f"Password rejected: {_reasons(error, policy)}.") from None
    except DuplicateEmail:
        raise click.ClickException(
            f"An account with the e-mail {address} already exists."
        ) from None
    except DomainError as error:
        raise click.ClickException(f"Cannot create the account: {error}.") from None
    click.echo(f"Created {user.role} account {user.email} (id {user.id}).")


@users.command("list")
@click.option(
    "--role",
    type=click.Choice(ROLES, case_sensitive=False),
    default=None,
    help="Show only accounts with this role.",
)
def list_users(role: str | None) -> None:
    """List accounts as a table: id, role, status, e-mail, name and last login."""
    rows = user_search.all_users(db.session, role=role.lower() if role else None)
    if not rows:
        click.echo("No accounts." if not role else f"No {role.lower()} accounts.")
        return
    header = ("ID", "ROLE", "STATUS", "E-MAIL", "NAME", "LAST LOGIN (UTC)")
    table = [_row(user) for user in rows]
    widths = [max(len(row[i]) for row in (header, *table)) for i in range(len(header))]
    for row in (header, *table):
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    click.echo(f"{len(rows)} account(s).")


def _row(user: User) -> tuple[str, ...]:
    status = "active" if user.active else "inactive"
    if not user.password_hash and user.email:
        status += ", no password"
    last_login = user.last_login_dt.strftime("%Y-%m-%d %H:%M") if user.last_login_dt else "-"
    return (str(user.id), user.role, status, user.email or "-", user.full_name, last_login)


def _reasons(error: WeakPassword, policy: accounts.PasswordPolicy) -> str:
    return "; ".join(
        PROBLEM_TEXT.get(code, code).format(min_length=policy.min_length) for code in error.problems
    )
