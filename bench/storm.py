"""The booking storm: 200 clients book 200 different slots of all 20 experts at once.

``gunicorn -w 2 --threads 16 'incubator:create_app()'`` on PostgreSQL (up to 32 requests in the
database at once). Each logged-in client POSTs one distinct free slot (more than 25 h ahead, past
the 24 h notice), spread round-robin over the experts; the 200 requests leave together (a
barrier). Printed: bookings per second (201s over the time from the first request sent to the
last answer), the 201/409/5xx counts, and the double bookings in the database afterwards.

Before and after in one run: the same storm against a baseline revision (default: the merge-base
`b6a36e9`, the code before issue #9), from a temporary ``git worktree add --detach`` of it,
served by its own code from a second database seeded by that revision's own bench seed. Both
worktree and database are removed afterwards, also on failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    SERVER_ENV,
    double_bookings,
    gunicorn,
    in_threads,
    log_in,
    python_bin,
    request,
)
from bench.seed import DB_PREFIX, created_database
from incubator.domain.calendar import WARSAW

DEFAULT_BASELINE = "b6a36e9"
STORM_DAYS = 14
TARGET = 2.0


def free_slots_everywhere(port: int, avoid: set[str]) -> dict[int, list[dict]]:
    """Free slots (> 25 h ahead) of every expert, from the API's own listings, by expert."""
    _, _, body = request(port, "GET", "/api/v1/domains")
    domains = [d["code"] for d in json.loads(body)]
    _, _, body = request(port, "GET", "/api/v1/branches")
    branches = [b["id"] for b in json.loads(body)]
    today = datetime.now(WARSAW).date()
    limit = datetime.now(UTC) + timedelta(hours=25)
    seen: set[tuple[int, str]] = set()
    by_expert: dict[int, list[dict]] = {}
    for domain in domains:
        for branch in branches:
            status, _, body = request(
                port,
                "GET",
                f"/api/v1/slots?domain={domain}&branch={branch}&from={today}"
                f"&to={today + timedelta(days=STORM_DAYS)}",
            )
            if status != 200:
                continue
            for slot in json.loads(body):
                key = (slot["expert_id"], slot["start"])
                start = datetime.fromisoformat(slot["start"])
                if key in seen or start <= limit or start.isoformat() in avoid:
                    continue
                seen.add(key)
                by_expert.setdefault(slot["expert_id"], []).append(
                    {k: slot[k] for k in ("expert_id", "branch_id", "start")} | {"domain": domain}
                )
    return by_expert


def spread(by_expert: dict[int, list[dict]], n: int) -> list[dict]:
    """n slots taken round-robin over the experts, so every expert gets about n / experts."""
    queues = {e: sorted(s, key=lambda x: x["start"]) for e, s in sorted(by_expert.items())}
    chosen: list[dict] = []
    while len(chosen) < n and any(queues.values()):
        for queue in queues.values():
            if queue and len(chosen) < n:
                chosen.append(queue.pop(0))
    return chosen


def storm(
    database_url: str,
    clients: list[str],
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    avoid: set[str] | None = None,
) -> dict[str, Any]:
    server_env = SERVER_ENV | {"DATABASE_URL": database_url} | (env or {})
    with gunicorn("incubator:create_app()", server_env, "--threads", "16", cwd=cwd) as port:
        sessions: list[dict[str, str]] = [{} for _ in clients]

        def one(i: int) -> None:
            sessions[i] = log_in(port, clients[i])

        in_threads(one, len(clients), width=8)
        by_expert = free_slots_everywhere(port, avoid or set())
        slots = spread(by_expert, len(clients))
        if len(slots) < len(clients):
            raise SystemExit(f"only {len(slots)} free slots for {len(clients)} clients")
        barrier = threading.Barrier(len(clients), timeout=60)
        statuses = [0] * len(clients)
        sent = [0.0] * len(clients)
        answered = [0.0] * len(clients)
        codes: Counter = Counter()

        def press(i: int) -> None:
            barrier.wait()
            sent[i] = time.perf_counter()
            status, _, body = request(port, "POST", "/api/v1/consultations", slots[i], sessions[i])
            answered[i] = time.perf_counter()
            statuses[i] = status
            if status >= 400:
                try:
                    codes[json.loads(body)["error"]["code"]] += 1
                except (ValueError, KeyError, TypeError):
                    codes["<not json>"] += 1

        in_threads(press, len(clients), width=len(clients))
    elapsed = max(answered) - min(sent)
    counted = Counter(statuses)
    return {
        "201": counted.get(201, 0),
        "409": counted.get(409, 0),
        "5xx": sum(n for s, n in counted.items() if s >= 500),
        "other": {s: n for s, n in counted.items() if s not in (201, 409) and s < 500},
        "codes": dict(codes),
        "experts": len({s["expert_id"] for s in slots}),
        "seconds": elapsed,
        "per_second": counted.get(201, 0) / elapsed,
        "double_bookings": double_bookings(database_url),
    }


