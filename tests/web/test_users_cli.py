"""`incubator users create` and `incubator users list`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incubator.models import AuditEvent, User
from tests.factories import create_client, create_expert, create_manager

GOOD = "lipowa aleja 42 w maju"


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def create(runner, *args: str, input: str | None = None):
    return runner.invoke(args=["users", "create", *args], input=input)


def assert_clean_failure(result, code: int, text: str) -> None:
    """A one-line message and an exit code, never a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert text in result.output


def test_create_manager_with_password_on_stdin(runner, db) -> None:
    result = create(
        runner,
        "--email",
        " Szef@Example.org ",
        "--role",
        "manager",
        "--name",
        "Zofia Szefowa",
        "--phone",
        "+48 12 345 67 89",
        "--password-stdin",
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created manager account szef@example.org" in result.output
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.role, user.full_name, user.phone) == (
        "szef@example.org",
        "manager",
        "Zofia Szefowa",
        "+48 12 345 67 89",
    )
    assert user.check_password(GOOD) and user.active
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "user.created" and event.actor_id is None


def test_create_expert_with_prompt_and_confirmation(runner, db) -> None:
    result = create(
        runner,
        "--email",
        "e@example.org",
        "--role",
        "expert",
        "--name",
        "Ewa Ekspert",
        input=f"{GOOD}\ncos innego\n{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output  # asked again after a mismatch
    assert GOOD not in result.output  # hidden input is not echoed
    user = db.session.scalars(select(User)).one()
    assert user.is_expert and user.expert_profile is not None and user.check_password(GOOD)


def test_create_client(runner, db) -> None:
    result = create(
        runner,
        "--email",
        "k@example.org",
        "--role",
        "CLIENT",
        "--name",
        "Kamil Klient",
        "--password-stdin",
        input=GOOD,
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.is_client and user.client_profile is not None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("haslo123", "shorter than 10 characters"),
        ("zaq12wsxcde3", "commonly used password"),
        ("kowalska-pisze-list", "contains the person's name"),
    ],
)
def test_weak_password_is_refused(runner, db, password: str, reason: str) -> None:
    result = create(
        runner,
        "--email",
        "a@example.org",
        "--role",
        "manager",
        "--name",
        "Anna Kowalska",
        "--password-stdin",
        input=password + "\n",
    )
    assert_clean_failure(result, 1, "Error: Password rejected:")
    assert reason in result.output
    assert count(db) == 0


def test_duplicate_email_is_refused(runner, db) -> None:
    create_client(email="zajety@example.org")
    result = create(
        runner,
        "--email",
        "ZAJETY@example.org",
        "--role",
        "manager",
        "--name",
        "X Y",
        "--password-stdin",
        input=GOOD,
    )
    assert_clean_failure(result, 1, "already exists")
    assert count(db) == 1


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (
            ["--email", "nie-email", "--role", "manager", "--name", "X"],
            "Invalid value for '--email'",
        ),
        (
            ["--email", "a@example.org", "--role", "admin", "--name", "X"],
            "Invalid value for '--role'",
        ),
        (["--email", "a@example.org", "--role", "manager", "--name", "  "], "'--name'"),
        (["--role", "manager", "--name", "X"], "Missing option '--email'"),
    ],
)
def test_bad_arguments_are_usage_errors(runner, db, args: list[str], text: str) -> None:
    result = create(runner, *args, "--password-stdin", input=GOOD)
    assert_clean_failure(result, 2, text)
    assert count(db) == 0


def test_empty_stdin_is_a_usage_error(runner, db) -> None:
    result = create(
        runner,
        "--email",
        "a@example.org",
        "--role",
        "manager",
        "--name",
        "X Y",
        "--password-stdin",
        input="",
    )
    assert_clean_failure(result, 2, "no password on standard input")
    assert count(db) == 0


def test_list_users_as_a_table(runner, db) -> None:
    assert runner.invoke(args=["users", "list"]).output.strip() == "No accounts."
    create_manager(email="szef@example.org", full_name="Zofia Szefowa")
    create_expert(email="ekspert@example.org", full_name="Jan Lis", active=False)
    create_client(email=None, password=None, full_name="Piotr Telefon")

    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "ROLE", "STATUS", "E-MAIL", "NAME", "LAST", "LOGIN", "(UTC)"]
    assert "szef@example.org" in result.output and "Zofia Szefowa" in result.output
    assert any("ekspert@example.org" in line and "inactive" in line for line in lines)
    assert any("Piotr Telefon" in line and " - " in line for line in lines)
    # Columns line up: every row starts its e-mail at the same offset.
    offset = lines[0].index("E-MAIL")
    assert lines[1][offset - 2 : offset] == "  "
    assert lines[-1] == "3 account(s)."

    experts = runner.invoke(args=["users", "list", "--role", "expert"])
    assert "Jan Lis" in experts.output and "Zofia" not in experts.output
    assert runner.invoke(args=["users", "list", "--role", "nobody"]).exit_code == 2


def test_help_texts(runner) -> None:
    group = runner.invoke(args=["users", "--help"])
    assert "Create and list user accounts." in group.output
    assert "create" in group.output and "list" in group.output
    create_help = runner.invoke(args=["users", "create", "--help"]).output
    for text in (
        "--email",
        "it is also the login",
        "--role",
        "--name",
        "--phone",
        "--password-stdin",
        "standard input",
    ):
        assert text in create_help
    list_help = runner.invoke(args=["users", "list", "--help"]).output
    assert "Show only accounts with this role." in list_help
