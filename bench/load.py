"""Load: 200 logged-in people browse slots, book and cancel at once (a benchmark, not a test).

    .venv/bin/python bench/load.py [--quick] [--seconds N] [--database-url URL] [--keep-db]

The application runs as documented for production, ``gunicorn -w 4 'incubator:create_app()'``,
on PostgreSQL seeded by `bench/booking.py` (20 experts, 10 000 consultations, 200 client
accounts); its seeding, database and gunicorn helpers are imported from there. For a bounded time
(30 s, ``--quick`` 10 s) the load generator keeps 200 connections busy with a mix of requests:
about 77 % slot listings (`GET /api/v1/slots`, 8 area/office pairs, 14-day windows from today,
in a week and in two), 15 % bookings of a free slot drawn from the next 7 days (so people often
race for the same one: 409 `slot_taken` and `too_many_bookings` are expected), and 8 %
cancellations of bookings made earlier in the run, each by its owner. Then the same gunicorn
set-up serves a hello-world endpoint and is loaded the same way (same connections, same time,
same script), in the same run: the ratio of the two is the figure to read, since the load
generator shares the machine's cores.

Printed: requests per second and p50/p95/p99 latency of both, their ratio, the answers by status
(2xx/4xx/5xx and socket errors) and by kind, the load generator's own CPU use, and a check of the
database afterwards: the number of double bookings (two active consultations of one expert that
overlap) and of 5xx answers, both of which must be 0.

Why `wrk` with a Lua script (`bench/load.lua`) for everything, not wrk for reads plus a Python
booker: the writes are the interesting part under load, and a Python client at 200 connections
would measure itself (the old threaded loop held a static endpoint to half of what wrk gets,
see docs/performance.md). wrk is C with LuaJIT; its CPU time is printed to show it is not the
bottleneck. What a wrk script lacks is a connection identity, so the people are not pinned to
connections: each request is sent as a person drawn at random from 200 sessions logged in up front
(cookie and CSRF token fetched over HTTP before the clock starts), which is the same for a server
that keeps sessions in signed cookies. A cancellation needs the booking's owner: the 201 answer
names the consultation and its client, and the cancellation is queued and later sent with that
client's session.

All traffic goes to 127.0.0.1; the load is bounded in time. The servers run with
``RATELIMIT_ENABLED=0`` (200 log-ins from one address would meet the log-in limit, which is not
what is measured).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask, Response  # noqa: E402

from bench.common import SERVER_ENV, api_session, gunicorn, request  # noqa: E402
from bench.common import in_threads as _in_threads  # noqa: E402
from bench.seed import HOST, World, benchmark_database, make_app, seed  # noqa: E402
from incubator.domain.calendar import WARSAW  # noqa: E402

WORKERS = "4"
CONNECTIONS = 200
WRK_THREADS = 2  # the machine's cores; wrk needs far less than one of them
SCRIPT = Path(__file__).with_suffix(".lua")
BROWSE_DAYS = 14
BOOK_DAYS = 7
DOMAINS = ("law", "accounting", "marketing", "social-enterprise")

DOUBLE_BOOKINGS = """
SELECT count(*) FROM consultations a JOIN consultations b
  ON a.expert_id = b.expert_id AND a.id < b.id
 AND a.start_dt < b.end_dt AND b.start_dt < a.end_dt
WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
"""


def hello_app() -> Flask:
    """The baseline: the smallest Flask endpoint (`gunicorn` imports this)."""
    app = Flask("hello")

    @app.get("/hello")
    def hello() -> Response:
        return Response("Hello, world!\n", mimetype="text/plain")

    return app


def log_in(port: int, email: str) -> tuple[int, str, str]:
    """(user id, Cookie header, CSRF token) of a fresh API session."""
    user_id, headers = api_session(port, email)
    return user_id, headers["Cookie"], headers["X-CSRFToken"]


def traffic_file(port: int, world: World, branch_ids: list[int]) -> Path:
    """Sessions, browse paths and bookable slots for the Lua script, fetched before the clock."""
    people: list[tuple[int, str, str]] = [(0, "", "")] * len(world.race_clients)

    def one(i: int) -> None:
        people[i] = log_in(port, world.race_clients[i])

    _in_threads(one, len(people), width=8)
    today = datetime.now(WARSAW).date()
    pairs = [(d, b) for d in DOMAINS for b in branch_ids]
    browse = []
    for domain, branch in pairs:
        for weeks in range(3):  # the next two weeks, and the two after each of the next two
            start = today + timedelta(days=7 * weeks)
            end = start + timedelta(days=BROWSE_DAYS - 1)
            browse.append(f"/api/v1/slots?domain={domain}&branch={branch}&from={start}&to={end}")
    earliest = datetime.now(UTC) + timedelta(hours=26)  # past the 24 h notice for the whole run
    slots = []
    for domain, branch in pairs:
        status, _, body = request(
            port,
            "GET",
            f"/api/v1/slots?domain={domain}&branch={branch}&from={today}"
            f"&to={today + timedelta(days=BOOK_DAYS)}",
        )
        assert status == 200, body[:300]
        for slot in json.loads(body):
            if datetime.fromisoformat(slot["start"]) > earliest:
                fields = {k: slot[k] for k in ("expert_id", "branch_id", "start")}
                slots.append(json.dumps({**fields, "domain": domain}))
    handle = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False)
    with handle:
        for user_id, cookie, token in people:
            handle.write(f"S\t{user_id}\t{cookie}\t{token}\n")
        handle.writelines(f"B\t{path}\n" for path in browse)
        handle.writelines(f"L\t{body}\n" for body in slots)
    return Path(handle.name)


def run_wrk(port: int, data: Path, mode: str, seconds: int) -> dict[str, Any]:
    """One bounded wrk run with the Lua script; its figures and its own CPU seconds."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "20s",
         "-s", str(SCRIPT), f"http://{HOST}:{port}", "--", str(data), mode],
        capture_output=True, text=True, timeout=seconds + 90, check=True,
    ).stdout  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result: dict[str, Any] = {"statuses": Counter(), "kinds": Counter(), "cpu_s": cpu}
    for line in out.splitlines():
        tag, *values = line.split()
        if tag == "STATUS":
            result["statuses"][int(values[0])] += int(values[1])
        elif tag == "KIND":
            result["kinds"][values[0]] += int(values[1])
        elif tag == "SUMMARY":
            n, us, *errors = map(int, values)
            result.update(requests=n, seconds=us / 1e6, rps=n / (us / 1e6))
            result["socket_errors"] = dict(
                zip(("connect", "read", "write", "status", "timeout"), errors, strict=True)
            )
        elif tag == "LATENCY":
            result["p50"], result["p95"], result["p99"], result["max"] = (
                int(v) / 1000 for v in values
            )
    if "rps" not in result:
        raise SystemExit(f"wrk printed no summary:\n{out[-2000:]}")
    return result


def by_class(statuses: Counter) -> dict[str, int]:
    classes: Counter = Counter()
    for status, n in statuses.items():
        classes[f"{status // 100}xx"] += n
    return dict(sorted(classes.items()))


def database_check(database_url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                "double_bookings": connection.execute(text(DOUBLE_BOOKINGS)).scalar_one(),
                # The seed writes no audit events: these are the run's own.
                "booked_in_run": connection.execute(
                    text("SELECT count(*) FROM audit_events WHERE action = 'consultation.book'")
                ).scalar_one(),
                "cancelled_in_run": connection.execute(
                    text("SELECT count(*) FROM audit_events WHERE action = 'consultation.cancel'")
                ).scalar_one(),
            }
    finally:
        engine.dispose()


