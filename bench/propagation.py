"""Propagation: from a commit in one worker to the change in another worker's listing.

Two separate gunicorn servers on the same database stand for two workers (or two hosts): A and B,
one worker process each (``-w 1 --threads 2``: a gthread worker, so B's poller keeps its
connection alive; a sync worker closes it after every answer). A logged-in client books a slot
through A (`POST /api/v1/consultations`); a poller on B GETs the 14-day listing that holds the
slot in a tight loop on one connection. Measured: from A's 201 arriving to the first answer from
B, to a GET sent after the booking was sent (after a random pause of up to 1 s, so bookings
do not fall in step with any periodic work of B), whose listing lacks the slot (floored at 0: a poll
can pass the commit before A's answer is back). Then the booking is cancelled through A and the
time until B lists the slot again is measured the same way. Every wait is bounded (3 s).
"""

from __future__ import annotations

import http.client
import json
import random
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import SERVER_ENV, gunicorn, log_in, request, send
from bench.pages import slots_path
from bench.seed import HOST, World

TARGET_P99_MS = 50.0
WAIT_S = 3.0
JITTER_S = 1.0  # a random pause before each booking


class Poller(threading.Thread):
    """GETs `path` from `port` in a loop on one connection; keeps (sent, answered, keys)."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.polls: list[tuple[float, float, frozenset]] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.connections = 0
        self.count = 0

    def run(self) -> None:
        connection = None
        deadline = time.monotonic() + 600  # bounded even if nobody stops it
        while not self.stop.is_set() and time.monotonic() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=10)
                self.connections += 1
            t0 = time.perf_counter()
            try:
                status, _, body = send(connection, "GET", self.path)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = None
                continue
            t1 = time.perf_counter()
            keys = frozenset((s["expert_id"], s["start"]) for s in json.loads(body))
            with self.lock:
                self.polls.append((t0, t1, keys))
                self.polls = self.polls[-3000:]
                self.count += 1
        if connection is not None:
            connection.close()

    def first(self, sent_after: float, wanted: bool, key: tuple) -> float | None:
        """When the first poll sent after `sent_after` answered with `key` listed == `wanted`."""
        deadline = time.perf_counter() + WAIT_S
        while time.perf_counter() < deadline:
            with self.lock:
                for t0, t1, keys in self.polls:
                    if t0 >= sent_after and (key in keys) == wanted:
                        return t1
            time.sleep(0.0005)
        return None


def propagation(database_url: str, world: World, runs: int) -> dict[str, Any]:
    env = SERVER_ENV | {"DATABASE_URL": database_url}
    path = slots_path(world)
    options = ("-w", "1", "--threads", "2")
    with (
        gunicorn("incubator:create_app()", env, *options) as a,
        gunicorn("incubator:create_app()", env, *options) as b,
    ):
        person = log_in(a, _least_busy(database_url, world.race_clients))
        _, _, body = request(b, "GET", path)
        limit = datetime.now(UTC) + timedelta(hours=26)  # cancellable: 24 h notice, with room
        free = [s for s in json.loads(body) if datetime.fromisoformat(s["start"]) > limit]
        free = free[:: max(1, len(free) // runs)][:runs]
        poller = Poller(b, path)
        poller.start()
        booked_ms: list[float] = []
        freed_ms: list[float] = []
        rng = random.Random(9)
        missed = {"book": 0, "free": 0, "refused": 0}
        try:
            for i in range(runs):
                slot = free[i % len(free)]
                key = (slot["expert_id"], slot["start"])
                if poller.first(time.perf_counter() - WAIT_S, True, key) is None:
                    missed["free"] += 1  # not listed (yet) on B: skip this one
                    continue
                # De-phase from B's periodic work (a cache that re-reads its version on a timer
                # would otherwise meet every booking at the same point of its period).
                time.sleep(rng.uniform(0, JITTER_S))
                body = {k: slot[k] for k in ("expert_id", "branch_id", "start")}
                t_send = time.perf_counter()
                status, _, answer = request(
                    a, "POST", "/api/v1/consultations", body | {"domain": world.domain}, person
                )
                t_201 = time.perf_counter()
                if status != 201:
                    missed["refused"] += 1
                    continue
                gone = poller.first(t_send, False, key)
                if gone is None:
                    missed["book"] += 1
                else:
                    booked_ms.append(max(0.0, gone - t_201) * 1000)
                consultation = json.loads(answer)["id"]
                t_send = time.perf_counter()
                status, _, answer = request(
                    a, "POST", f"/api/v1/consultations/{consultation}/cancel", {}, person
                )
                t_200 = time.perf_counter()
                if status != 200:
                    raise SystemExit(f"cancelling {consultation} failed: {status} {answer[:200]!r}")
                back = poller.first(t_send, True, key)
                if back is None:
                    missed["free"] += 1
                else:
                    freed_ms.append(max(0.0, back - t_200) * 1000)
        finally:
            poller.stop.set()
            poller.join(timeout=15)
    return {
        "booked": _percentiles(booked_ms),
        "freed": _percentiles(freed_ms),
        "missed": missed,
        "polls": poller.count,
        "connections": poller.connections,
        "runs": runs,
        "path": path,
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "n": len(values),
        "p50": statistics.median(ordered),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
    }


def _least_busy(database_url: str, emails: list[str]) -> str:
    """The client with the fewest active bookings (at most 3 are allowed at once)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT u.email, count(c.id) FROM users u "
                    "LEFT JOIN consultation_attendees a ON a.user_id = u.id "
                    "LEFT JOIN consultations c ON c.id = a.consultation_id "
                    "AND c.status = 'booked' WHERE u.email = ANY(:emails) "
                    "GROUP BY u.email ORDER BY count(c.id), u.email LIMIT 1"
                ),
                {"emails": emails},
            ).all()
    finally:
        engine.dispose()
    return rows[0][0]
