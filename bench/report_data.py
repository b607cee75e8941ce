"""The reports benchmark's data: a migrated database with many consultations, made fast, kept.

A database is migrated with the real migrations (`flask_migrate.upgrade`, as `bench/seed.py`
does) and gets the real reference data (`load_reference_data`: 3 offices, 4 areas), then bulk
rows made here with a fixed seed:

* 60 experts, each at a home office (1 in 10 of their consultations at another office) in two
  areas;
* ``persons`` clients with participant data (gender, birth date or only a year, labour status,
  education, residence, disability and the ESF+ answers; about 5 % lack one of the fields a
  complete record needs);
* ``consultations`` between 2016-01-01 and 2026-11-30 on distinct half-hour slots of each expert
  (08:00-16:00 Warsaw, weekdays), so the unique index and PostgreSQL's exclusion constraint
  hold: about 80 % held, 8 % nobody came, 10 % cancelled (some late), 2 % still booked. One in
  ten is a group consultation with 2-4 attendees; attendance is recorded per person. A person
  is active for about a year around a point of the ten years, so returning people exist;
* a funded project (ESF 2014-2020, 2019-2022, the Nowy Sącz office and its filia) with an entry
  row for each person first served in it, whose entry data differs from today's profile for some.

PostgreSQL gets the rows by COPY, SQLite by executemany in one transaction with
``synchronous=OFF``. The calendar-version triggers (migration 0005) are switched off during the
load and back on afterwards (the bench never reads the versions). ANALYZE at the end.

The result is kept between runs, keyed by size and `DATA_VERSION`: the PostgreSQL database
``wtbench_reports_<consultations>_<persons>_v<version>`` on 127.0.0.1 and the SQLite file in
``$BENCH_CACHE_DIR`` (default /tmp/inkubator-bench-reports). Either is built under a temporary
name and renamed when complete, so an interrupted build is never taken for a finished one.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.seed import HOST, make_app, psql_target
from incubator.domain.calendar import WARSAW

DATA_VERSION = 1  # raise when the generated data changes
EXPERTS = 60
FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2026, 11, 30)
SLOTS_PER_DAY = 16  # half-hour slots from 08:00 to 16:00, Warsaw time
SLOT = timedelta(minutes=30)
PROJECT_FIRST, PROJECT_LAST = date(2019, 1, 1), date(2022, 12, 31)
PROJECT_OFFICES = ("nowy-sacz", "piwniczna-zdroj")
PG_PREFIX = "wtbench_reports"
CACHE_DIR = Path(os.environ.get("BENCH_CACHE_DIR", "/tmp/inkubator-bench-reports"))
SEED = 11

GENDERS = (("female", 52), ("male", 46), ("non_binary", 0.5), ("refused", 1.5))
LABOUR = (
    ("registered_unemployed", 25),
    ("long_term_unemployed", 12),
    ("unregistered_unemployed", 8),
    ("inactive", 20),
    ("employed", 35),
)
EDUCATION = (("isced_0_2", 15), ("isced_3_4", 50), ("isced_5_8", 35))
RESIDENCE = (("rural", 45), ("urban", 53), (None, 2))
SENSITIVE = (("no", 82), ("yes", 8), ("refused", 4), (None, 6))  # None: not asked (old records)
RARE = (("no", 90), ("yes", 2), ("refused", 2), (None, 6))


@dataclass(frozen=True)
class Size:
    consultations: int
    persons: int


FULL = Size(1_000_000, 200_000)
QUICK = Size(100_000, 20_000)


@dataclass
class BenchData:
    engine: str  # "postgresql" or "sqlite"
    url: str
    size: Size
    generated_s: float | None  # None: the build's time was not recorded
    cached: bool
    project_code: str = "BENCH-EFS-2019"


# --- where the data lives -------------------------------------------------------------------


def _key(size: Size) -> str:
    return f"{size.consultations}_{size.persons}_v{DATA_VERSION}"


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@{HOST}:{os.environ.get('PGPORT', '5432')}/{name}"


def _pg_exists(name: str) -> bool:
    out = subprocess.run(
        [
            "psql",
            *psql_target(),
            "-d",
            "postgres",
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def _psql(sql: str) -> None:
    subprocess.run(["psql", *psql_target(), "-d", "postgres", "-qc", sql], check=True)


def _sidecar(engine: str, size: Size) -> Path:
    return CACHE_DIR / f"{engine}-{_key(size)}.json"


def prepare(engine: str, size: Size, *, rebuild: bool = False) -> BenchData:
    """The benchmark database for ``engine`` and ``size``: the kept one, else built now."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    sidecar = _sidecar(engine, size)
    if engine == "postgresql":
        name = f"{PG_PREFIX}_{_key(size)}"
        final, partial = _pg_url(name), _pg_url(f"{name}_partial")
        done = _pg_exists(name)
        if done and not rebuild:
            return _cached(engine, final, size, sidecar)
        _psql(f'DROP DATABASE IF EXISTS "{name}_partial" WITH (FORCE)')
        _psql(f'CREATE DATABASE "{name}_partial"')
    else:
        path = CACHE_DIR / f"reports-{_key(size)}.db"
        final, partial = f"sqlite:///{path}", f"sqlite:///{path}.partial"
        if path.exists() and not rebuild:
            return _cached(engine, final, size, sidecar)
        Path(f"{path}.partial").unlink(missing_ok=True)
    started = time.perf_counter()
    build(partial, size)
    seconds = time.perf_counter() - started
    if engine == "postgresql":
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _psql(f'ALTER DATABASE "{name}_partial" RENAME TO "{name}"')
    else:
        os.replace(f"{path}.partial", path)
    sidecar.write_text(json.dumps({"generated_s": seconds}))
    return BenchData(engine, final, size, seconds, cached=False)


