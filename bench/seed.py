"""The benchmark database: created (or given), migrated and seeded the same way for every script.

20 experts, 3 offices, 4 areas, 300 clients with 10 000 consultations and 200 more clients
(`wyscig0..199@bench.example`) with none, who log in for the race and the storms. A database this
module creates is named ``wtbench_<pid>`` (``BENCH_DB_PREFIX`` changes the prefix) and dropped
afterwards.
"""

from __future__ import annotations

import os
import random
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from flask import Flask

from incubator.domain.calendar import WARSAW

HOST = "127.0.0.1"
PASSWORD = "benchmark-password-1"
EXPERTS = 20
CONSULTATIONS = 10_000
HISTORY_DAYS = 300  # consultations lie between today - 300 days and today + 45 days
FUTURE_DAYS = 45
RACE_CLIENTS = 200
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "wtbench_")


def psql_target() -> list[str]:
    return ["-h", HOST, "-p", os.environ.get("PGPORT", "5432"), "-U", "postgres"]


@contextmanager
def created_database(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database `name` on 127.0.0.1, dropped afterwards (also on failure)."""
    if not name.startswith(DB_PREFIX):
        raise ValueError(f"benchmark databases are named {DB_PREFIX}*")
    subprocess.run(["createdb", *psql_target(), name], check=True)
    try:
        yield f"postgresql+psycopg://postgres@{HOST}:{os.environ.get('PGPORT', '5432')}/{name}"
    finally:
        subprocess.run(["dropdb", *psql_target(), "--if-exists", "--force", name], check=False)


@contextmanager
def benchmark_database(url: str | None, keep: bool) -> Iterator[str]:
    """The database given by URL (it must be empty), or one created here."""
    if url:
        yield url
        return
    name = f"{DB_PREFIX}{os.getpid()}"
    if keep:
        subprocess.run(["createdb", *psql_target(), name], check=True)
        print(f"(keeping database {name})")
        yield f"postgresql+psycopg://postgres@{HOST}:{os.environ.get('PGPORT', '5432')}/{name}"
        return
    with created_database(name) as created:
        yield created


def make_app(database_url: str, *, rate_limits: bool = False) -> Flask:
    """The app in-process. Rate limits are off for seeding and log-ins (hundreds from one
    address are the load, not an attack); the step costs turn them on, as in production."""
    from incubator import create_app
    from incubator.config import Config

    class BenchConfig(Config):
        DATABASE_URL = database_url
        SECRET_KEY = "benchmark-only"
        RATELIMIT_ENABLED = rate_limits
        RATELIMIT_STORAGE_URI = "memory://"
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
