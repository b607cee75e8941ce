"""Do booking writes for different experts queue on each other inside PostgreSQL?

The app-level storm (`bench/storm.py`) is bound by Python on this machine's two cores, so it
cannot show a queue inside the database. This measures the database alone, with PostgreSQL's own
load generator (`pgbench`, C, one connection per client, not the bottleneck): 32 connections run
a booking's write transaction for random experts out of 20 — lock the expert and the client
rows (as `services/transactions.lock_rows` does), insert the consultation and its attendee, wait
`work` ms (the application's own work between its statements: the audit entry, the response),
insert the audit entry, commit. The same script runs against the schema of migration 0005
(per-expert versions) and 0004 (the single `calendar_state` counter of 0003, today's before #9),
alternated on one database by migrating down and up again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.seed import DB_PREFIX, created_database, make_app, seed

CLIENTS = 32
SCRIPT = r"""
\set k random(0, :experts - 1)
\set c random(0, :clients - 1)
\set slot random(1, 8000000)
BEGIN;
SELECT id AS expert FROM users WHERE role = 'expert' ORDER BY id OFFSET :k LIMIT 1 \gset
SELECT id AS client FROM users WHERE role = 'client' ORDER BY id OFFSET :c LIMIT 1 \gset
SELECT id FROM users WHERE id IN (:expert, :client) ORDER BY id FOR UPDATE;
WITH booked AS (
  INSERT INTO consultations (uid, expert_id, branch_id, domain_id, client_id, start_dt, end_dt,
    buffer_min, status, topic, notes, cancel_reason, sequence, created_at_dt, updated_at_dt)
  VALUES (md5(random()::text), :expert, :branch, :domain, :client,
    timestamptz '2100-01-01 00:00+00' + :slot * interval '1 hour',
    timestamptz '2100-01-01 00:00+00' + :slot * interval '1 hour' + interval '50 minutes',
    0, 'booked', '', '', '', 0, now(), now())
  ON CONFLICT DO NOTHING RETURNING id)
INSERT INTO consultation_attendees (consultation_id, user_id) SELECT id, :client FROM booked;
\sleep :work ms
INSERT INTO audit_events (at_dt, actor_id, action, target_type, target_id, details, ip)
  VALUES (now(), :client, 'consultation.book', 'consultation', NULL, '{}', '127.0.0.1');
COMMIT;
"""


def pgbench() -> str:
    found = shutil.which("pgbench") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))), None
    )
    if found is None:
        raise SystemExit("pgbench is needed: it comes with PostgreSQL's server package")
    return found


def run_pgbench(database_url: str, variables: dict[str, int], seconds: int) -> dict[str, Any]:
    url = make_url(database_url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(SCRIPT)
        script.flush()
        command = [
            pgbench(), "-n", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds),
            "-f", script.name, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
            "-U", url.username or "postgres",
            *(f"-D{k}={v}" for k, v in variables.items()), url.database or "",
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{out.stderr[-2000:]}")
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    return {
        "tps": tps,
        "latency_ms": float(latency.group(1)) if latency else 0.0,
        "failed": int(failed.group(1)) if failed else 0,
    }


def lock_waits(database_url: str) -> int:
    """Backends waiting for a lock right now (sampled by the caller while pgbench runs)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
    finally:
        engine.dispose()


def measure(seconds: int, works_ms: tuple[int, ...] = (0, 2), rounds: int = 2) -> dict[str, Any]:
    """tps of the booking write, per `work` and schema, alternated `rounds` times."""
    from flask_migrate import downgrade, upgrade

    with created_database(f"{DB_PREFIX}writes_{os.getpid()}") as url:
        app = make_app(url)
        seed(app)
        with app.app_context():
            from incubator.extensions import db

            ids = db.session.execute(
                text("SELECT min(id) FROM branches UNION ALL SELECT min(id) FROM domains")
            ).scalars().all()  # fmt: skip
            experts = db.session.execute(
                text("SELECT count(*) FROM users WHERE role = 'expert'")
            ).scalar_one()
            clients = db.session.execute(
                text("SELECT count(*) FROM users WHERE role = 'client'")
            ).scalar_one()
            db.session.remove()
            db.engine.dispose()
        results: dict[str, dict[int, list[dict[str, Any]]]] = {"0005": {}, "0004": {}}
        for _ in range(rounds):
            for revision in ("0005", "0004"):
                with app.app_context():
                    (upgrade if revision == "0005" else downgrade)(revision=revision)
                    from incubator.extensions import db

                    db.engine.dispose()
                for work in works_ms:
                    variables = {
                        "experts": experts, "clients": min(clients, 2000),
                        "branch": ids[0], "domain": ids[1], "work": work,
                    }  # fmt: skip
                    results[revision].setdefault(work, []).append(
                        run_pgbench(url, variables, seconds)
                    )
        with app.app_context():
            upgrade(revision="0005")
            from incubator.extensions import db
            from incubator.services import slot_cache

            slot_cache.forget(db.engine)  # its listener would see the database dropped
    return {"experts": experts, "results": results, "seconds": seconds}


def report(measured: dict[str, Any]) -> None:
    print(
        f"\n7. booking writes inside PostgreSQL: pgbench, {CLIENTS} connections, "
        f"{measured['seconds']} s per run, random experts of {measured['experts']}"
    )
    print("   (lock expert + client, insert consultation + attendee, app work, audit, commit)")
    results = measured["results"]
    for work in sorted(results["0005"]):
        after = [r["tps"] for r in results["0005"][work]]
        before = [r["tps"] for r in results["0004"][work]]
        failed = sum(r["failed"] for rev in results.values() for r in rev[work])
        ratio = _median(after) / _median(before) if _median(before) else 0.0
        print(
            f"   app work {work} ms inside the transaction: "
            f"per-expert versions (0005) {', '.join(f'{t:.0f}' for t in after)} tx/s; "
            f"one counter (0004) {', '.join(f'{t:.0f}' for t in before)} tx/s; "
            f"ratio of medians {ratio:.2f}x; failed transactions {failed}"
        )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2] if ordered else 0.0
