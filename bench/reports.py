"""Reports benchmark (issue #11): prints figures and ratios (a script, not a test).

    .venv/bin/python bench/reports.py [--quick] [--engines postgresql,sqlite] [--runs N]
                                      [--rebuild] [--check]

On 1,000,000 consultations and 200,000 persons (``--quick``: 100,000 and 20,000), on PostgreSQL
and on SQLite (`bench/report_data.py` builds the data once and keeps it; ``--rebuild`` builds it
again), for three scopes — the whole ten years, one year (2024) and a funded project (2019-2022,
two offices):

* **baseline**: a bare ``COUNT(DISTINCT user_id)`` of the people served over the same rows (the
  attendance rows of held consultations in the period and offices);
* **summary**: `incubator.services.reports.summary`, every figure and breakdown of the report
  (target: at most 3 x the baseline measured in the same run);
* **pdf**: the summary and its PDF (target: at most 2 x the summary), when the PDF exporter is
  there (`incubator.exports.pdf.report`); otherwise "exporter not available".

Each figure is the best of ``--runs`` runs (default 3) after one warm-up run. The summary's
people served must equal the baseline's count (checked; a mismatch stops the script). The exit
status is 0 whatever the figures (a report), unless ``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.report_data import (  # noqa: E402
    FIRST_DAY,
    FULL,
    LAST_DAY,
    QUICK,
    BenchData,
    prepare,
)
from bench.seed import make_app  # noqa: E402

SUMMARY_TARGET = 3.0  # summary / baseline
PDF_TARGET = 2.0  # (summary + PDF) / summary
TODAY = date(2026, 12, 1)
CANCEL_NOTICE = timedelta(hours=24)

BASELINE = """
SELECT COUNT(DISTINCT a.user_id)
  FROM consultation_attendees a JOIN consultations c ON c.id = a.consultation_id
 WHERE a.attended AND c.status = 'attended' AND c.start_dt >= :lo AND c.start_dt < :hi
"""


@dataclass
class Result:
    engine: str
    scope: str
    rows: int
    people: int
    baseline_s: float
    summary_s: float
    pdf_s: float | None

    @property
    def summary_ratio(self) -> float:
        return self.summary_s / self.baseline_s

    @property
    def pdf_ratio(self) -> float | None:
        return None if self.pdf_s is None else self.pdf_s / self.summary_s


def best_of(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """One warm-up call, then the shortest of ``runs`` timed calls (and the last answer)."""
    answer = fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - started)
    return min(times), answer


def baseline_count(session, scope) -> int:
    """The bare count of distinct people served over the scope's rows (period and offices)."""
    from sqlalchemy import bindparam, text

    from incubator.domain.calendar import local_day_bounds
    from incubator.models.types import UTCDateTime

    lo, hi = local_day_bounds(scope.first_day, scope.last_day)
    sql = BASELINE
    params: dict[str, Any] = {"lo": lo, "hi": hi}
    binds = [bindparam("lo", type_=UTCDateTime()), bindparam("hi", type_=UTCDateTime())]
    if scope.branch_ids is not None:
        sql += " AND c.branch_id IN :branches"
        params["branches"] = list(scope.branch_ids)
        binds.append(bindparam("branches", expanding=True))
    return session.execute(text(sql).bindparams(*binds), params).scalar_one()


def pdf_maker(app) -> Callable[[Any, Any], bytes]:
    """summary -> PDF bytes as the reports page makes them (tables, wording, Polish)."""
    from flask_babel import force_locale

    from incubator.exports import report_data
    from incubator.exports.pdf.report import report_pdf
    from incubator.web.common.reports import labels, pdf_meta

    def make(scope, summary) -> bytes:
        with app.test_request_context(), force_locale("pl"):
            words = labels()
            meta = pdf_meta(scope, summary, words, "pl", "benchmark", "2026-12-01")
            return report_pdf(report_data.tables(summary, words, "pl"), meta)

    return make


