"""Rate limits per client address and per target e-mail (web/common/limits.py), ProxyFix behind
`TRUSTED_PROXIES`, and one limit shared by two gunicorn workers through Redis.

Flask-Limiter keeps global state, so every scenario runs its own app in a separate process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import HttpClient, HttpResponse

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from incubator import create_app
    from incubator.config import TestConfig
    from incubator.extensions import db
    from tests.factories import PASSWORD, create_client

    scenario, path, settings = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    class Limited(TestConfig):
        DATABASE_URL = "sqlite:///" + path
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"

    for name, value in settings.items():
        setattr(Limited, name, value)
    app = create_app(Limited)
    ctx = app.app_context()
    ctx.push()
    db.create_all()
    create_client(email="ewa@example.org", full_name="Ewa Nowak")
    db.session.commit()
    out = []

    def send(how, email, address, password="zle-haslo-123", headers=None):
        client = app.test_client()  # a fresh browser each time: nobody stays logged in
        base = {"REMOTE_ADDR": address}
        if how == "page":
            r = client.post("/konto/logowanie", data={"email": email, "password": password},
                            environ_base=base, headers=headers)
        elif how == "api":
            r = client.post("/api/v1/session", json={"email": email, "password": password},
                            environ_base=base, headers=headers)
        elif how == "register":
            data = {"full_name": "Jan Testowy", "email": email, "password": PASSWORD,
                    "password_confirm": PASSWORD, "preferred_language": "pl", "consent": "y"}
            r = client.post("/konto/rejestracja", data=data, environ_base=base)
        elif how == "get":  # `email` is the path here
            r = client.get(email, environ_base=base)
        else:
            r = client.post("/konto/reset", data={"email": email}, environ_base=base)
        body = r.get_data(as_text=True)
        code = r.get_json()["error"]["code"] if r.is_json and r.status_code >= 400 else None
        out.append({"status": r.status_code, "retry_after": r.headers.get("Retry-After"),
                    "code": code, "polish": "Zbyt wiele prób" in body})

    for step in json.loads(sys.argv[4]):
        send(*step)
    print(json.dumps(out))
    """
)


def run(tmp_path: Path, settings: dict, steps: list[list]) -> list[dict]:
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            SCRIPT,
            "scenario",
            str(tmp_path / "rl.db"),
            json.dumps(settings),
            json.dumps(steps),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_refused(answer: dict, *, api: bool = False) -> None:
    assert answer["status"] == 429, answer
    assert answer["retry_after"] is not None and int(answer["retry_after"]) >= 0
    if api:
        assert answer["code"] == "too_many_requests"
    else:
        assert answer["polish"], "the 429 page is translated"


@pytest.mark.slow
def test_one_account_is_limited_across_addresses_page_and_api(tmp_path) -> None:
    """Many machines cannot try one account: the e-mail tried has its own bucket."""
    settings = {"LOGIN_RATE_LIMIT": "100 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute"}
    answers = run(
        tmp_path,
        settings,
        [
            ["page", "Ewa@Example.org", "10.0.0.1"],
            ["api", " ewa@example.org ", "10.0.0.2"],
            ["page", "EWA@EXAMPLE.ORG", "10.0.0.3"],
            ["api", "ewa@example.org", "10.0.0.4", "correct-horse-battery"],  # even the right one
            ["page", "ewa@example.org", "10.0.0.5", "correct-horse-battery"],
            ["page", "ola@example.org", "10.0.0.4"],  # another account from the same address
        ],
    )
    assert [a["status"] for a in answers[:3]] == [200, 401, 200]
    assert_refused(answers[3], api=True)
    assert_refused(answers[4])
    assert answers[5]["status"] == 200


@pytest.mark.slow
def test_one_address_is_limited_across_accounts(tmp_path) -> None:
    settings = {"LOGIN_RATE_LIMIT": "2 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute"}
    answers = run(
        tmp_path,
        settings,
        [
            ["page", "a@example.org", "10.0.0.1"],
            ["api", "b@example.org", "10.0.0.1"],
            ["page", "c@example.org", "10.0.0.1"],
            ["page", "c@example.org", "10.0.0.2"],
        ],
    )
    assert [a["status"] for a in answers] == [200, 401, 429, 200]
    assert_refused(answers[2])


