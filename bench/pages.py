"""Reads against the same bytes served statically, and what each step of a request costs.

* `GET /api/v1/slots` (one area at one office, 14 days) from ``gunicorn -w 2
  'incubator:create_app()'`` against a bare Flask app serving the very same JSON bytes from the
  same gunicorn set-up (`bench.common:static_app()`), alternated in the same run, load from
  Debian's `wrk` (target ratio >= 0.75). Listings are always fresh: no setting trades freshness.
* The time step of the HTML booking flow (`GET /rezerwacja/godzina?domain=..&branch=..&date=..`)
  for a logged-in client, against that page's bytes served the same way (target ratio >= 0.5).
* The cost of each per-request step, in-process: cProfile over N test-client requests, the
  cumulative time of the functions of each step divided by N, in microseconds.

Both servers run with the rate limiter on (memory storage), as in production: its hook is part
of every request even where the endpoint is exempt.
"""

from __future__ import annotations

import cProfile
import functools
import inspect
import json
import pstats
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask

from bench.common import (
    SERVER_ENV,
    STATIC_FILE_ENV,
    STATIC_PATH_ENV,
    STATIC_TYPE_ENV,
    WITH_LIMITER,
    gunicorn,
    load,
    local_client,
    log_in,
    request,
)
from bench.seed import World
from incubator.domain.calendar import WARSAW

SLOTS_DAYS = 14
SLOTS_TARGET = 0.75
PAGE_TARGET = 0.5


def slots_path(world: World, start: date | None = None) -> str:
    start = start or datetime.now(WARSAW).date()
    end = start + timedelta(days=SLOTS_DAYS - 1)
    return f"/api/v1/slots?domain={world.domain}&branch={world.branch_id}&from={start}&to={end}"