def scopes(session) -> dict[str, Any]:
    from sqlalchemy import select

    from incubator.models import Project
    from incubator.services.report_scope import resolve_scope

    project_id = session.scalar(select(Project.id).where(Project.code == "BENCH-EFS-2019"))
    return {
        "all": resolve_scope(session, today=TODAY, first_day=FIRST_DAY, last_day=LAST_DAY),
        "2024": resolve_scope(
            session, today=TODAY, first_day=date(2024, 1, 1), last_day=date(2024, 12, 31)
        ),
        "project": resolve_scope(session, today=TODAY, project_id=project_id),
    }


def measure(data: BenchData, runs: int) -> list[Result]:
    from sqlalchemy import func, select

    from incubator.config import resource_dir
    from incubator.extensions import db
    from incubator.models import ConsultationAttendee
    from incubator.services.reports import load_schemes, summary

    schemes = load_schemes(resource_dir("seed_data") / "breakdown_schemes.json")
    app = make_app(data.url)
    results = []
    with app.app_context():
        session = db.session
        rows = session.scalar(select(func.count()).select_from(ConsultationAttendee))
        make_pdf = pdf_maker(app)
        for name, scope in scopes(session).items():

            def count(scope=scope):
                return summary(session, scope, schemes=schemes, cancel_notice=CANCEL_NOTICE)

            base_s, people = best_of(lambda scope=scope: baseline_count(session, scope), runs)
            summary_s, report = best_of(count, runs)
            if report.people_served != people:
                raise SystemExit(
                    f"BUG: {data.engine} {name}: summary counts {report.people_served} people "
                    f"served, the bare COUNT(DISTINCT) {people}"
                )
            pdf_s, body = best_of(lambda scope=scope: make_pdf(scope, count(scope)), runs)
            assert body[:5] == b"%PDF-", body[:20]
            session.rollback()
            results.append(Result(data.engine, name, rows, people, base_s, summary_s, pdf_s))
            print(f"  {data.engine} {name}: done", flush=True)
        session.remove()
        db.engine.dispose()
    return results


def verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "-"
    return "PASS" if ratio <= target else "MISS"


def print_table(results: list[Result], pdf_available: bool) -> bool:
    """The figures; True when every target was met."""
    head = (
        f"{'engine':<11}{'scope':<9}{'attendance rows':>16}{'people':>9}{'baseline s':>12}"
        f"{'summary s':>11}{'sum/base':>10}{'':>6}{'pdf s':>9}{'pdf/sum':>9}{'':>6}"
    )
    print(head)
    print("-" * len(head))
    ok = True
    for r in results:
        s_verdict = verdict(r.summary_ratio, SUMMARY_TARGET)
        p_verdict = verdict(r.pdf_ratio, PDF_TARGET)
        ok &= s_verdict != "MISS" and p_verdict != "MISS"
        pdf = "-" if r.pdf_s is None else f"{r.pdf_s:.3f}"
        ratio = "-" if r.pdf_ratio is None else f"{r.pdf_ratio:.2f}"
        print(
            f"{r.engine:<11}{r.scope:<9}{r.rows:>16,}{r.people:>9,}{r.baseline_s:>12.3f}"
            f"{r.summary_s:>11.3f}{r.summary_ratio:>10.2f}{s_verdict:>6}{pdf:>9}{ratio:>9}"
            f"{p_verdict:>6}"
        )
    print(f"targets: summary <= {SUMMARY_TARGET:g} x baseline, PDF <= {PDF_TARGET:g} x summary")
    if not pdf_available:
        print("PDF: exporter not available (incubator.exports.pdf.report not importable)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 consultations, 20,000 people")
    parser.add_argument("--engines", default="postgresql,sqlite")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (best kept)")
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    size = QUICK if args.quick else FULL
    results: list[Result] = []
    for engine in args.engines.split(","):
        started = time.perf_counter()
        data = prepare(engine, size, rebuild=args.rebuild)
        took = time.perf_counter() - started
        made = "kept from an earlier run" if data.cached else f"built in {took:.1f} s"
        recorded = "" if data.generated_s is None else f" (generation {data.generated_s:.1f} s)"
        print(
            f"{engine}: {size.consultations:,} consultations, {size.persons:,} persons, "
            f"{made}{recorded}",
            flush=True,
        )
        results += measure(data, args.runs)
    ok = print_table(results, pdf_available=all(r.pdf_s is not None for r in results))
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