@pytest.mark.slow
def test_registration_is_limited_per_address_and_per_email(tmp_path) -> None:
    answers = run(
        tmp_path,
        {"REGISTER_RATE_LIMIT": "2 per minute"},
        [
            ["register", "jan1@example.org", "10.0.1.1"],
            ["register", "jan2@example.org", "10.0.1.1"],
            ["register", "jan9@example.org", "10.0.1.1"],  # third from one address
            ["register", "jan3@example.org", "10.0.1.2"],  # the address was not used up
            ["register", "Jan3@example.org", "10.0.1.3"],
            ["register", "jan3@example.org", "10.0.1.4"],  # third for one e-mail
        ],
    )
    statuses = [a["status"] for a in answers]
    assert statuses[0] == statuses[1] == statuses[3] == 302, statuses
    assert statuses[4] in (200, 302), statuses  # refused or answered like a success: not limited
    assert_refused(answers[2])
    assert_refused(answers[5])


@pytest.mark.slow
def test_reset_requests_are_limited_per_address_and_per_email(tmp_path) -> None:
    answers = run(
        tmp_path,
        {"RESET_RATE_LIMIT": "2 per minute"},
        [
            ["reset", "x@example.org", "10.0.2.1"],
            ["reset", "y@example.org", "10.0.2.1"],
            ["reset", "z@example.org", "10.0.2.1"],
            ["reset", "ewa@example.org", "10.0.2.2"],
            ["reset", "EWA@example.org", "10.0.2.3"],
            ["reset", "ewa@example.org", "10.0.2.4"],
        ],
    )
    assert [a["status"] for a in answers] == [302, 302, 429, 302, 302, 429]
    assert_refused(answers[2])
    assert_refused(answers[5])


@pytest.mark.slow
@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_for_counts_only_behind_trusted_proxies(tmp_path, proxies: int) -> None:
    """Behind nginx every request comes from the proxy's address; X-Forwarded-For tells the
    visitors apart, but only when TRUSTED_PROXIES says a proxy is there to set it."""
    settings = {
        "LOGIN_RATE_LIMIT": "2 per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute",
        "TRUSTED_PROXIES": proxies,
    }

    def behind(*addresses: str) -> dict:
        return {"X-Forwarded-For": ", ".join(addresses)}

    answers = run(
        tmp_path,
        settings,
        [
            ["page", "a@example.org", "127.0.0.1", "x", behind("203.0.113.1")],
            ["page", "a@example.org", "127.0.0.1", "x", behind("203.0.113.2")],
            ["page", "a@example.org", "127.0.0.1", "x", behind("203.0.113.3")],
            ["page", "a@example.org", "127.0.0.1", "x", behind("203.0.113.3")],
            # A client cannot escape by adding its own entry: the proxy's is the one read.
            ["page", "a@example.org", "127.0.0.1", "x", behind("198.51.100.7", "203.0.113.3")],
        ],
    )
    statuses = [a["status"] for a in answers]
    if proxies:
        assert statuses == [200, 200, 200, 200, 429]
    else:  # the header is ignored: everyone is 127.0.0.1
        assert statuses == [200, 200, 429, 429, 429]


# --- two gunicorn workers, one Redis ---------------------------------------------------------

REDIS_URL = "redis://127.0.0.1:6379"
ATTEMPTS = 4


@pytest.fixture()
def redis_prefix() -> Iterator[str]:
    """A key prefix of our own in Redis, deleted afterwards; skip (fail under CI) without Redis."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        connection.ping()
    except redis.RedisError as error:
        message = f"Redis is not answering on {REDIS_URL} ({error}); start redis-server"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    prefix = f"inkubator-test-{uuid.uuid4().hex}"
    try:
        yield prefix
    finally:
        keys = list(connection.scan_iter(match=f"*{prefix}*"))
        if keys:
            connection.delete(*keys)
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stderr.read() if process.stderr else ""
            raise AssertionError(f"gunicorn exited: {output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start listening")


@pytest.mark.slow
def test_the_login_limit_holds_across_two_gunicorn_workers(tmp_path, redis_prefix) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.db'}",
        "INCUBATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": uuid.uuid4().hex,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TRUSTED_HOSTS": "127.0.0.1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "LOGIN_RATE_LIMIT": f"{ATTEMPTS} per minute",
        "LOGIN_ACCOUNT_RATE_LIMIT": "100 per minute",
    }
    env.pop("TEST_DATABASE_URL", None)
    cli = [sys.executable, "-c", "from incubator.cli import cli; cli()"]
    subprocess.run([*cli, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    log = tmp_path / "access.log"
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            "incubator:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_listening(port, gunicorn)
        answers = _attempts_until_both_workers_refused(port, log)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()
        assert gunicorn.stderr is not None
        errors = gunicorn.stderr.read()
        gunicorn.stderr.close()
    assert "Traceback" not in errors, errors
    attempts = _served(log)
    assert sorted(a.status for a in answers) == sorted(status for _, status in attempts)
    allowed = [pid for pid, status in attempts if status == 401]
    refused = {pid for pid, status in attempts if status == 429}
    assert len(allowed) == ATTEMPTS, attempts  # not ATTEMPTS per worker
    assert len(refused) == 2, f"both workers refused: {attempts}"
    for answer in answers:
        if answer.status == 429:
            assert answer.json()["error"]["code"] == "too_many_requests"
            assert int(answer.headers["Retry-After"]) >= 0


def _served(log: Path) -> list[tuple[str, int]]:
    """(worker pid, status) of every log-in attempt, from gunicorn's access log."""
    lines = [line.split() for line in log.read_text().splitlines()]
    return [(pid, int(status)) for pid, method, _path, status in lines if method == "POST"]