def measure(database_url: str, world: World, branch_ids: list[int], seconds: int) -> dict:
    env = SERVER_ENV | {"DATABASE_URL": database_url}
    with gunicorn("incubator:create_app()", env, "-w", WORKERS) as port:
        data = traffic_file(port, world, branch_ids)
        try:
            app = run_wrk(port, data, "mixed", seconds)
        finally:
            data.unlink()
    with gunicorn("bench.load:hello_app()", {}, "-w", WORKERS) as port:
        empty = Path(tempfile.mkstemp(suffix=".tsv")[1])
        try:
            hello = run_wrk(port, empty, "hello", seconds)
        finally:
            empty.unlink()
    return {"app": app, "hello": hello, "db": database_check(database_url)}


def _line(name: str, r: dict) -> str:
    return (
        f"   {name:<6} {r['rps']:8.1f} req/s   p50 {r['p50']:7.1f} ms   p95 {r['p95']:7.1f} ms"
        f"   p99 {r['p99']:7.1f} ms   ({r['requests']} requests in {r['seconds']:.1f} s; "
        f"wrk used {r['cpu_s'] / r['seconds']:.0%} of one core)"
    )


def report(result: dict, seconds: int) -> bool:
    app, hello, db = result["app"], result["hello"], result["db"]
    print(
        f"\nmixed load: gunicorn -w {WORKERS} (sync workers), PostgreSQL; "
        f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s -s bench/load.lua"
    )
    print(_line("app", app))
    print(_line("hello", hello))
    print(
        f"   ratio app/hello: throughput {app['rps'] / hello['rps']:.2f}, "
        f"p95 {app['p95'] / hello['p95']:.1f}x"
    )
    print(f"   app requests by kind: {dict(sorted(app['kinds'].items()))}")
    print(f"   app answers by class: {by_class(app['statuses'])}  socket errors: "
          f"{app['socket_errors']}")  # fmt: skip
    print(f"   app answers by status: {dict(sorted(app['statuses'].items()))}")
    print(f"   hello answers by class: {by_class(hello['statuses'])}  socket errors: "
          f"{hello['socket_errors']}")  # fmt: skip
    five = sum(n for s, n in app["statuses"].items() if s >= 500)
    # wrk's "status" errors are the 4xx/5xx answers counted above, not lost requests.
    lost = sum(n for kind, n in app["socket_errors"].items() if kind != "status")
    print(
        f"   database afterwards: {db['booked_in_run']} consultations booked in the run, "
        f"{db['cancelled_in_run']} cancelled; double bookings: {db['double_bookings']}"
    )
    ok = db["double_bookings"] == 0 and five == 0 and lost == 0
    print(f"   5xx: {five}   socket errors: {lost}   {'OK' if ok else 'FAILED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use")
    parser.add_argument("--quick", action="store_true", help="10 s of load instead of 30 s")
    parser.add_argument("--seconds", type=int, help="seconds of load per run (max 120)")
    parser.add_argument("--keep-db", action="store_true", help="keep the created database")
    args = parser.parse_args(argv)
    seconds = min(args.seconds or (10 if args.quick else 30), 120)

    load1, load5, _ = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"load average at start {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )
    with benchmark_database(args.database_url, args.keep_db) as url:
        t0 = time.monotonic()
        app = make_app(url)
        world = seed(app)
        branch_ids = _home_branches(app)
        with app.app_context():
            from incubator.extensions import db

            db.engine.dispose()
        print(f"database seeded in {time.monotonic() - t0:.1f} s")
        ok = report(measure(url, world, branch_ids, seconds), seconds)
    return 0 if ok else 1


def _home_branches(app: Flask) -> list[int]:
    """The offices the seeded experts work at (the third, a filia, is open on Saturdays only)."""
    from sqlalchemy import select

    from incubator.extensions import db
    from incubator.models import Branch

    with app.app_context():
        return list(db.session.scalars(select(Branch.id).where(Branch.parent_id.is_(None))))


if __name__ == "__main__":
    raise SystemExit(main())