# --- the baseline revision ------------------------------------------------------------------


@contextmanager
def baseline_checkout(ref: str) -> Iterator[tuple[Path, str]]:
    """A detached worktree of `ref` in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="wtbench-baseline-"))
    path = folder / "checkout"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), ref],
        check=True,
    )
    try:
        commit = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        yield path, commit
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False
        )
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


# Run in the baseline checkout: proves which code is imported, then seeds with that code.
_SEED_SCRIPT = """
import dataclasses, json, sys
from pathlib import Path
root = Path(sys.argv[1]).resolve()
import incubator
paths = {"incubator": incubator.__file__}
try:
    from bench.seed import make_app, seed
except ImportError:
    from bench.booking import make_app, seed
import bench
paths["bench"] = list(bench.__path__)[0]
for name, path in paths.items():
    if not Path(path).resolve().is_relative_to(root):
        sys.exit(f"{name} resolves to {path}, not to the baseline checkout {root}")
if len(sys.argv) > 2:
    world = seed(make_app(sys.argv[2]))
    print("WORLD " + json.dumps(dataclasses.asdict(world)))
print("PATHS " + json.dumps(paths))
"""


def baseline_env(checkout: Path) -> dict[str, str]:
    """Import that checkout's `incubator` (first on sys.path) rather than the editable install
    of this one (which the venv finds only after PYTHONPATH and the current folder)."""
    return {"PYTHONPATH": str(checkout)}


def seed_baseline(checkout: Path, database_url: str | None) -> dict[str, Any]:
    """Check the imports in the checkout (and seed `database_url` with its code, if given)."""
    out = subprocess.run(
        [str(python_bin() / "python"), "-c", _SEED_SCRIPT, str(checkout)]
        + ([database_url] if database_url else []),
        cwd=checkout, env={**os.environ, **baseline_env(checkout)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"seeding the baseline failed:\n{out.stderr[-3000:]}")
    found: dict[str, Any] = {}
    for line in out.stdout.splitlines():
        tag, _, rest = line.partition(" ")
        if tag in ("WORLD", "PATHS"):
            found[tag.lower()] = json.loads(rest)
    return found


def before_and_after(
    database_url: str, clients: list[str], ref: str, avoid: set[str], rounds: int = 2
) -> dict[str, Any]:
    """The storm on this checkout's database and on a fresh one served by revision `ref`,
    alternated `rounds` times (after, before, after, before, ...); the medians are compared.

    At most 2 rounds: each client books one slot per round, and may hold 3 at once (one may
    already hold the race's)."""
    afters: list[dict[str, Any]] = []
    befores: list[dict[str, Any]] = []
    with (
        baseline_checkout(ref) as (checkout, commit),
        created_database(f"{DB_PREFIX}base_{os.getpid()}") as base_url,
    ):
        seeded = seed_baseline(checkout, base_url)
        # gunicorn runs with the same cwd and PYTHONPATH; check that import path once more.
        gunicorn_paths = seed_baseline(checkout, None)["paths"]
        for _ in range(rounds):
            afters.append(storm(database_url, clients, avoid=avoid))
            befores.append(
                storm(
                    base_url,
                    seeded["world"]["race_clients"][: len(clients)],
                    cwd=checkout,
                    env=baseline_env(checkout),
                )
            )
    after = _median_round(afters)
    before = _median_round(befores)
    return {
        "after": after,
        "before": before,
        "rounds": {"after": [r["per_second"] for r in afters],
                   "before": [r["per_second"] for r in befores]},
        "ratio": after["per_second"] / before["per_second"] if before["per_second"] else 0.0,
        "ref": ref,
        "commit": commit,
        "paths": gunicorn_paths,
    }  # fmt: skip


def _median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median bookings per second, with every round's failures added up."""
    ordered = sorted(results, key=lambda r: r["per_second"])
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["5xx"] = sum(r["5xx"] for r in results)
    middle["double_bookings"] = max(r["double_bookings"] for r in results)
    return middle
