"""People served and the figures around them, counted by the database (issue #11).

Two statements make a summary, whatever the number of consultations:

1. **People** (`_people_figures`): one pass over the scope's attendance rows groups them by
   person — the first support in scope, absences, and for each area and office whether the
   person was served there — into a materialised CTE; a second CTE adds each person's
   participant data (a project's entry data first), age at first support and whether they had
   been served before the period (new or returning); one UNION ALL of small GROUP BYs over it
   gives every breakdown (the totals in one of them, by flags).
2. **Consultations** (`_consultation_rows`): one GROUP BY over the consultations in scope, by
   office, area, month and status: held, did not come, cancellations in time and late, minutes.

Nothing is loaded row by row into Python; `incubator.domain.counting` turns the grouped counts
into the funder's categories by the dated scheme. `bench/reports.py` measures a summary against a
bare COUNT(DISTINCT) on 1M consultations (docs/performance.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from ..config import resource_dir
from ..domain.calendar import local_day_bounds, local_midnight
from ..domain.counting import Share, Summary, breakdowns, month_starts
from ..domain.schemes import ANSWER_FIELDS, Scheme, choose_scheme, parse_schemes
from ..models import (
    Area,
    Branch,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    ProjectParticipant,
)
from .report_scope import ReportScope

C = Consultation.__table__
A = ConsultationAttendee.__table__
P = ClientProfile.__table__
E = ProjectParticipant.__table__
HELD = ConsultationStatus.ATTENDED.value


SCHEMES_FILE = "breakdown_schemes.json"


@lru_cache(maxsize=4)
def load_schemes(path: Path | None = None) -> tuple[Scheme, ...]:
    """The breakdown schemes (default: ``seed_data/breakdown_schemes.json``), read once."""
    path = path or resource_dir("seed_data") / SCHEMES_FILE
    return parse_schemes(json.loads(Path(path).read_text(encoding="utf-8")))


def _in_scope(scope: ReportScope) -> ColumnElement[bool]:
    lo, hi = local_day_bounds(scope.first_day, scope.last_day)
    conditions = [C.c.start_dt >= lo, C.c.start_dt < hi]
    if scope.branch_ids is not None:
        conditions.append(C.c.branch_id.in_(scope.branch_ids))
    if scope.area_id is not None:
        conditions.append(C.c.domain_id == scope.area_id)
    if scope.expert_id is not None:
        conditions.append(C.c.expert_id == scope.expert_id)
    return and_(*conditions)


def _served_cte(scope: ReportScope, area_ids: list[int], branch_ids: list[int]):
    """Per person with recorded attendance in scope: first support in scope (None when they
    never came), absences, and whether they were served in each area and office.

    Only the scope's rows are read (the start_dt index narrows a period); whether a person had
    been served before is asked per person served (`_returning`), not by reading all history.
    """
    came = and_(A.c.attended.is_(True), C.c.status == HELD)
    columns = [
        A.c.user_id.label("user_id"),
        func.min(case((came, C.c.start_dt))).label("first_dt"),
        func.sum(case((A.c.attended.is_(False), 1), else_=0)).label("absent"),
    ]
    for area_id in area_ids:
        hit = and_(came, C.c.domain_id == area_id)
        columns.append(func.max(case((hit, 1), else_=0)).label(f"area_{area_id}"))
    for branch_id in branch_ids:
        hit = and_(came, C.c.branch_id == branch_id)
        columns.append(func.max(case((hit, 1), else_=0)).label(f"branch_{branch_id}"))
    query = (
        select(*columns)
        .select_from(A.join(C, C.c.id == A.c.consultation_id))
        .where(A.c.attended.is_not(None), _in_scope(scope))
        .group_by(A.c.user_id)
    )
    return query.cte("served").prefix_with("MATERIALIZED")


def _returning(served, lo) -> ColumnElement[bool]:
    """Whether the person was served (anywhere) before the period: returning, not new.

    Asked only when some consultation starts before the period (one index lookup): a report
    from the first day of the records, e.g. "everything so far", then skips a lookup per person.
    """
    a, c = A.alias("earlier_a"), C.alias("earlier_c")
    anything_before = select(func.min(C.c.start_dt)).scalar_subquery() < lo
    earlier = (
        select(literal(1))
        .select_from(a.join(c, c.c.id == a.c.consultation_id))
        .where(
            a.c.user_id == served.c.user_id,
            a.c.attended.is_(True),
            c.c.status == HELD,
            c.c.start_dt < lo,
        )
    )
    return and_(anything_before, earlier.exists())


def _age(served, project_id: int | None) -> ColumnElement:
    """Age in whole years at the first support in scope (`domain.counting.age_on` in SQL)."""
    first = served.c.first_dt
    birth_year = func.coalesce(extract("year", P.c.birth_date), P.c.birth_year)
    before_birthday = case(
        (
            and_(
                P.c.birth_date.is_not(None),
                extract("month", first) * 100 + extract("day", first)
                < extract("month", P.c.birth_date) * 100 + extract("day", P.c.birth_date),
            ),
            1,
        ),
        else_=0,
    )
    age = cast(extract("year", first) - birth_year - before_birthday, String(8))
    if project_id is not None:
        return func.coalesce(cast(E.c.age_at_entry, String(8)), age)
    return age


def _people_cte(scope: ReportScope, served):
    """Each person served in scope with the answers the breakdowns need."""
    lo, _ = local_day_bounds(scope.first_day, scope.last_day)
    source = served.join(P, P.c.user_id == served.c.user_id, isouter=True)
    entry = {name: P.c[name] for name in ("labour_status", "education", "residence")}
    if scope.project_id is not None:
        source = source.join(
            E,
            and_(E.c.user_id == served.c.user_id, E.c.project_id == scope.project_id),
            isouter=True,
        )
        entry = {name: func.coalesce(E.c[name], P.c[name]) for name in entry}
    age = _age(served, scope.project_id)
    incomplete = or_(
        P.c.gender.is_(None),
        P.c.gender == "refused",
        age.is_(None),
        entry["labour_status"].is_(None),
        entry["education"].is_(None),
    )
    columns = [
        served,
        P.c.gender.label("gender"),
        age.label("age"),
        *(value.label(name) for name, value in entry.items()),
        *(P.c[name].label(name) for name in ANSWER_FIELDS),
        case((_returning(served, lo), 1), else_=0).label("is_returning"),
        case((incomplete, 1), else_=0).label("is_incomplete"),
    ]
    query = select(*columns).select_from(source).where(served.c.first_dt.is_not(None))
    return query.cte("people").prefix_with("MATERIALIZED")


def _flag_names(area_ids: list[int], branch_ids: list[int]) -> list[str]:
    """The 0/1 columns of `people` counted together by `_totals_parts`, in order."""
    return [
        "is_returning",
        "is_incomplete",
        *(f"area_{i}" for i in area_ids),
        *(f"branch_{i}" for i in branch_ids),
    ]


def _totals_parts(served, people, area_ids: list[int], branch_ids: list[int]) -> list:
    """Absences (one row), and people by their flags: returning, incomplete, served in each
    area and office, as one GROUP BY over a string of 0/1 digits (a few hundred groups at
    most in practice). `_split_flags` turns it into the totals: one pass over the people for
    all of them, not one per total."""
    absences = select(
        literal("absences").label("dim"),
        null().label("value"),
        func.coalesce(func.sum(served.c.absent), 0).label("n"),
    ).select_from(served)
    digits = [cast(people.c[name], String(1)) for name in _flag_names(area_ids, branch_ids)]
    flags = digits[0]
    for digit in digits[1:]:
        flags = flags.concat(digit)
    by_flags = select(literal("flags"), flags, func.count()).select_from(people).group_by(flags)
    return [absences, by_flags]


def _split_flags(
    figures: dict[str, dict[str | None, int]], area_ids: list[int], branch_ids: list[int]
) -> None:
    """people, returning, incomplete, area:<id> and branch:<id> totals from the flag groups
    (a person served in two areas counts once in each)."""
    names = ["returning", "incomplete", *(f"area:{i}" for i in area_ids)]
    names += [f"branch:{i}" for i in branch_ids]
    totals = dict.fromkeys(["people", *names], 0)
    for flags, n in figures.pop("flags", {}).items():
        totals["people"] += n
        for name, digit in zip(names, flags or "", strict=True):
            if digit == "1":
                totals[name] += n
    for name, n in totals.items():
        figures[name][None] = n


def _people_figures(
    session: Session,
    scope: ReportScope,
    area_ids: list[int],
    branch_ids: list[int],
    months: list[date],
) -> dict[str, dict[str | None, int]]:
    served = _served_cte(scope, area_ids, branch_ids)
    people = _people_cte(scope, served)
    parts = _totals_parts(served, people, area_ids, branch_ids)
    first_month = _month_index(people.c.first_dt, months)
    parts.append(
        select(literal("month"), cast(first_month, String(8)), func.count())
        .select_from(people)
        .group_by(first_month)
    )
    parts += dimension_parts(people)
    figures: dict[str, dict[str | None, int]] = defaultdict(dict)
    for dim, value, n in session.execute(union_all(*parts)):
        figures[dim][value] = int(n or 0)
    _split_flags(figures, area_ids, branch_ids)
    return figures


DIMENSIONS = ("gender", "age", "labour_status", "education", "residence", *ANSWER_FIELDS)


def dimension_parts(people) -> list:
    """One small GROUP BY per breakdown question over a `_people_cte`: (question, stored
    value, people), for `domain.counting.breakdowns`."""
    parts = []
    for name in DIMENSIONS:
        column = people.c[name]
        parts.append(
            select(literal(name), cast(column, String(40)), func.count())
            .select_from(people)
            .group_by(column)
        )
    return parts


def _month_index(column: ColumnElement, months: list[date]) -> ColumnElement:
    """Which of ``months`` (first days, Warsaw) the instant in ``column`` falls in, as 0, 1, ...

    A balanced tree of CASEs: about log2(months) comparisons per row instead of one per month
    (a ten-year report has 131 months and the consultations query runs this on every row).
    """
    bounds = [local_midnight(m) for m in months[1:]]

    def index(lo: int, hi: int) -> ColumnElement:  # the answer lies in lo..hi
        if lo == hi:
            return literal(lo)
        mid = (lo + hi) // 2  # bounds[mid] is where month mid + 1 starts
        return case((column < bounds[mid], index(lo, mid)), else_=index(mid + 1, hi))

    return index(0, len(bounds))


def _minus(column: ColumnElement, delta: timedelta, dialect: str) -> ColumnElement:
    """``column - delta`` for a UTC timestamp column on either engine."""
    if dialect == "sqlite":
        return func.datetime(column, f"-{int(delta.total_seconds())} seconds")
    return column - literal_column(f"interval '{int(delta.total_seconds())} seconds'")


def _consultation_rows(
    session: Session, scope: ReportScope, months: list[date], cancel_notice: timedelta
) -> list[Any]:
    """Consultations in scope by office, area, month index and status."""
    month = _month_index(C.c.start_dt, months)
    dialect = session.get_bind().dialect.name
    late = and_(
        C.c.status == ConsultationStatus.CANCELLED.value,
        C.c.cancelled_at_dt > _minus(C.c.start_dt, cancel_notice, dialect),
    )
    query = (
        select(
            C.c.branch_id,
            C.c.domain_id,
            month.label("month"),
            C.c.status,
            func.count().label("n"),
            func.coalesce(func.sum(C.c.duration_min), 0).label("minutes"),
            func.sum(case((late, 1), else_=0)).label("late"),
        )
        .where(_in_scope(scope))
        .group_by(C.c.branch_id, C.c.domain_id, month, C.c.status)
    )
    return list(session.execute(query))


@dataclass
class _Tally:
    held: int = 0
    minutes: int = 0

    def add(self, held: int, minutes: int) -> None:
        self.held += held
        self.minutes += minutes


def summary(
    session: Session,
    scope: ReportScope,
    *,
    schemes: tuple[Scheme, ...],
    cancel_notice: timedelta,
) -> Summary:
    """Every figure of the report for ``scope``: people served and their breakdowns, consultations
    held, did not come, cancellations, advisory time by area, office and month."""
    areas = list(session.scalars(select(Area).order_by(Area.position, Area.id)))
    branches = [b for b in session.scalars(select(Branch).order_by(Branch.name, Branch.id))]
    if scope.branch_ids is not None:
        branches = [b for b in branches if b.id in scope.branch_ids]
    if scope.area_id is not None:
        areas = [a for a in areas if a.id == scope.area_id]
    area_ids, branch_ids = [a.id for a in areas], [b.id for b in branches]
    months = month_starts(scope.first_day, scope.last_day)
    if session.get_bind().dialect.name == "postgresql":
        # These plans are wide enough to pass PostgreSQL's JIT thresholds, and compiling them
        # cost more than it saved: about a third of a summary of 1M consultations
        # (bench/reports.py). SET LOCAL ends with the transaction.
        session.execute(text("SET LOCAL jit = off"))
    people = _people_figures(session, scope, area_ids, branch_ids, months)
    rows = _consultation_rows(session, scope, months, cancel_notice)
    return _assemble(scope, schemes, people, rows, areas, branches, months)


def _assemble(scope, schemes, people, rows, areas, branches, months) -> Summary:
    by_area: dict[int, _Tally] = defaultdict(_Tally)
    by_branch: dict[int, _Tally] = defaultdict(_Tally)
    by_month: dict[int, _Tally] = defaultdict(_Tally)
    counts = {"held": 0, "no_show": 0, "in_time": 0, "late": 0, "minutes": 0}
    for branch_id, area_id, month, status, n, minutes, late in rows:
        if status == HELD:
            counts["held"] += n
            counts["minutes"] += minutes
            for tally, key in ((by_area, area_id), (by_branch, branch_id), (by_month, month)):
                tally[key].add(n, minutes)
        elif status == ConsultationStatus.NO_SHOW:
            counts["no_show"] += n
        elif status == ConsultationStatus.CANCELLED:
            counts["late"] += late or 0
            counts["in_time"] += n - (late or 0)
    scheme = choose_scheme(schemes, scope.first_day, scope.programme)
    by_age = {(None if v is None else int(v)): n for v, n in people.get("age", {}).items()}
    total = people["people"].get(None, 0)
    returning = people["returning"].get(None, 0)
    return Summary(
        first_day=scope.first_day,
        last_day=scope.last_day,
        scheme=scheme,
        people_served=total,
        new_people=total - returning,
        returning_people=returning,
        incomplete_records=people["incomplete"].get(None, 0),
        consultations_held=counts["held"],
        did_not_come=counts["no_show"],
        absences=people["absences"].get(None, 0),
        cancelled_in_time=counts["in_time"],
        cancelled_late=counts["late"],
        minutes=counts["minutes"],
        by_area=tuple(
            _share(a.code, a.name_pl, a.name_en, people, f"area:{a.id}", by_area[a.id])
            for a in areas
        ),
        by_branch=tuple(
            _share(str(b.id), b.name, b.name, people, f"branch:{b.id}", by_branch[b.id])
            for b in branches
        ),
        by_month=tuple(
            _month_share(m, people.get("month", {}).get(str(i), 0), by_month[i])
            for i, m in enumerate(months)
        ),
        breakdowns=breakdowns(scheme, people, by_age),
    )


def _share(key: str, name_pl: str, name_en: str, people, dim: str, tally: _Tally) -> Share:
    return Share(key, name_pl, name_en, people.get(dim, {}).get(None, 0), tally.held, tally.minutes)


def _month_share(month: date, new_people: int, tally: _Tally) -> Share:
    """A month's figures; its ``people`` are those first served in the report in that month
    (so the months add up to the people served)."""
    key = month.strftime("%Y-%m")
    return Share(key, key, key, new_people, tally.held, tally.minutes)
