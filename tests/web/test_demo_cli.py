"""`incubator seed`, `incubator seed-demo` and `incubator demo` (the last one as a real process)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from incubator.demo import DEFAULT_SEED_DIR
from incubator.models import Area, Branch, Consultation, FoundingGroup, User
from tests.conftest import login
from tests.factories import create_client

INCUBATOR = Path(sys.executable).parent / "incubator"


def _counts(db) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Branch, Area, Consultation, FoundingGroup)
    )


def _one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    assert "Traceback" not in result.output
    return message


def test_seed_loads_reference_data_and_is_idempotent(runner, db) -> None:
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Branches: 3 created" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert "Branches: 0 created, 0 updated, 3 unchanged" in second.output
    assert _counts(db) == (0, 3, 4, 0, 0)


def test_seed_demo_creates_the_demo_once(runner, db, client) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "People served 2008-05-01..2011-06-30: 207." in result.output
    for email in ("kierownik@example.org", "ekspert@example.org", "klient@example.org"):
        assert email in result.output
    counts = _counts(db)
    assert counts[0] > 207 and counts[3] > 207

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "already present" in again.output
    assert _counts(db) == counts

    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("Klucze", "Nowy Sącz", "Piwniczna-Zdrój", "Rachunkowość"):
        assert name in html
    response = login(client, "klient@example.org", "inkubator-demo", follow=False)
    assert response.status_code == 302


def test_seed_demo_refuses_a_database_with_other_accounts(runner, db) -> None:
    create_client(email="real.person@example.org")
    message = _one_line_error(runner.invoke(args=["seed-demo"]))
    assert "already has 1 user account" in message
    assert _counts(db)[0] == 1


def test_seed_with_a_missing_seed_dir_fails_with_one_line(runner, db, tmp_path: Path) -> None:
    message = _one_line_error(runner.invoke(args=["seed", "--seed-dir", str(tmp_path / "none")]))
    assert "seed directory not found" in message
    assert _counts(db) == (0, 0, 0, 0, 0)


def test_seed_with_a_malformed_file_names_it(runner, db, tmp_path: Path) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    (seed_dir / "domains.json").write_text('[{"code": "law",', encoding="utf-8")
    message = _one_line_error(runner.invoke(args=["seed", "--seed-dir", str(seed_dir)]))
    assert str(seed_dir / "domains.json") in message and "malformed JSON" in message
    assert _counts(db) == (0, 0, 0, 0, 0)


def test_commands_have_help(runner) -> None:
    for command in ("seed", "seed-demo", "demo"):
        result = runner.invoke(args=[command, "--help"])
        assert result.exit_code == 0, result.output
        assert "--seed-dir" in result.output
    demo_help = runner.invoke(args=["demo", "--help"]).output
    assert "--port" in demo_help and "--host" in demo_help


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, deadline: float, process: subprocess.Popen) -> str:
    while True:
        if process.poll() is not None:
            pytest.fail(f"`incubator demo` exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail("`incubator demo` did not answer in time")
            time.sleep(0.2)


@pytest.mark.slow
def test_incubator_demo_serves_the_demo(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(INCUBATOR_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")
    port = _free_port()
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(INCUBATOR), "demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            html = _get(f"http://127.0.0.1:{port}/", time.monotonic() + 60, process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    for name in ("Klucze", "Nowy Sącz", "Piwniczna-Zdrój"):
        assert name in html
    assert 'lang="pl"' in html
    printed = out.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}/" in printed
    for email in ("kierownik@example.org", "ekspert@example.org", "klient@example.org"):
        assert email in printed
    assert "inkubator-demo" in printed
    assert "Traceback" not in err.read_text(encoding="utf-8")
    # The SQLite database and the demo's secret live in the chosen instance folder.
    assert (instance / "incubator.db").is_file()
    assert (instance / "demo-secret-key").is_file()
