"""`incubator doctor` as a real process, against real services on loopback (no mocks).

Each test runs the installed `incubator` command with an environment it controls, so the
settings are read exactly as in production (config.py reads the environment at import).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

INCUBATOR = Path(sys.executable).parent / "incubator"
SECRET = secrets.token_urlsafe(48)
DB_PASSWORD = "Pg-pa55word-never-shown"
MAIL_PASSWORD = "Mail-pa55word-never-shown"
REDIS_PASSWORD = "Redis-pa55word-never-shown"
CHECKS = (
    "SECRET_KEY",
    "PUBLIC_URL",
    "database",
    "migrations",
    "instance folder",
    "mail",
    "rate-limit storage",
    "secure cookies",
    "TRUSTED_HOSTS",
    "DATA_CONTROLLER",
    "DATA_PROTECTION_OFFICER",
)
# Settings that must come only from each test, never from the environment pytest runs in.
CLEARED_PREFIXES = ("DATABASE_URL", "SECRET_KEY", "PUBLIC_URL", "MAIL_", "RATELIMIT_", "DATA_")
CLEARED = ("TRUSTED_HOSTS", "SESSION_COOKIE_SECURE", "INCUBATOR_DEMO", "FLASK_DEBUG")


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(tmp_path: Path, **settings: str) -> tuple[int, str, dict[str, str]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(CLEARED_PREFIXES) and key not in CLEARED
    }
    env["INCUBATOR_INSTANCE_PATH"] = str(tmp_path / "instance")
    env.update(settings)
    result = subprocess.run(
        [str(INCUBATOR), "doctor"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    lines = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("OK", "WARN", "FAIL", "SKIP"):
            name = rest.strip().split(":", 1)[0]
            lines[name] = status
    return result.returncode, output, lines


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file brought to head by `incubator db upgrade`, copied by each test."""
    folder = tmp_path_factory.mktemp("migrated")
    path = folder / "incubator.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    env.update(DATABASE_URL=f"sqlite:///{path}", INCUBATOR_INSTANCE_PATH=str(folder / "instance"))
    result = subprocess.run(
        [str(INCUBATOR), "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture()
def healthy(tmp_path: Path, migrated_db: Path) -> dict[str, str]:
    """A configuration that passes: migrated SQLite, outbox mail, https with secure cookies."""
    database = tmp_path / "incubator.db"
    shutil.copy(migrated_db, database)
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": SECRET,
        "PUBLIC_URL": "https://inkubator.example.org",
        "SESSION_COOKIE_SECURE": "1",
        "DATA_CONTROLLER": "Fundacja Przykład, ul. Długa 1, 00-001 Warszawa",
        "DATA_PROTECTION_OFFICER": "Jan Nowak, iod@przyklad.example.org",
    }


def test_a_healthy_configuration_passes(tmp_path: Path, healthy: dict[str, str]) -> None:
    code, output, lines = _run(tmp_path, **healthy)
    assert code == 0, output
    assert tuple(lines) == CHECKS, output
    assert lines["migrations"] == lines["mail"] == lines["secure cookies"] == "OK", output
    assert lines["rate-limit storage"] == "SKIP"  # memory://
    assert "All 11 checks passed" in output
    assert SECRET not in output
    assert not (tmp_path / "instance" / "outbox").exists()  # checked, not created


def test_a_missing_or_placeholder_controller_and_officer_warn(tmp_path: Path, healthy) -> None:
    from incubator.config import DEMO_DATA_PROTECTION_OFFICER

    settings = {k: v for k, v in healthy.items() if k != "DATA_CONTROLLER"}
    settings["DATA_PROTECTION_OFFICER"] = DEMO_DATA_PROTECTION_OFFICER
    code, output, lines = _run(tmp_path, **settings)
    assert code == 0, output  # a warning does not stop the site, but it is said plainly
    assert lines["DATA_CONTROLLER"] == lines["DATA_PROTECTION_OFFICER"] == "WARN", output
    assert "DATA_CONTROLLER: not set" in output
    assert "DATA_PROTECTION_OFFICER: a placeholder" in output
    assert "2 of 11 checks gave a warning; fix them before going live." in output
    assert "All 11 checks passed" not in output


def test_a_database_not_migrated_fails(tmp_path: Path, healthy: dict[str, str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, output, lines = _run(tmp_path, **{**healthy, "DATABASE_URL": f"sqlite:///{empty}"})
    assert code == 1, output
    assert lines["database"] == "OK" and lines["migrations"] == "FAIL", output
    assert "incubator db upgrade" in output
    assert "1 of 11 checks failed." in output


def test_a_missing_database_file_fails_and_is_not_created(tmp_path: Path, healthy) -> None:
    missing = tmp_path / "missing.db"
    code, output, lines = _run(tmp_path, **{**healthy, "DATABASE_URL": f"sqlite:///{missing}"})
    assert code == 1
    assert lines["database"] == "FAIL" and lines["migrations"] == "SKIP", output
    assert not missing.exists()


def test_missing_secret_key_and_public_url_fail(tmp_path: Path, healthy) -> None:
    settings = {k: v for k, v in healthy.items() if k not in ("SECRET_KEY", "PUBLIC_URL")}
    code, output, lines = _run(tmp_path, **settings)
    assert code == 1, output
    assert lines["SECRET_KEY"] == lines["PUBLIC_URL"] == "FAIL", output
    assert "SECRET_KEY: not set" in output and "PUBLIC_URL: not set" in output


@pytest.mark.parametrize(
    ("secret", "reason"), [("short-secret", "only 12 characters"), ("a" * 40, "obvious")]
)
def test_a_weak_secret_key_fails_without_being_shown(tmp_path, healthy, secret, reason) -> None:
    code, output, lines = _run(tmp_path, **{**healthy, "SECRET_KEY": secret})
    assert code == 1 and lines["SECRET_KEY"] == "FAIL", output
    assert reason in output and secret not in output


def test_a_malformed_public_url_fails(tmp_path: Path, healthy) -> None:
    code, output, lines = _run(tmp_path, **{**healthy, "PUBLIC_URL": "inkubator.example.org"})
    assert code == 1 and lines["PUBLIC_URL"] == "FAIL", output


def test_postgresql_at_a_closed_port_fails_quickly_and_hides_the_password(
    tmp_path: Path, healthy
) -> None:
    url = f"postgresql://inkubator:{DB_PASSWORD}@127.0.0.1:{_free_port()}/inkubator"
    started = time.monotonic()
    code, output, lines = _run(tmp_path, **{**healthy, "DATABASE_URL": url})
    assert time.monotonic() - started < 20
    assert code == 1
    assert lines["database"] == "FAIL" and lines["migrations"] == "SKIP", output
    assert "inkubator:***@127.0.0.1" in output
    assert DB_PASSWORD not in output


def test_redis_on_loopback_answers(tmp_path: Path, healthy) -> None:
    uri = "redis://127.0.0.1:6379/0"
    code, output, lines = _run(tmp_path, **{**healthy, "RATELIMIT_STORAGE_URI": uri})
    assert code == 0, output
    assert lines["rate-limit storage"] == "OK" and "answers PING" in output


def test_redis_at_a_closed_port_fails_and_hides_the_password(tmp_path: Path, healthy) -> None:
    uri = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{_free_port()}/0"
    code, output, lines = _run(tmp_path, **{**healthy, "RATELIMIT_STORAGE_URI": uri})
    assert code == 1 and lines["rate-limit storage"] == "FAIL", output
    assert REDIS_PASSWORD not in output and ":***@127.0.0.1" in output


@pytest.fixture()
def smtp_port() -> Iterator[int]:
    """A real SMTP server on loopback that accepts and drops mail (and offers no STARTTLS)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    controller = Controller(Sink(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def _mail(port: int, tls: str) -> dict[str, str]:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_USE_TLS": tls,
        "MAIL_USERNAME": "inkubator",
        "MAIL_PASSWORD": MAIL_PASSWORD,
    }


def test_an_smtp_server_on_loopback_answers(tmp_path: Path, healthy, smtp_port: int) -> None:
    code, output, lines = _run(tmp_path, **healthy, **_mail(smtp_port, "0"))
    assert code == 0, output
    assert lines["mail"] == "OK" and f"127.0.0.1:{smtp_port} answers EHLO" in output
    assert MAIL_PASSWORD not in output


def test_smtp_without_starttls_fails_when_tls_is_required(tmp_path, healthy, smtp_port) -> None:
    code, output, lines = _run(tmp_path, **healthy, **_mail(smtp_port, "1"))
    assert code == 1 and lines["mail"] == "FAIL", output
    assert "does not offer STARTTLS" in output


def test_smtp_at_a_closed_port_fails(tmp_path: Path, healthy) -> None:
    code, output, lines = _run(tmp_path, **healthy, **_mail(_free_port(), "0"))
    assert code == 1 and lines["mail"] == "FAIL", output
    assert MAIL_PASSWORD not in output


def test_https_without_secure_cookies_fails(tmp_path: Path, healthy) -> None:
    settings = {k: v for k, v in healthy.items() if k != "SESSION_COOKIE_SECURE"}
    code, output, lines = _run(tmp_path, **settings)
    assert code == 1 and lines["secure cookies"] == "FAIL", output


def test_trusted_hosts_must_include_the_public_host(tmp_path: Path, healthy) -> None:
    code, output, lines = _run(tmp_path, **healthy, TRUSTED_HOSTS="other.example.org")
    assert code == 1 and lines["TRUSTED_HOSTS"] == "FAIL", output
    code, output, lines = _run(tmp_path, **healthy, TRUSTED_HOSTS=".example.org")
    assert code == 0 and lines["TRUSTED_HOSTS"] == "OK", output
