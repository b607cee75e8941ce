"""Booking benchmarks: prints figures and ratios (a script, not a test).

    .venv/bin/python bench/booking.py [--quick] [--database-url URL] [--keep-db]
                                      [--baseline-ref REV] [--only SECTIONS]

1. The slot engine: `free_slots` for one expert and one month, median of many runs (< 2 ms).
2. `GET /api/v1/slots` against the same bytes served statically, same gunicorn -w 2, same run,
   load from Debian's wrk (target ratio >= 0.75); the cost of each per-request step (session,
   locale, limiter, headers, request id, listing lookup, JSON assembly) from cProfile; where a
   listing computed afresh spends its time (`bench/pages.py`, `bench/breakdown.py`).
3. The time step page of the HTML booking flow against its own bytes served statically
   (target ratio >= 0.5).
4. The race: 200 logged-in clients POST the same slot at once (gunicorn -w 2 --threads 16):
   exactly one 201.
5. The storm: 200 clients book 200 different slots of all 20 experts at once, on this checkout
   and on a baseline revision (``--baseline-ref``, default the merge-base b6a36e9) in the same
   run: bookings per second before and after (target >= 2x), 0 double bookings, 0 x 5xx
   (`bench/storm.py`).
6. Propagation: from a booking's 201 in one gunicorn to the change in another gunicorn's listing,
   p50/p95/p99/max (target p99 < 50 ms; `bench/propagation.py`).
7. Booking writes inside PostgreSQL, without Python in the way: pgbench runs a booking's write
   transaction for random experts on 32 connections, against the per-expert versions (0005)
   and the single counter (0004), alternated on one database (`bench/writes.py`).

All on PostgreSQL with 20 experts and 10 000 consultations (`bench/seed.py`). Without
``--database-url`` a database ``wtbench_<pid>`` is created on 127.0.0.1:5432 (user postgres) and
dropped at the end; with it, the database must be empty (it is migrated and seeded). All traffic
goes to 127.0.0.1; every load loop is bounded in count and in time. The servers that take
hundreds of log-ins run with ``RATELIMIT_ENABLED=0``; the read benchmarks keep the limiter on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench import pages, propagation, storm, writes  # noqa: E402
from bench.breakdown import breakdown, print_breakdown  # noqa: E402
from bench.common import (  # noqa: E402
    SERVER_ENV,
    WRK,
    gunicorn,
    in_threads,
    log_in,
    request,
)
from bench.pages import SLOTS_DAYS  # noqa: E402
from bench.seed import (  # noqa: E402
    CONSULTATIONS,
    EXPERTS,
    RACE_CLIENTS,
    World,
    benchmark_database,
    make_app,
    seed,
)
from incubator.domain.calendar import WARSAW  # noqa: E402
from incubator.domain.slots import (  # noqa: E402
    AvailabilityException,
    ExceptionKind,
    Interval,
    Rule,
    free_slots,
)

SECTIONS = ("engine", "slots", "page", "race", "storm", "propagation", "writes")


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


# --- 4. the race ----------------------------------------------------------------------------


def race(database_url: str, world: World) -> dict:
    from sqlalchemy import create_engine, text

    env = SERVER_ENV | {"DATABASE_URL": database_url}
    with gunicorn("incubator:create_app()", env, "--threads", "16") as port:
        sessions: list[dict[str, str]] = [{} for _ in world.race_clients]

        def one(i: int) -> None:
            sessions[i] = log_in(port, world.race_clients[i])

        in_threads(one, len(sessions), width=8)
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
        in_threads(press, len(sessions), width=len(sessions))
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


# --- main -----------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def print_against_static(title: str, result: dict, target: float, what: str) -> None:
    print(f"\n{title}")
    print(f"   {what}; gunicorn -w 2 both; load from {WRK}, app and static alternated")
    for i, (a, s) in enumerate(zip(result["app"], result["static"], strict=True), 1):
        print(
            f"   round {i}: app {a['rps']:8.1f} req/s {a['statuses']} p99 {a['p99']}   "
            f"static {s['rps']:8.1f} req/s {s['statuses']} p99 {s['p99']}"
        )
    print(
        f"   ratio app/static: {result['ratio']:.2f}   "
        f"(target >= {target}: {_verdict(result['ratio'] >= target)})"
    )


def print_storm(s: dict, clients: int) -> None:
    print(
        f"\n5. storm: {clients} logged-in clients book {clients} different slots at once "
        "(gunicorn -w 2 --threads 16, PostgreSQL)"
    )
    print(f"   baseline {s['ref']} ({s['commit']}) imported from {s['paths']['incubator']}")
    ok = True
    for name in ("before", "after"):
        r = s[name]
        print(
            f"   {name:<6}: {r['per_second']:6.1f} bookings/s ({r['201']} in {r['seconds']:.2f} s"
            f" over {r['experts']} experts)   201: {r['201']}  409: {r['409']}  "
            f"5xx: {r['5xx']}  other: {r['other']}  codes: {r['codes']}  "
            f"double bookings: {r['double_bookings']}"
        )
        ok = ok and r["5xx"] == 0 and r["double_bookings"] == 0
    rounds = s["rounds"]
    print(
        "   bookings/s per round, alternated: after "
        + ", ".join(f"{x:.1f}" for x in rounds["after"])
        + "; before "
        + ", ".join(f"{x:.1f}" for x in rounds["before"])
    )
    print(f"   {'OK' if ok else 'FAILED'}: 0 x 5xx and 0 double bookings, before and after")
    print(
        f"   after/before: {s['ratio']:.2f}x   "
        f"(target >= {storm.TARGET:.0f}x: {_verdict(s['ratio'] >= storm.TARGET)})"
    )


def print_propagation(p: dict) -> None:
    print(
        "\n6. propagation: a booking through gunicorn A (-w 1) until gunicorn B (-w 1, same "
        "database) no longer lists the slot"
    )
    print(
        f"   {p['runs']} bookings, each cancelled afterwards; B polled {p['path']} "
        f"{p['polls']} times on {p['connections']} connection(s)"
    )
    for name, label in (("booked", "booked -> gone on B"), ("freed", "cancelled -> back on B")):
        r = p[name]
        if not r["n"]:
            print(f"   {label}: no measurement")
            continue
        print(
            f"   {label:<23} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  "
            f"p99 {r['p99']:7.1f} ms  max {r['max']:7.1f} ms  (n={r['n']})"
        )
    print(f"   not seen within {propagation.WAIT_S:.0f} s / refused: {p['missed']}")
    p99 = p["booked"].get("p99", float("inf"))
    print(
        f"   p99 booked -> gone: target < {propagation.TARGET_P99_MS:.0f} ms: {_verdict(p99 < 50)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use")
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter loads")
    parser.add_argument("--keep-db", action="store_true", help="keep the created database")
    parser.add_argument(
        "--baseline-ref",
        default=storm.DEFAULT_BASELINE,
        help="the revision the storm is compared with (default: %(default)s, before issue #9)",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})",
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    if only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")

    load1, load5, _ = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"load average at start {load1:.2f} (1 min), {load5:.2f} (5 min)"
    )
    runs = 200 if args.quick else 2000
    if "engine" in only:
        engine_ms, count = engine_month(runs)
        print(f"\n1. free_slots, one expert-month ({count} slots), median of {runs} runs:")
        print(f"   {engine_ms:.3f} ms   (target < 2 ms: {_verdict(engine_ms < 2)})")
    if not only - {"engine"}:
        return 0

    with benchmark_database(args.database_url, args.keep_db) as url:
        t0 = time.monotonic()
        app = make_app(url)
        world = seed(app)
        with app.app_context():
            from incubator.extensions import db

            db.engine.dispose()
        print(
            f"\n   database: {EXPERTS} experts, {CONSULTATIONS} consultations "
            f"(seeded in {time.monotonic() - t0:.1f} s); "
            f"{len(world.experts)} experts give '{world.domain}' at the office measured"
        )
        if "slots" in only:
            result = pages.slots_throughput(url, world, args.quick)
            print_against_static(
                f"2. GET {result['path']}",
                result,
                pages.SLOTS_TARGET,
                f"{result['slots']} slots, {result['bytes']} bytes, always fresh",
            )
            profiled = make_app(url, rate_limits=True)
            with profiled.app_context():
                costs = pages.step_costs(profiled, world, n=200 if args.quick else 1000)
                from incubator.extensions import db

                db.engine.dispose()
            pages.print_step_costs(costs)
            print_breakdown(breakdown(app, world, runs=30 if args.quick else 200))
            with app.app_context():
                db.engine.dispose()
        if "page" in only:
            result = pages.time_page_throughput(url, world, args.quick)
            print_against_static(
                f"3. GET {result['path']} (logged in, the time step of the booking flow)",
                result,
                pages.PAGE_TARGET,
                f"200 with {result['links']} slot links, {result['bytes']} bytes",
            )
        avoid: set[str] = set()
        if "race" in only:
            r = race(url, world)
            avoid.add(datetime.fromisoformat(r["slot"]).isoformat())
            print(f"\n4. race: {RACE_CLIENTS} simultaneous POSTs of one slot ({r['slot']})")
            print("   gunicorn -w 2 --threads 16 on PostgreSQL")
            print(
                f"   201: {r['201']}   409: {r['409']}   5xx: {r['5xx']}   other: {r['other']}"
                f"   codes: {r['codes']}   rows for the slot: {r['rows']}   "
                f"({r['seconds']:.1f} s)"
            )
            ok = r["201"] == 1 and r["409"] == RACE_CLIENTS - 1 and r["5xx"] == 0
            print(f"   {'OK' if ok and r['rows'] == 1 else 'FAILED'}: exactly one booking")
        if "storm" in only:
            clients = world.race_clients[:RACE_CLIENTS]
            print_storm(
                storm.before_and_after(
                    url, clients, args.baseline_ref, avoid, rounds=1 if args.quick else 2
                ),
                len(clients),
            )
        if "propagation" in only:
            print_propagation(propagation.propagation(url, world, runs=10 if args.quick else 50))
        from incubator.services import slot_cache

        slot_cache.forget_all()  # the in-process apps' listeners, before the database is dropped
    if "writes" in only:
        writes.report(writes.measure(seconds=3 if args.quick else 8, rounds=1 if args.quick else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