def _against_static(
    app_port: int,
    body: bytes,
    path: str,
    mimetype: str,
    *,
    seconds: float,
    rounds: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Serve `body` statically at `path` and load app and static alternately, `rounds` times."""
    results: dict[str, Any] = {"app": [], "static": []}
    with tempfile.NamedTemporaryFile(suffix=".bytes") as static_file, ExitStack() as stack:
        static_file.write(body)
        static_file.flush()
        env = {
            STATIC_FILE_ENV: static_file.name,
            STATIC_PATH_ENV: path.split("?", 1)[0],
            STATIC_TYPE_ENV: mimetype,
        }
        static_port = stack.enter_context(gunicorn("bench.common:static_app()", env))
        status, _, same = request(static_port, "GET", path)
        assert status == 200 and same == body, "the static server must serve the same bytes"
        for port in (app_port, static_port):
            load(port, path, seconds=1.0, headers=headers)  # warm up
        for _ in range(rounds):
            results["app"].append(load(app_port, path, seconds=seconds, headers=headers))
            results["static"].append(load(static_port, path, seconds=seconds, headers=headers))
    app_rps = sum(r["rps"] for r in results["app"]) / rounds
    static_rps = sum(r["rps"] for r in results["static"]) / rounds
    results.update(app_rps=app_rps, static_rps=static_rps, ratio=app_rps / static_rps)
    return results


def slots_throughput(database_url: str, world: World, quick: bool) -> dict:
    path = slots_path(world)
    env = SERVER_ENV | WITH_LIMITER | {"DATABASE_URL": database_url}
    with gunicorn("incubator:create_app()", env) as port:
        status, _, body = request(port, "GET", path)
        assert status == 200, body[:300]
        result = _against_static(
            port,
            body,
            path,
            "application/json",
            seconds=3.0 if quick else 10.0,
            rounds=1 if quick else 2,
        )
    return result | {"path": path, "slots": len(json.loads(body)), "bytes": len(body)}


def first_bookable_day(port: int, world: World) -> date:
    """The first day with a free slot more than 25 h ahead (the booking notice is 24 h)."""
    _, _, body = request(port, "GET", slots_path(world))
    limit = datetime.now(UTC) + timedelta(hours=25)
    starts = [datetime.fromisoformat(s["start"]) for s in json.loads(body)]
    return min(s for s in starts if s > limit).astimezone(WARSAW).date()


def time_page_path(world: World, day: date) -> str:
    return f"/rezerwacja/godzina?domain={world.domain}&branch={world.branch_id}&date={day}"


def time_page_throughput(database_url: str, world: World, quick: bool) -> dict:
    env = SERVER_ENV | WITH_LIMITER | {"DATABASE_URL": database_url}
    with gunicorn("incubator:create_app()", env) as port:
        headers = {"Cookie": log_in(port, world.race_clients[-1])["Cookie"]}
        path = time_page_path(world, first_bookable_day(port, world))
        status, _, body = request(port, "GET", path, headers=headers)
        links = body.count(b"/rezerwacja/potwierdzenie?")
        if status != 200 or not links:
            raise SystemExit(f"the time step answered {status} with {links} slot links: {path}")
        result = _against_static(
            port,
            body,
            path,
            "text/html",
            seconds=3.0 if quick else 10.0,
            rounds=1 if quick else 2,
            headers=headers,
        )
    return result | {"path": path, "links": links, "bytes": len(body)}


# --- the cost of each step ------------------------------------------------------------------

Key = tuple[str, int, str]  # how pstats names a function: (file, first line, name)


def _key(fn: Any) -> Key | None:
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    return (code.co_filename, code.co_firstlineno, code.co_name) if code else None


def _name(fn: Any) -> str:
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(fn, "__func__", fn)
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _hooks(app: Flask) -> dict[str, list]:
    """Every registered hook, by kind (app-wide and per blueprint)."""
    found: dict[str, list] = {"before": [], "after": [], "teardown": []}
    for kind, table in (
        ("before", app.before_request_funcs),
        ("after", app.after_request_funcs),
        ("teardown", app.teardown_request_funcs),
    ):
        for funcs in table.values():
            found[kind].extend(funcs)
    return found


def step_functions(app: Flask) -> list[tuple[str, bool, list]]:
    """(step, nested inside another step?, functions): what each printed step covers."""
    import flask
    import flask_babel
    import flask_login.utils

    hooks = _hooks(app)
    every = [f for kind in hooks.values() for f in kind]

    def from_module(part: str, funcs: list) -> list:
        return [f for f in funcs if part in (inspect.getsourcefile(_unwrap(f)) or "")]

    limiter = from_module("flask_limiter", every)
    request_id = from_module("request_ids", every)
    taken = {id(f) for f in limiter + request_id}
    headers = [f for f in hooks["after"] if id(f) not in taken]
    other = [f for f in hooks["before"] + hooks["teardown"] if id(f) not in taken]
    interface = type(app.session_interface)
    from incubator.services import slots as slot_service
    from incubator.web.common import booking_flow

    lookup = [
        f
        for f in (
            getattr(slot_service, "cached_listing", None),
            getattr(booking_flow, "listing", None),
        )
        if f is not None
    ]
    session = [interface.open_session, interface.save_session]
    views = [app.view_functions["api.slots"], app.view_functions["booking.time"]]
    return [
        ("session (open + save the cookie)", False, session),
        ("limiter (flask-limiter hooks)", False, limiter),
        ("request id", False, request_id),
        ("response headers (after_request)", False, headers),
        ("other before/teardown hooks", False, other),
        ("view function, all of it", False, views),
        ("  listing lookup", True, lookup),
        ("  choices resolved (query string)", True, _present(booking_flow, "resolve")),
        (
            "  slot options + expert names",
            True,
            _present(booking_flow, "slot_options", "expert_names"),
        ),
        ("  template rendering", True, [flask.templating.render_template]),
        (
            "locale + time zone (flask-babel)",
            True,
            [flask_babel.get_locale, flask_babel.get_timezone],
        ),
        ("user load (flask-login)", True, [flask_login.utils._get_user]),
    ]


def _present(module: Any, *names: str) -> list:
    return [getattr(module, n) for n in names if hasattr(module, n)]


def _unwrap(fn: Any) -> Any:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.unwrap(getattr(fn, "__func__", fn))


def _profile(fetch: Callable[[], Any], n: int) -> tuple[dict, float]:
    """pstats' table for n calls of fetch, and the mean µs of one call without the profiler."""
    for _ in range(20):
        fetch()
    t0 = time.perf_counter()
    for _ in range(n):
        fetch()
    plain_us = (time.perf_counter() - t0) / n * 1e6
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fetch()
    profiler.disable()
    return pstats.Stats(profiler).stats, plain_us  # type: ignore[attr-defined]


def step_costs(app: Flask, world: World, n: int) -> dict:
    """µs per request of each step, for the API listing (anonymous) and the time step page."""
    from flask import Flask as FlaskClass

    from incubator.web.api import inputs

    steps = step_functions(app)
    wsgi = _key(FlaskClass.wsgi_app)
    input_keys = {
        _key(f)
        for f in vars(inputs).values()
        if inspect.isfunction(f) and f.__module__ == inputs.__name__
    }
    anonymous = local_client(app)
    page_client = local_client(app)
    token = page_client.get("/api/v1/session").get_json()["csrf_token"]
    answer = page_client.post(
        "/api/v1/session",
        json={"email": world.race_clients[-2], "password": "benchmark-password-1"},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200, answer.get_data()[:300]
    day = _first_day(anonymous, world)
    api_path, page_path = slots_path(world), time_page_path(world, day)
    assert anonymous.get(api_path).status_code == 200
    page = page_client.get(page_path)
    assert page.status_code == 200 and b"/rezerwacja/potwierdzenie?" in page.get_data()

    columns = {}
    for column, fetch in (
        ("api", lambda: anonymous.get(api_path)),
        ("page", lambda: page_client.get(page_path)),
    ):
        stats, plain_us = _profile(fetch, n)

        def us(keys: set, stats: dict = stats) -> float:
            return sum(stats[k][3] for k in keys if k in stats) / n * 1e6

        row = {name: us({_key(f) for f in funcs}) for name, _, funcs in steps}
        row["whole request (Flask.wsgi_app)"] = us({wsgi})
        top = sum(row[name] for name, nested, _ in steps if not nested)
        row["rest: routing, contexts, Response"] = row["whole request (Flask.wsgi_app)"] - top
        if column == "api":
            view = row["view function, all of it"]
            row["  JSON assembly + argument parsing"] = view - row["  listing lookup"]
            row["  of which argument parsing"] = us(input_keys)
        row["test client, no profiler (wall)"] = plain_us
        columns[column] = row
    covers = {name: sorted({_name(f) for f in funcs}) for name, _, funcs in steps}
    return {"columns": columns, "covers": covers, "n": n, "api": api_path, "page": page_path}


def _first_day(client: Any, world: World) -> date:
    limit = datetime.now(UTC) + timedelta(hours=25)
    listing = client.get(slots_path(world)).get_json()
    starts = [datetime.fromisoformat(s["start"]) for s in listing]
    return min(s for s in starts if s > limit).astimezone(WARSAW).date()


STEP_ORDER = [
    "whole request (Flask.wsgi_app)",
    "session (open + save the cookie)",
    "limiter (flask-limiter hooks)",
    "request id",
    "response headers (after_request)",
    "other before/teardown hooks",
    "view function, all of it",
    "  listing lookup",
    "  JSON assembly + argument parsing",
    "  of which argument parsing",
    "  choices resolved (query string)",
    "  slot options + expert names",
    "  template rendering",
    "rest: routing, contexts, Response",
    "locale + time zone (flask-babel)",
    "user load (flask-login)",
    "test client, no profiler (wall)",
]


def print_step_costs(costs: dict) -> None:
    api, page = costs["columns"]["api"], costs["columns"]["page"]
    print(
        f"\n   cost of each step, in-process (cProfile, cumulative time over {costs['n']} "
        "test-client requests each, µs per request; the profiler inflates Python-heavy steps):"
    )
    print(f"     {'step':<38}{'/api/v1/slots':>14}{'time page':>12}")
    for name in STEP_ORDER:
        a = f"{api[name]:14.0f}" if name in api else f"{'-':>14}"
        p = f"{page[name]:12.0f}" if name in page else f"{'-':>12}"
        print(f"     {name:<38}{a}{p}")
    print("     (indented rows are inside the view; locale and user load run inside the rows")
    print("      above them, wherever they are first needed, so they are not added up)")
    print("   what each step covers:")
    for name, functions in costs["covers"].items():
        print(f"     {name.strip()}: {', '.join(functions) or '(nothing registered)'}")
