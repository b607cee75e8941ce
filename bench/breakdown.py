"""Where one `GET /api/v1/slots` spends its time, in-process on the benchmark database.

The whole request through the test client (and its SQL round trips), a listing computed afresh
step by step (`services.slots` private helpers: fine for a benchmark, not for the app; if the app
has changed them, that part says so instead of failing), and cProfile's top functions by own time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from flask import Flask

from bench.common import local_client
from bench.pages import SLOTS_DAYS, slots_path
from bench.seed import World
from incubator.domain.calendar import WARSAW


def breakdown(app: Flask, world: World, runs: int) -> dict:
    """Where one request's time goes, measured in-process on the same database.

    The steps of `services.slots.find_slots` are timed one by one (they are private helpers;
    calling them from a benchmark is fine, from the app it would not be).
    """
    from sqlalchemy import event

    from incubator.extensions import db

    path = slots_path(world)
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

    client = local_client(app)
    assert client.get(path).status_code == 200, "the in-process app must answer 200"
    out: dict[str, Any] = {}
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

        try:
            out.update(_listing_steps(app, world, median_ms))
        except (AttributeError, TypeError, ImportError) as error:  # the app changed under us
            out["steps_error"] = f"{type(error).__name__}: {error}"
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(50):
            client.get(path)
        profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(12)
    out["profile"] = text.getvalue()
    return out


def _listing_steps(app: Flask, world: World, median_ms: Callable) -> dict:
    """A listing computed afresh, step by step (private helpers of services.slots)."""
    from incubator.clock import utcnow
    from incubator.domain import slots as engine_module
    from incubator.extensions import db
    from incubator.services import booking, directory
    from incubator.services import slots as slot_service
    from incubator.services.calendar_days import polish_holidays
    from incubator.web.api import serializers

    today = datetime.now(WARSAW).date()
    end = today + timedelta(days=SLOTS_DAYS - 1)
    path = slots_path(world)
    steps: dict[str, float] = {}
    out: dict[str, Any] = {}
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
    steps["availability rules"] = median_ms(lambda: slot_service._rules(session, ids, office_id))
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
    out["steps"] = steps
    return out


def print_breakdown(parts: dict) -> None:
    print("\n   one request in-process, same database (median ms):")
    print(f"     whole request (test client)      {parts['request_ms']:7.2f}")
    print(
        f"     of which SQL round trips         {parts['sql_ms']:7.2f}  "
        f"({parts['sql_queries']} queries)"
    )
    if "steps_error" in parts:
        print(f"     a listing computed afresh: not measured ({parts['steps_error']})")
    else:
        print("     a listing computed afresh (cache miss):")
        print(f"     services.slots.find_slots      {parts['service_ms']:7.2f}  (resolves incl.)")
        for step, ms in parts["steps"].items():
            print(f"       {step:<33}{ms:7.2f}")
    print("\n   profile of 50 requests, by own time:")
    lines = parts["profile"].strip().splitlines()
    print("\n".join("     " + line for line in lines if line.strip())[:4000])