def _attempts_until_both_workers_refused(
    port: int, log: Path, rounds: int = 15
) -> list[HttpResponse]:
    """ATTEMPTS wrong passwords one by one, then pairs at the same moment (so that both sync
    workers are busy and each takes one) until the access log shows both workers refusing."""
    client = HttpClient("127.0.0.1", port, timeout=30)
    token = client.get("/api/v1/session").json()["csrf_token"]
    client.csrf_token = token
    body = {"email": "nikt@example.org", "password": "zle-haslo-123"}
    answers = [client.post("/api/v1/session", body) for _ in range(ATTEMPTS)]
    assert [a.status for a in answers] == [401] * ATTEMPTS, [a.body for a in answers]
    for _ in range(rounds):
        pair: list[HttpResponse | None] = [None, None]
        barrier = threading.Barrier(2, timeout=10)

        def attempt(i: int, pair=pair, barrier=barrier) -> None:
            barrier.wait()
            pair[i] = client.post("/api/v1/session", body)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        answers.extend(a for a in pair if a is not None)
        assert all(a is not None and a.status == 429 for a in pair), [a and a.body for a in pair]
        if len({pid for pid, status in _served(log) if status == 429}) == 2:
            break
    return answers


@pytest.mark.slow
def test_a_configured_default_limit_still_applies_to_every_endpoint(tmp_path) -> None:
    """The limiter's per-request check is skipped on endpoints without a limit of their own
    (web/common/limits.py), but not when an operator sets limits for every endpoint."""
    path = "/api/v1/branches"
    answers = run(
        tmp_path,
        {"RATELIMIT_DEFAULT": "2 per minute"},
        [["get", path, "10.0.0.1"], ["get", path, "10.0.0.1"], ["get", path, "10.0.0.1"]],
    )
    assert [a["status"] for a in answers[:2]] == [200, 200]
    assert_refused(answers[2], api=True)
    (tmp_path / "unlimited").mkdir()
    unlimited = run(tmp_path / "unlimited", {}, [["get", path, "10.0.0.1"]] * 5)
    assert [a["status"] for a in unlimited] == [200] * 5


def test_every_hook_of_the_limiter_is_wrapped_for_unlimited_endpoints(tmp_path) -> None:
    """Its three hooks (check, headers, tidy-up) run only where a limit applies; if a
    Flask-Limiter upgrade registers them differently, this fails instead of costing silently."""
    from incubator import create_app
    from incubator.config import TestConfig
    from incubator.extensions import limiter
    from incubator.web.common.limits import _is_limiters

    class Limited(TestConfig):
        DATABASE_URL = f"sqlite:///{tmp_path / 'hooks.db'}"
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"

    # The limiter is one object for every app in this process: enabling it for this app would
    # leave it on for the tests that follow (whose logins would then hit the per-address limit).
    was_enabled = limiter.enabled
    try:
        app = create_app(Limited)
        registries = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
        hooks = [hook for registry in registries for hook in registry.get(None, [])]
        assert not [hook for hook in hooks if _is_limiters(hook)]
        names = {getattr(hook, "__name__", "") for hook in hooks}
        assert {"before_if_limited", "after_if_limited", "teardown_if_limited"} <= names
        assert limiter.enabled
    finally:
        limiter.enabled = was_enabled
