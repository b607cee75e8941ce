"""Booking benchmarks: prints figures and ratios (a script, not a test).

    .venv/bin/python bench/booking.py [--quick] [--database-url URL] [--keep-db]

1. The slot engine: `incubator.domain.slots.free_slots` for one expert and one month, median of
   many runs (target: under 2 ms).
2. `GET /api/v1/slots` for one domain at one branch over 14 days, on PostgreSQL with 20 experts
   and 10 000 consultations, served by ``gunicorn -w 2 'incubator:create_app()'``; requests per
   second from Debian's `wrk` (one thread, 8 connections: not the bottleneck), as a ratio to a
   bare Flask endpoint that returns the very same JSON bytes, served and measured the same way
   in the same run (target: >= 0.5).
   Then where the time of one request goes (in-process, same database).
3. The race: 200 logged-in clients POST the same slot at once to gunicorn (``-w 2 --threads 16``,
   so up to 32 requests are in flight at the database); counts of 201 / 409 / 5xx and rows.

Without ``--database-url`` a fresh database is created with ``createdb`` on 127.0.0.1:5432 (user
postgres) and dropped at the end. With it, the database must be empty (it is migrated and
seeded). All traffic goes to 127.0.0.1; every load loop is bounded in count and in time. The
servers run with ``RATELIMIT_ENABLED=0``: 200 log-ins from one address would otherwise meet the
log-in rate limit, which is not what is measured here.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import Flask, Response  # noqa: E402

from incubator.domain.calendar import WARSAW  # noqa: E402
from incubator.domain.slots import (  # noqa: E402
    AvailabilityException,
    ExceptionKind,
    Interval,
    Rule,
    free_slots,
)

HOST = "127.0.0.1"
PASSWORD = "benchmark-password-1"
EXPERTS = 20
CONSULTATIONS = 10_000
HISTORY_DAYS = 300  # consultations lie between today - 300 days and today + 45 days
FUTURE_DAYS = 45
SLOTS_DAYS = 14
RACE_CLIENTS = 200
BIN = Path(sys.executable).parent
STATIC_JSON_ENV = "BENCH_STATIC_JSON"


# --- 1. the slot engine ---------------------------------------------------------------------


def engine_month(runs: int) -> tuple[float, int]:
    """Median ms of free_slots for one expert over a month (8 slots a day, 1 in 4 booked)."""
    start = date(2026, 3, 2)  # a month with the spring DST change in it
    end = start + timedelta(days=30)
    now = datetime.combine(start - timedelta(days=1), clock_time(12), tzinfo=WARSAW)
    rules = [Rule(1, 1, weekday, clock_time(9), clock_time(17), 60) for weekday in range(5)]
    rules.append(Rule(1, 2, 5, clock_time(9), clock_time(13), 60))
    exceptions = [
        AvailabilityException(
            1, ExceptionKind.OFF, start + timedelta(days=9), start + timedelta(9)
        ),
        AvailabilityException(
            1,
            ExceptionKind.OFF,
            start + timedelta(days=15),
            start + timedelta(days=15),
            start_time=clock_time(12),
            end_time=clock_time(14),
        ),
        AvailabilityException(
            1,
            ExceptionKind.EXTRA,
            start + timedelta(days=20),
            start + timedelta(days=20),
            branch_id=1,
            start_time=clock_time(17),
            end_time=clock_time(19),
        ),
    ]
    rng = random.Random(1)
    busy = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            for hour in range(9, 17):
                if rng.random() < 0.25:
                    s = datetime.combine(day, clock_time(hour), tzinfo=WARSAW)
                    busy.append(Interval(s, s + timedelta(hours=1)))
        day += timedelta(days=1)
    holidays = frozenset({date(2026, 4, 5), date(2026, 4, 6)})

    def once() -> list:
        return free_slots(
            rules=rules,
            exceptions=exceptions,
            busy={1: busy},
            holidays=holidays,
            window_start=start,
            window_end=end,
            now=now,
            horizon=timedelta(days=60),
        )

    count = len(once())
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        once()
        timings.append((time.perf_counter_ns() - t0) / 1e6)
    return statistics.median(timings), count


# --- the benchmark database -----------------------------------------------------------------


def _psql_target() -> list[str]:
    return ["-h", HOST, "-p", os.environ.get("PGPORT", "5432"), "-U", "postgres"]


@contextmanager
def benchmark_database(url: str | None, keep: bool) -> Iterator[str]:
    if url:
        yield url
        return
    name = f"inc_bench_{os.getpid()}"
    subprocess.run(["createdb", *_psql_target(), name], check=True)
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:{os.environ.get('PGPORT', '5432')}/{name}"
    finally:
        if keep:
            print(f"(kept database {name})")
        else:
            subprocess.run(["dropdb", *_psql_target(), "--if-exists", name], check=False)


def make_app(database_url: str) -> Flask:
    from incubator import create_app
    from incubator.config import Config

    class BenchConfig(Config):
        DATABASE_URL = database_url
        SECRET_KEY = "benchmark-only"
        RATELIMIT_ENABLED = False
        PUBLIC_URL = f"http://{HOST}"

    return create_app(BenchConfig)


@dataclass
class World:
    branch_id: int
    domain: str
    experts: list[int]
    race_clients: list[str]


def seed(app: Flask) -> World:
    """20 experts, 3 offices, 4 areas, 300 clients with 10 000 consultations, 200 race clients."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text
    from werkzeug.security import generate_password_hash

    from incubator.extensions import db
    from incubator.models import (
        Area,
        AvailabilityRule,
        Branch,
        ClientProfile,
        Consultation,
        ConsultationAttendee,
        ExpertProfile,
        User,
    )
    from incubator.models.user import expert_branches, expert_domains
    from incubator.services.calendar_days import polish_holidays

    rng = random.Random(42)
    now = datetime.now(UTC)
    today = now.astimezone(WARSAW).date()
    with app.app_context():
        upgrade()
        session = db.session
        if session.scalar(select(func.count()).select_from(User)):
            raise SystemExit("the benchmark database must be empty")
        branches = [
            Branch(code="klucze", name="Klucze", address="ul. Partyzantów 10"),
            Branch(code="nowy-sacz", name="Nowy Sącz", address="ul. Długa 1"),
        ]
        session.add_all(branches)
        session.flush()
        filia = Branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=branches[1].id)
        session.add(filia)
        codes = ["law", "accounting", "marketing", "social-enterprise"]
        domains = [Area(code=c, name_pl=c, name_en=c, position=i) for i, c in enumerate(codes)]
        session.add_all(domains)
        session.flush()
        password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

        def user_rows(prefix: str, role: str, n: int) -> list[dict[str, Any]]:
            return [
                {
                    "email": f"{prefix}{i}@bench.example",
                    "full_name": f"{prefix.title()} {i}",
                    "role": role,
                    "password_hash": password_hash,
                    "created_at_dt": now,
                    "active": True,
                    "phone": "",
                    "preferred_language": "pl",
                }
                for i in range(n)
            ]

        expert_ids = list(
            session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                user_rows("ekspert", "expert", EXPERTS),
            )
        )
        client_ids = list(
            session.scalars(
                insert(User).returning(User.id, sort_by_parameter_order=True),
                user_rows("klient", "client", 300) + user_rows("wyscig", "client", RACE_CLIENTS),
            )
        )
        session.execute(insert(ClientProfile), [{"user_id": i} for i in client_ids])
        session.execute(
            insert(ExpertProfile),
            [
                {"user_id": e, "title": "mec.", "bio": "", "default_length_min": 60}
                for e in expert_ids
            ],
        )
        home: dict[int, int] = {}
        ed, eb, rules = [], [], []
        for i, expert in enumerate(expert_ids):
            mine = {codes[i % 4]} | ({codes[(i + 1) % 4]} if i % 2 == 0 else set())
            ed += [{"expert_id": expert, "domain_id": d.id} for d in domains if d.code in mine]
            home[expert] = branches[i % 2].id
            offices = [home[expert]] + ([filia.id] if i % 5 == 0 else [])
            eb += [{"expert_id": expert, "branch_id": b} for b in offices]
            rules += [
                {
                    "expert_id": expert,
                    "branch_id": home[expert],
                    "weekday": wd,
                    "start_time": clock_time(9),
                    "end_time": clock_time(17),
                    "length_min": 60,
                    "buffer_min": 0,
                }
                for wd in range(5)
            ]
            if i % 5 == 0:
                rules.append(
                    {
                        "expert_id": expert,
                        "branch_id": filia.id,
                        "weekday": 5,
                        "start_time": clock_time(9),
                        "end_time": clock_time(13),
                        "length_min": 60,
                        "buffer_min": 0,
                    }
                )
        session.execute(insert(expert_domains), ed)
        session.execute(insert(expert_branches), eb)
        session.execute(insert(AvailabilityRule), rules)

        # Consultations on the experts' real slots, 1 in ~4 taken, past ones attended.
        first = today - timedelta(days=HISTORY_DAYS)
        last = today + timedelta(days=FUTURE_DAYS)
        closed = polish_holidays(first, last)
        candidates = []
        day = first
        while day <= last:
            if day.weekday() < 5 and day not in closed:
                for expert in expert_ids:
                    for hour in range(9, 17):
                        candidates.append((expert, day, hour))
            day += timedelta(days=1)
        chosen = rng.sample(candidates, CONSULTATIONS)
        domain_of = {}
        for row in ed:
            domain_of.setdefault(row["expert_id"], row["domain_id"])
        consultations = []
        for expert, day, hour in chosen:
            start = datetime.combine(day, clock_time(hour), tzinfo=WARSAW).astimezone(UTC)
            past = start < now
            status = "cancelled" if rng.random() < 0.05 else ("attended" if past else "booked")
            consultations.append(
                {
                    "uid": uuid.uuid4().hex,
                    "expert_id": expert,
                    "branch_id": home[expert],
                    "domain_id": domain_of[expert],
                    "client_id": rng.choice(client_ids[:300]),
                    "start_dt": start,
                    "end_dt": start + timedelta(hours=1),
                    "buffer_min": 0,
                    "status": status,
                    "topic": "",
                    "notes": "",
                    "cancel_reason": "",
                    "sequence": 0,
                    "created_at_dt": start - timedelta(days=7),
                    "updated_at_dt": start - timedelta(days=7),
                }
            )
        ids = list(
            session.scalars(
                insert(Consultation).returning(Consultation.id, sort_by_parameter_order=True),
                consultations,
            )
        )
        session.execute(
            insert(ConsultationAttendee),
            [
                {"consultation_id": i, "user_id": c["client_id"]}
                for i, c in zip(ids, consultations, strict=True)
            ],
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        law_at_klucze = [
            e
            for i, e in enumerate(expert_ids)
            if home[e] == branches[0].id
            and "law" in ({codes[i % 4]} | ({codes[(i + 1) % 4]} if i % 2 == 0 else set()))
        ]
        race = [f"wyscig{i}@bench.example" for i in range(RACE_CLIENTS)]
        return World(branches[0].id, "law", law_at_klucze, race)


# What every server of the benchmarks runs with: no rate limits (hundreds of log-ins from one
# address are the load, not an attack), and the public address the app must be told.
SERVER_ENV = {
    "SECRET_KEY": "benchmark-only",
    "RATELIMIT_ENABLED": "0",
    "PUBLIC_URL": f"http://{HOST}",
    "TRUSTED_HOSTS": HOST,
}


# --- servers and the load loop --------------------------------------------------------------


def static_app() -> Flask:
    """The baseline: a bare Flask endpoint that returns fixed bytes (`gunicorn` imports this)."""
    body = Path(os.environ[STATIC_JSON_ENV]).read_bytes()
    app = Flask("static_slots")

    @app.get("/api/v1/slots")
    def slots() -> Response:
        return Response(body, mimetype="application/json")

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict[str, str], *extra: str) -> Iterator[int]:
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "2", *extra, "-b", f"{HOST}:{port}", target],
        cwd=ROOT,
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


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        send = dict(headers or {})
        if payload is not None:
            send["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=send)
        response = connection.getresponse()
        return response.status, dict(response.headers.items()), response.read()
    finally:
        connection.close()


WRK_CONNECTIONS = 8  # enough to keep two gunicorn workers busy; wrk itself uses one thread


def load(port: int, path: str, *, seconds: float) -> dict:
    """Requests per second from Debian's `wrk` (C, one thread: not the bottleneck), bounded by
    time, against 127.0.0.1 only. Every answer must be a 200."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    out = subprocess.run(
        [wrk, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
         f"http://{HOST}:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in ([\d.]+)s", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(errors.group(1)) if errors else 0
    p99 = re.search(r"99%\s+(\S+)", out)
    return {
        "rps": rps,
        "statuses": {200: total - bad, "other": bad} if bad else {200: total},
        "seconds": seconds,
        "p99": p99.group(1) if p99 else "?",
    }


# --- 2. GET /api/v1/slots vs static JSON ----------------------------------------------------


def slots_throughput(database_url: str, world: World, quick: bool) -> dict:
    today = datetime.now(WARSAW).date()
    path = (
        f"/api/v1/slots?domain={world.domain}&branch={world.branch_id}"
        f"&from={today}&to={today + timedelta(days=SLOTS_DAYS - 1)}"
    )
    env = SERVER_ENV | {"DATABASE_URL": database_url}
    seconds = 3.0 if quick else 10.0
    results: dict[str, Any] = {"path": path}
    with tempfile.NamedTemporaryFile(suffix=".json") as static_file:
        with gunicorn("incubator:create_app()", env) as port:
            status, _, body = request(port, "GET", path)
            assert status == 200, body[:300]
            static_file.write(body)
            static_file.flush()
            results["slots"] = len(json.loads(body))
            results["bytes"] = len(body)
            load(port, path, seconds=1.0)  # warm up
            results["app"] = load(port, path, seconds=seconds)
        # Strict mode: the calendar version is read from the database on every request.
        strict_env = {**env, "SLOT_VERSION_TTL_SECONDS": "0"}
        with gunicorn("incubator:create_app()", strict_env) as port:
            load(port, path, seconds=1.0)
            results["strict"] = load(port, path, seconds=seconds)
        static_env = {STATIC_JSON_ENV: static_file.name}
        with gunicorn("bench.booking:static_app()", static_env) as port:
            status, _, same = request(port, "GET", path)
            assert status == 200 and same == body
            load(port, path, seconds=1.0)
            results["static"] = load(port, path, seconds=seconds)
    results["ratio"] = results["app"]["rps"] / results["static"]["rps"]
    results["strict_ratio"] = results["strict"]["rps"] / results["static"]["rps"]
    return results


def breakdown(app: Flask, world: World, runs: int) -> dict:
    """Where one request's time goes, measured in-process on the same database.

    The steps of `services.slots.find_slots` are timed one by one (they are private helpers;
    calling them from a benchmark is fine, from the app it would not be).
    """
    from sqlalchemy import event

    from incubator.clock import utcnow
    from incubator.domain import slots as engine_module
    from incubator.extensions import db
    from incubator.services import booking, directory
    from incubator.services import slots as slot_service
    from incubator.services.calendar_days import polish_holidays
    from incubator.web.api import serializers

    today = datetime.now(WARSAW).date()
    end = today + timedelta(days=SLOTS_DAYS - 1)
    path = f"/api/v1/slots?domain={world.domain}&branch={world.branch_id}&from={today}&to={end}"
    sql = {"n": 0, "s": 0.0}

    def before(conn, cursor, statement, params, context, executemany) -> None:
        context._bench_t0 = time.perf_counter()

    def after(conn, cursor, statement, params, context, executemany) -> None:
        sql["n"] += 1
        sql["s"] += time.perf_counter() - context._bench_t0

    def median_ms(fn: Callable[[], Any]) -> float:
        fn()
        timings = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()  # a fresh transaction and identity map, as in a request
        return statistics.median(timings)

    client = app.test_client()
    out: dict[str, Any] = {}
    steps: dict[str, float] = {}
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            out["request_ms"] = median_ms(lambda: client.get(path))
            sql.update(n=0, s=0.0)
            client.get(path)
            out["sql_queries"], out["sql_ms"] = sql["n"], sql["s"] * 1000
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)

        session = db.session
        policy = booking.policy_from_config(app.config)
        area = directory.resolve_area(session, world.domain)
        office = directory.resolve_branch(session, world.branch_id)
        ids = directory.expert_ids_for(session, area, office)
        office_id = office.id
        lo = datetime.combine(today, clock_time(0), tzinfo=WARSAW)
        hi = datetime.combine(end + timedelta(days=1), clock_time(0), tzinfo=WARSAW)
        rules = slot_service._rules(session, ids, office_id)
        exceptions = slot_service._exceptions(session, ids, today, end)
        busy = slot_service._busy(session, ids, lo, hi)
        closed = polish_holidays(today, end)
        now = utcnow()

        def engine_call() -> list:
            return engine_module.free_slots(
                rules=rules,
                exceptions=exceptions,
                busy=busy,
                holidays=closed,
                window_start=today,
                window_end=end,
                now=now,
                min_notice=policy.min_notice,
                horizon=policy.horizon,
                branch_id=office_id,
                expert_ids=set(ids),
            )

        steps["resolve domain + branch"] = median_ms(
            lambda: (
                directory.resolve_area(session, world.domain),
                directory.resolve_branch(session, world.branch_id),
            )
        )
        steps["expert ids (1 query)"] = median_ms(
            lambda: directory.expert_ids_for(session, area, office)
        )
        steps["availability rules"] = median_ms(
            lambda: slot_service._rules(session, ids, office_id)
        )
        steps["exceptions"] = median_ms(lambda: slot_service._exceptions(session, ids, today, end))
        steps[f"busy ({sum(len(v) for v in busy.values())} consultations)"] = median_ms(
            lambda: slot_service._busy(session, ids, lo, hi)
        )
        steps["holidays"] = median_ms(lambda: polish_holidays(today, end))
        found = engine_call()
        steps[f"free_slots ({len(ids)} experts, {len(found)} slots)"] = median_ms(engine_call)
        with app.test_request_context(path):
            steps["serialise to JSON"] = median_ms(
                lambda: app.json.response([serializers.slot(s) for s in found])
            )
        out["service_ms"] = median_ms(
            lambda: slot_service.find_slots(
                session,
                area=directory.resolve_area(session, world.domain),
                branch=directory.resolve_branch(session, world.branch_id),
                start_date=today,
                end_date=end,
                now=utcnow(),
                policy=policy,
            )
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(50):
            client.get(path)
        profiler.disable()
    out["steps"] = steps
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(12)
    out["profile"] = text.getvalue()
    return out


# --- 3. the race ----------------------------------------------------------------------------


def race(database_url: str, world: World) -> dict:
    from sqlalchemy import create_engine, text

    env = SERVER_ENV | {"DATABASE_URL": database_url}
    with gunicorn("incubator:create_app()", env, "--threads", "16") as port:
        sessions: list[dict[str, str]] = [{} for _ in world.race_clients]

        def log_in(i: int) -> None:
            status, headers, body = request(port, "GET", "/api/v1/session")
            cookie = headers["Set-Cookie"].split(";", 1)[0]
            token = json.loads(body)["csrf_token"]
            credentials = {"email": world.race_clients[i], "password": PASSWORD}
            status, headers, body = request(
                port,
                "POST",
                "/api/v1/session",
                credentials,
                {"Cookie": cookie, "X-CSRFToken": token},
            )
            assert status == 200, body
            sessions[i] = {
                "Cookie": headers["Set-Cookie"].split(";", 1)[0],
                "X-CSRFToken": json.loads(body)["csrf_token"],
            }

        _in_threads(log_in, len(sessions), width=8)
        today = datetime.now(WARSAW).date()
        _, _, body = request(
            port,
            "GET",
            f"/api/v1/slots?domain={world.domain}&branch={world.branch_id}&from={today}"
            f"&to={today + timedelta(days=SLOTS_DAYS)}",
        )
        limit = datetime.now(UTC) + timedelta(hours=25)
        slot = next(s for s in json.loads(body) if datetime.fromisoformat(s["start"]) > limit)
        booking_body = {
            "expert_id": slot["expert_id"],
            "branch_id": slot["branch_id"],
            "domain": world.domain,
            "start": slot["start"],
        }
        barrier = threading.Barrier(len(sessions), timeout=60)
        statuses: list[int] = [0] * len(sessions)
        codes: Counter = Counter()

        def press(i: int) -> None:
            barrier.wait()
            status, _, body = request(
                port, "POST", "/api/v1/consultations", booking_body, sessions[i]
            )
            statuses[i] = status
            if status >= 400:
                try:
                    codes[json.loads(body)["error"]["code"]] += 1
                except (ValueError, KeyError):
                    codes["<not json>"] += 1

        t0 = time.monotonic()
        _in_threads(press, len(sessions), width=len(sessions))
        elapsed = time.monotonic() - t0
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT count(*) FROM consultations WHERE expert_id = :e AND start_dt = :s "
                "AND status <> 'cancelled'"
            ),
            {"e": slot["expert_id"], "s": datetime.fromisoformat(slot["start"])},
        ).scalar_one()
    engine.dispose()
    counted = Counter(statuses)
    return {
        "201": counted.get(201, 0),
        "409": counted.get(409, 0),
        "5xx": sum(n for s, n in counted.items() if s >= 500),
        "other": {s: n for s, n in counted.items() if s not in (201, 409) and s < 500},
        "codes": dict(codes),
        "rows": rows,
        "seconds": elapsed,
        "slot": slot["start"],
    }


def _in_threads(fn: Callable[[int], None], n: int, width: int) -> None:
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


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use")
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter loads")
    parser.add_argument("--keep-db", action="store_true", help="keep the created database")
    args = parser.parse_args(argv)

    load1, load5, _ = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"load average at start {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )
    runs = 200 if args.quick else 2000
    engine_ms, count = engine_month(runs)
    verdict = "OK" if engine_ms < 2 else "MISSED"
    print(f"\n1. free_slots, one expert-month ({count} slots), median of {runs} runs:")
    print(f"   {engine_ms:.3f} ms   (target < 2 ms: {verdict})")

    with benchmark_database(args.database_url, args.keep_db) as url:
        t0 = time.monotonic()
        app = make_app(url)
        world = seed(app)
        print(
            f"\n   database: {EXPERTS} experts, {CONSULTATIONS} consultations "
            f"(seeded in {time.monotonic() - t0:.1f} s); "
            f"{len(world.experts)} experts give '{world.domain}' at the office measured"
        )

        result = slots_throughput(url, world, args.quick)
        a, s = result["app"], result["static"]
        verdict = "OK" if result["ratio"] >= 0.5 else "MISSED"
        print(f"\n2. GET {result['path']}")
        print(
            f"   {result['slots']} slots, {result['bytes']} bytes; gunicorn -w 2; "
            f"wrk -t1 -c{WRK_CONNECTIONS}"
        )
        print(f"   app:    {a['rps']:8.1f} req/s  {a['statuses']}  p99 {a['p99']}")
        print(f"   static: {s['rps']:8.1f} req/s  {s['statuses']}  p99 {s['p99']}")
        print(f"   ratio app/static: {result['ratio']:.2f}   (target >= 0.5: {verdict})")
        st = result["strict"]
        print(
            f"   strict (SLOT_VERSION_TTL_SECONDS=0, version read on every request): "
            f"{st['rps']:8.1f} req/s, ratio {result['strict_ratio']:.2f}"
        )

        parts = breakdown(app, world, runs=30 if args.quick else 200)
        print("\n   one request in-process, same database (median ms):")
        print(f"     whole request (test client)      {parts['request_ms']:7.2f}")
        print(
            f"     of which SQL round trips         {parts['sql_ms']:7.2f}  "
            f"({parts['sql_queries']} queries)"
        )
        print(f"     services.slots.find_slots      {parts['service_ms']:7.2f}  (resolves incl.)")
        for step, ms in parts["steps"].items():
            print(f"       {step:<33}{ms:7.2f}")
        print("\n   profile of 50 requests, by own time:")
        lines = parts["profile"].strip().splitlines()
        print("\n".join("     " + line for line in lines if line.strip())[:4000])
        with app.app_context():
            from incubator.extensions import db

            db.engine.dispose()

        r = race(url, world)
        print(f"\n3. race: {RACE_CLIENTS} simultaneous POSTs of one slot ({r['slot']})")
        print("   gunicorn -w 2 --threads 16 on PostgreSQL")
        print(
            f"   201: {r['201']}   409: {r['409']}   5xx: {r['5xx']}   other: {r['other']}   "
            f"codes: {r['codes']}   rows for the slot: {r['rows']}   ({r['seconds']:.1f} s)"
        )
        ok = r["201"] == 1 and r["409"] == RACE_CLIENTS - 1 and r["5xx"] == 0 and r["rows"] == 1
        print(f"   {'OK' if ok else 'FAILED'}: exactly one booking")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
