"""What the benchmark scripts share: gunicorn servers, HTTP requests, `wrk`, log-ins, checks.

All traffic goes to 127.0.0.1 and every loop here is bounded in time or count.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask.testing import FlaskClient

from bench.seed import HOST, PASSWORD

ROOT = Path(__file__).resolve().parent.parent
STATIC_FILE_ENV = "BENCH_STATIC_FILE"  # what the static baseline serves ...
STATIC_PATH_ENV = "BENCH_STATIC_PATH"  # ... at which path ...
STATIC_TYPE_ENV = "BENCH_STATIC_TYPE"  # ... with which media type

# What every server of the benchmarks runs with: no rate limits (hundreds of log-ins from one
# address are the load, not an attack), and the public address the app must be told. The read
# benchmarks turn the limiter back on (`WITH_LIMITER`), since its hook is part of every request.
SERVER_ENV = {
    "SECRET_KEY": "benchmark-only",
    "RATELIMIT_ENABLED": "0",
    "PUBLIC_URL": f"http://{HOST}",
    "TRUSTED_HOSTS": HOST,
}
WITH_LIMITER = {"RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": "memory://"}

DOUBLE_BOOKINGS = """
SELECT count(*) FROM consultations a JOIN consultations b
  ON a.expert_id = b.expert_id AND a.id < b.id
 AND a.start_dt < b.end_dt AND b.start_dt < a.end_dt
WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
"""


def local_client(app: Flask) -> FlaskClient:
    """A test client that asks for 127.0.0.1, the one host the benchmark app trusts (the test
    client's default, localhost, is refused with a 400 before any view runs)."""

    class LocalClient(FlaskClient):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("base_url", f"http://{HOST}")
            return super().open(*args, **kwargs)

    return LocalClient(app, app.response_class, use_cookies=True)


def python_bin() -> Path:
    """The directory of this interpreter's scripts (gunicorn lives next to python)."""
    import sys

    return Path(sys.executable).parent


# --- servers --------------------------------------------------------------------------------


def static_app() -> Flask:
    """The baseline: a bare Flask endpoint that returns fixed bytes (`gunicorn` imports this)."""
    body = Path(os.environ[STATIC_FILE_ENV]).read_bytes()
    mimetype = os.environ.get(STATIC_TYPE_ENV, "application/json")
    app = Flask("static_bytes")

    def same_bytes() -> Response:
        return Response(body, mimetype=mimetype)

    app.add_url_rule(os.environ.get(STATIC_PATH_ENV, "/api/v1/slots"), "same", same_bytes)
    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict[str, str], *extra: str, cwd: Path = ROOT) -> Iterator[int]:
    """`gunicorn -w 2 [extra] target` on a free port of 127.0.0.1, stopped on leaving.

    ``cwd`` is the checkout whose code is served (gunicorn puts it first on sys.path); pass
    PYTHONPATH in ``env`` too when it is not this one.
    """
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(python_bin() / "gunicorn"), "-w", "2", *extra, "-b", f"{HOST}:{port}", target],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"gunicorn did not start:\n{log.read().decode()[-3000:]}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- HTTP -----------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a connection of its own."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        return send(connection, method, path, body, headers)
    finally:
        connection.close()


def send(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on `connection` (kept alive if the server allows it)."""
    payload = json.dumps(body).encode() if body is not None else None
    sent = dict(headers or {})
    if payload is not None:
        sent["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=sent)
    response = connection.getresponse()
    return response.status, dict(response.headers.items()), response.read()


def log_in(port: int, email: str) -> dict[str, str]:
    """Log in through the JSON API; the headers a logged-in request sends (cookie, CSRF token)."""
    return api_session(port, email)[1]


def api_session(port: int, email: str) -> tuple[int, dict[str, str]]:
    """Log in through the JSON API: (the user's id, the headers a logged-in request sends)."""
    _, headers, body = request(port, "GET", "/api/v1/session")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = json.loads(body)["csrf_token"]
    status, headers, body = request(
        port,
        "POST",
        "/api/v1/session",
        {"email": email, "password": PASSWORD},
        {"Cookie": cookie, "X-CSRFToken": token},
    )
    if status != 200:
        raise SystemExit(f"log-in of {email} failed: {status} {body[:200]!r}")
    answer = json.loads(body)
    return answer["user"]["id"], {
        "Cookie": headers["Set-Cookie"].split(";", 1)[0],
        "X-CSRFToken": answer["csrf_token"],
    }


def in_threads(fn: Callable[[int], None], n: int, width: int) -> None:
    """fn(0) .. fn(n - 1) on `width` threads; the first error is raised afterwards."""
    errors: list[BaseException] = []
    next_index = [0]
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= n:
                return
            try:
                fn(i)
            except BaseException as error:  # reported below
                errors.append(error)

    pool = [threading.Thread(target=worker) for _ in range(min(width, n))]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]


# --- wrk ------------------------------------------------------------------------------------

WRK_THREADS = 1
WRK_CONNECTIONS = 8  # enough to keep two gunicorn workers busy; wrk itself uses one thread
WRK = f"Debian's wrk (-t{WRK_THREADS} -c{WRK_CONNECTIONS})"


def load(port: int, path: str, *, seconds: float, headers: dict[str, str] | None = None) -> dict:
    """Requests per second from Debian's `wrk` (C, one thread: not the bottleneck), bounded by
    time, against 127.0.0.1 only. Every answer should be a 200 (counted otherwise)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    header_args = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run(
        [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s",
         "--latency", *header_args, f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in ([\d.]+)s", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(errors.group(1)) if errors else 0
    p99 = re.search(r"99%\s+(\S+)", out)
    return {
        "rps": rps,
        "requests": total,
        "statuses": {200: total - bad, "other": bad} if bad else {200: total},
        "seconds": seconds,
        "p99": p99.group(1) if p99 else "?",
    }


def double_bookings(database_url: str) -> int:
    """Pairs of active consultations of one expert that overlap (must be 0)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(DOUBLE_BOOKINGS)).scalar_one()
    finally:
        engine.dispose()