def _cached(engine: str, url: str, size: Size, sidecar: Path) -> BenchData:
    seconds = json.loads(sidecar.read_text())["generated_s"] if sidecar.exists() else None
    return BenchData(engine, url, size, seconds, cached=True)


# --- the build ------------------------------------------------------------------------------


def build(url: str, size: Size) -> None:
    """Migrate, load the reference data, bulk-load the rows, ANALYZE."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from incubator.demo.reference import load_reference_data
    from incubator.extensions import db
    from incubator.models import Area, Branch

    app = make_app(url)
    with app.app_context():
        upgrade()
        load_reference_data(db.session)
        branches = {b.code: b.id for b in db.session.scalars(select(Branch))}
        areas = [a.id for a in db.session.scalars(select(Area).order_by(Area.position))]
        db.session.remove()
        db.engine.dispose()
    rows = Rows(size, branches, areas, postgres=url.startswith("postgresql"))
    if rows.postgres:
        _load_postgresql(url, rows)
    else:
        _load_sqlite(url.removeprefix("sqlite:///"), rows)


def _load_postgresql(url: str, rows: Rows) -> None:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as connection, connection.cursor() as cursor:
        for table in ("consultations", "consultation_attendees"):
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table, columns, source in rows.tables():
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in source:
                    copy.write_row(row)
        for table in ("consultations", "consultation_attendees"):
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table in ("users", "consultations", "projects"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _load_sqlite(path: str, rows: Rows) -> None:
    import sqlite3

    versions = importlib.import_module("incubator.migrations.versions.0005_calendar_versions")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA journal_mode=MEMORY")
        connection.execute("BEGIN")
        for table in ("consultations", "consultation_attendees"):
            for event in ("insert", "delete", "update"):
                connection.execute(f"DROP TRIGGER trg_{table}_calendar_{event}")
        for table, columns, source in rows.tables():
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", source
            )
        for table in ("consultations", "consultation_attendees"):
            for statement in versions.sqlite_trigger_statements(table):
                connection.execute(statement)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
    finally:
        connection.close()


# --- the rows -------------------------------------------------------------------------------


def _picker(rng: random.Random, options: tuple[tuple[Any, float], ...]):
    values = [v for v, _ in options]
    cum, total = [], 0.0
    for _, weight in options:
        total += weight
        cum.append(total)
    return lambda: rng.choices(values, cum_weights=cum)[0]


USER_COLUMNS = tuple(
    (
        "id email full_name phone password_hash role active preferred_language created_at_dt "
        "session_generation"
    ).split()
)
PROFILE_COLUMNS = tuple(
    (
        "user_id gender birth_year birth_date labour_status education disability residence "
        "third_country foreign_background minority homeless locality"
    ).split()
)
PROJECT_COLUMNS = tuple(
    ("id code name programme contract_number start_date end_date created_at_dt").split()
)
CONSULTATION_COLUMNS = tuple(
    (
        "id uid expert_id branch_id domain_id client_id start_dt end_dt buffer_min status "
        "topic notes cancel_reason sequence created_at_dt updated_at_dt duration_min "
        "outcome_at_dt cancelled_at_dt"
    ).split()
)
ENTRY_COLUMNS = tuple(
    ("project_id user_id entry_date age_at_entry labour_status education residence").split()
)


class Rows:
    """Every bulk row, made on the fly with one seeded generator (same data on both engines)."""

    def __init__(self, size: Size, branches: dict[str, int], areas: list[int], postgres: bool):
        self.size, self.branches, self.areas, self.postgres = size, branches, areas, postgres
        self.rng = random.Random(SEED)
        self.now = self._ts(datetime(2026, 12, 1, tzinfo=UTC))
        self.expert_ids = list(range(1, EXPERTS + 1))
        self.person_ids = list(range(EXPERTS + 1, EXPERTS + 1 + size.persons))
        offices = self.offices = sorted(branches.values())
        self.home = {e: offices[i % len(offices)] for i, e in enumerate(self.expert_ids)}
        n = len(areas)
        self.expert_areas = {
            e: (areas[i % n], areas[(i + 1) % n]) for i, e in enumerate(self.expert_ids)
        }
        self.profiles: dict[int, tuple] = {}
        self.project_people: dict[int, date] = {}  # person -> first day served in the project
        self.project_offices = {branches[c] for c in PROJECT_OFFICES if c in branches}
        self.project_id = 1

    def _ts(self, moment: datetime) -> str:
        """A UTC instant as each engine stores it (SQLAlchemy's SQLite format on SQLite)."""
        moment = moment.astimezone(UTC)
        if self.postgres:
            return moment.strftime("%Y-%m-%d %H:%M:%S+00")
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], Any]]:
        yield "users", USER_COLUMNS, self.users()
        yield (
            "expert_profiles",
            ("user_id", "title", "bio", "default_length_min"),
            ((e, "dr", "", 30) for e in self.expert_ids),
        )
        yield (
            "expert_domains",
            ("expert_id", "domain_id"),
            ((e, a) for e in self.expert_ids for a in self.expert_areas[e]),
        )
        yield (
            "expert_branches",
            ("expert_id", "branch_id"),
            ((e, b) for e in self.expert_ids for b in self.offices),
        )
        yield "client_profiles", PROFILE_COLUMNS, self.client_profiles()
        yield "projects", PROJECT_COLUMNS, [self.project()]
        yield (
            "project_branches",
            ("project_id", "branch_id"),
            ((self.project_id, b) for b in sorted(self.project_offices)),
        )
        attendees: list[tuple] = []
        yield "consultations", CONSULTATION_COLUMNS, self.consultations(attendees)
        yield "consultation_attendees", ("consultation_id", "user_id", "attended"), attendees
        yield "project_participants", ENTRY_COLUMNS, self.entries()

    def users(self) -> Iterator[tuple]:
        people = [(e, "expert", "ekspert") for e in self.expert_ids]
        people += [(p, "client", "osoba") for p in self.person_ids]
        for uid, role, word in people:
            email = f"{word}{uid}@bench.example"
            yield (uid, email, f"{word.title()} {uid}", "", None, role, True, "pl", self.now, 0)

    def client_profiles(self) -> Iterator[tuple]:
        rng = self.rng
        gender, labour, education = (
            _picker(rng, GENDERS),
            _picker(rng, LABOUR),
            _picker(rng, EDUCATION),
        )
        residence, sensitive, rare = (
            _picker(rng, RESIDENCE),
            _picker(rng, SENSITIVE),
            _picker(rng, RARE),
        )
        for p in self.person_ids:
            year = rng.randint(1950, 2009)
            born = (
                date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None
            )
            row = [p, gender(), year, born, labour(), education(), sensitive(), residence()]
            if rng.random() < 0.05:  # incomplete: one field a complete record needs is missing
                hole = rng.choice((1, 2, 4, 5))
                row[hole] = None
                if hole == 2:
                    row[3] = None
            self.profiles[p] = tuple(row)
            yield (*row, rare(), rare(), rare(), rare(), "")

    def project(self) -> tuple:
        names = ("BENCH-EFS-2019", "Inkubator (benchmark)", "efs_2014_2020", "POKL.BENCH")
        return (self.project_id, *names, PROJECT_FIRST, PROJECT_LAST, self.now)

    def _days(self) -> list[date]:
        days, day = [], FIRST_DAY
        while day <= LAST_DAY:
            if day.weekday() < 5:
                days.append(day)
            day += timedelta(days=1)
        return days

    def consultations(self, attendees: list[tuple]) -> Iterator[tuple]:
        """Consultations in time order on distinct (expert, slot); attendees appended to
        ``attendees`` as they are made."""
        rng, days, n = self.rng, self._days(), self.size.consultations
        per_day = SLOTS_PER_DAY * EXPERTS
        chosen = sorted(rng.sample(range(len(days) * per_day), n))
        starts = [
            datetime(d.year, d.month, d.day, 8, tzinfo=WARSAW).astimezone(UTC) + SLOT * s
            for d in days
            for s in range(SLOTS_PER_DAY)
        ]
        text = [self._ts(s) for s in starts]
        ends = [self._ts(s + SLOT) for s in starts]
        early = [self._ts(s - timedelta(days=3)) for s in starts]  # cancelled in time
        late = [self._ts(s - timedelta(hours=2)) for s in starts]  # cancelled late
        for cid, index in enumerate(chosen, start=1):
            slot, expert = divmod(index, EXPERTS)
            expert += 1
            people = self._attendees(slot / len(starts))
            row, came = self._consultation(cid, expert, people, slot, text, ends, early, late)
            attendees.extend((cid, p, c) for p, c in zip(people, came, strict=True))
            if any(came) and row[3] in self.project_offices:
                self._note_entry(starts[slot], row[3], people, came)
            yield row

    def _attendees(self, position: float) -> list[int]:
        """1 (or 2-4 for a group) people active around ``position`` (0..1) of the ten years."""
        rng, n = self.rng, self.size.persons
        count = 1 if rng.random() < 0.9 else rng.randint(2, 4)
        chosen: list[int] = []
        while len(chosen) < count:
            k = int(position * n + rng.gauss(0, 0.03 * n)) % n
            if self.person_ids[k] not in chosen:
                chosen.append(self.person_ids[k])
        return chosen

    def _consultation(self, cid, expert, people, slot, text, ends, early, late):
        """One consultation row and, per attendee, whether they came (None: not recorded)."""
        rng = self.rng
        r = rng.random()
        status = (
            "attended"
            if r < 0.80
            else "no_show"
            if r < 0.88
            else "cancelled"
            if r < 0.98
            else "booked"
        )
        office = self.home[expert] if rng.random() < 0.9 else rng.choice(self.offices)
        area = rng.choice(self.expert_areas[expert])
        held = status == "attended"
        if held:  # the first came; in a group each other one came with 85 % chance
            came = [True] + [rng.random() < 0.85 for _ in people[1:]]
        else:
            came = [False if status == "no_show" else None] * len(people)
        duration = rng.choice((20, 30, 30, 45, 60)) if held else None
        outcome = ends[slot] if status in ("attended", "no_show") else None
        cancelled = (
            (late[slot] if rng.random() < 0.3 else early[slot]) if status == "cancelled" else None
        )
        row = (
            cid,
            f"bench-{cid}",
            expert,
            office,
            area,
            people[0],
            text[slot],
            ends[slot],
            0,
            status,
            "",
            "",
            "",
            0,
            early[slot],
            ends[slot],
            duration,
            outcome,
            cancelled,
        )
        return row, came

    def _note_entry(self, start: datetime, office: int, people, came) -> None:
        day = start.astimezone(WARSAW).date()
        if not PROJECT_FIRST <= day <= PROJECT_LAST:
            return
        for person, was_there in zip(people, came, strict=True):
            if was_there and person not in self.project_people:
                self.project_people[person] = day

    def entries(self) -> Iterator[tuple]:
        rng, labour = self.rng, _picker(self.rng, LABOUR)
        for person, day in self.project_people.items():
            _, _, year, born, status, education, _, residence = self.profiles[person]
            age = (
                None
                if year is None
                else day.year
                - year
                - (1 if born is not None and (day.month, day.day) < (born.month, born.day) else 0)
            )
            if rng.random() < 0.3:  # their status at entry differed from today's
                status = labour()
            yield (self.project_id, person, day, age, status, education, residence)
