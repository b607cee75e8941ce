"""Reference data for every installation: branches (offices), consultation areas and the topic
categories of consultation outcomes.

:func:`load_reference_data` upserts them by ``code``: re-running it creates no duplicates and
applies edits made in the files (names, addresses, parents, positions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Area, Branch, TopicCategory
from ..services.transactions import write
from .files import (
    BRANCHES_FILE,
    DEFAULT_SEED_DIR,
    DOMAINS_FILE,
    TOPIC_CATEGORIES_FILE,
    AreaSpec,
    BranchSpec,
    SeedError,
    SeedFile,
    TopicCategorySpec,
    check_seed_dir,
)

_T = TypeVar("_T")


@dataclass
class ReferenceSummary:
    branches_created: int = 0
    branches_updated: int = 0
    branches_unchanged: int = 0
    domains_created: int = 0
    domains_updated: int = 0
    domains_unchanged: int = 0
    categories_created: int = 0
    categories_updated: int = 0
    categories_unchanged: int = 0


def read_branches(seed_dir: Path) -> tuple[SeedFile, list[BranchSpec]]:
    file = SeedFile(seed_dir, BRANCHES_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "branch"), start=1):
        where = f"branch #{n}"
        file.only(obj, where, ("code", "name", "address", "phone", "parent", "active"))
        code = file.code(obj, "code", where)
        where = f"branch {code!r}"
        parent = None if obj.get("parent") is None else file.code(obj, "parent", where)
        specs.append(
            BranchSpec(
                code=code,
                name=file.text(obj, "name", where, max_len=120),
                address=file.text(obj, "address", where, default="", max_len=200),
                phone=file.text(obj, "phone", where, default="", max_len=40),
                parent=parent,
                active=file.boolean(obj, "active", where, True),
            )
        )
    file.unique((s.code for s in specs), "branch code")
    return file, specs


def read_areas(seed_dir: Path) -> list[AreaSpec]:
    file = SeedFile(seed_dir, DOMAINS_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "domain"), start=1):
        where = f"domain #{n}"
        file.only(
            obj, where, ("code", "name_pl", "name_en", "position", "summary_pl", "summary_en")
        )
        code = file.code(obj, "code", where)
        where = f"domain {code!r}"
        specs.append(
            AreaSpec(
                code=code,
                name_pl=file.text(obj, "name_pl", where, max_len=120),
                name_en=file.text(obj, "name_en", where, max_len=120),
                position=file.integer(obj, "position", where, default=n, lo=0, hi=10_000),
                summary_pl=file.text(obj, "summary_pl", where, default="", max_len=200),
                summary_en=file.text(obj, "summary_en", where, default="", max_len=200),
            )
        )
    file.unique((s.code for s in specs), "domain code")
    return specs


def read_topic_categories(seed_dir: Path) -> list[TopicCategorySpec]:
    file = SeedFile(seed_dir, TOPIC_CATEGORIES_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "topic category"), start=1):
        where = f"topic category #{n}"
        file.only(obj, where, ("code", "name_pl", "name_en", "position", "active"))
        code = file.code(obj, "code", where)
        where = f"topic category {code!r}"
        specs.append(
            TopicCategorySpec(
                code=code,
                name_pl=file.text(obj, "name_pl", where, max_len=120),
                name_en=file.text(obj, "name_en", where, max_len=120),
                position=file.integer(obj, "position", where, default=n, lo=0, hi=10_000),
                active=file.boolean(obj, "active", where, True),
            )
        )
    file.unique((s.code for s in specs), "topic category code")
    return specs


def _check_parents(file: SeedFile, specs: list[BranchSpec], rows: dict[str, Branch]) -> None:
    """Every parent exists (in the file or the database) and no parent chain loops."""
    parents = {code: (b.parent.code if b.parent else None) for code, b in rows.items()}
    parents.update({s.code: s.parent for s in specs})
    for spec in specs:
        if spec.parent is not None and spec.parent not in parents:
            raise file.error(f"branch {spec.code!r}: unknown parent branch code {spec.parent!r}")
    for spec in specs:
        seen, code = {spec.code}, spec.parent
        while code is not None:
            if code in seen:
                raise file.error(f"branch {spec.code!r}: parent chain loops back")
            seen.add(code)
            code = parents.get(code)


def _upsert(row: Any, values: dict[str, Any], changed: bool = False) -> bool:
    """Set ``values`` on an existing row; True if anything (or ``changed``) differed."""
    changed = changed or any(getattr(row, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(row, key, value)
    return changed


def _upsert_branches(
    session: Session, specs: list[BranchSpec], rows: dict[str, Branch], summary: ReferenceSummary
) -> None:
    for spec in specs:
        row = rows.get(spec.code)
        values = {
            "name": spec.name,
            "address": spec.address,
            "phone": spec.phone,
            "active": spec.active,
        }
        if row is None:
            rows[spec.code] = Branch(code=spec.code, **values)
            session.add(rows[spec.code])
            summary.branches_created += 1
            continue
        old_parent = row.parent.code if row.parent else None
        if _upsert(row, values, changed=old_parent != spec.parent):
            summary.branches_updated += 1
        else:
            summary.branches_unchanged += 1
    for spec in specs:
        rows[spec.code].parent = rows[spec.parent] if spec.parent else None


def _upsert_areas(session: Session, specs: list[AreaSpec], summary: ReferenceSummary) -> None:
    rows = {d.code: d for d in session.scalars(select(Area))}
    for spec in specs:
        values = {
            "name_pl": spec.name_pl,
            "name_en": spec.name_en,
            "position": spec.position,
            "summary_pl": spec.summary_pl,
            "summary_en": spec.summary_en,
        }
        row = rows.get(spec.code)
        if row is None:
            session.add(Area(code=spec.code, **values))
            summary.domains_created += 1
        elif _upsert(row, values):
            summary.domains_updated += 1
        else:
            summary.domains_unchanged += 1


def _upsert_categories(
    session: Session, specs: list[TopicCategorySpec], summary: ReferenceSummary
) -> None:
    """By code; a category missing from the file is kept (consultations refer to it): set
    ``"active": false`` to retire one."""
    rows = {c.code: c for c in session.scalars(select(TopicCategory))}
    for spec in specs:
        values = {
            "name_pl": spec.name_pl,
            "name_en": spec.name_en,
            "position": spec.position,
            "active": spec.active,
        }
        row = rows.get(spec.code)
        if row is None:
            session.add(TopicCategory(code=spec.code, **values))
            summary.categories_created += 1
        elif _upsert(row, values):
            summary.categories_updated += 1
        else:
            summary.categories_unchanged += 1


def apply_reference(session: Session, seed_dir: Path) -> ReferenceSummary:
    """Validate the reference files, then upsert them (flush, no commit)."""
    branch_file, branch_specs = read_branches(seed_dir)
    area_specs = read_areas(seed_dir)
    category_specs = read_topic_categories(seed_dir)
    rows = {b.code: b for b in session.scalars(select(Branch))}
    _check_parents(branch_file, branch_specs, rows)
    summary = ReferenceSummary()
    _upsert_branches(session, branch_specs, rows, summary)
    _upsert_areas(session, area_specs, summary)
    _upsert_categories(session, category_specs, summary)
    session.flush()
    return summary


def all_or_nothing(session: Session, work: Callable[[], _T]) -> _T:
    """Run ``work`` as one write (`services.transactions.write`): a bad file leaves nothing.

    A database constraint the data breaks (e.g. a branch code already used differently) becomes
    a one-line :class:`SeedError`.
    """

    def refused(failure: BaseException) -> SeedError:
        detail = str(getattr(failure, "orig", None) or failure).strip().splitlines()
        return SeedError(
            f"the database refused the seed data: {detail[0] if detail else failure!r}"
        )

    with write(session, on_conflict=refused):
        result = work()
    return result


def load_reference_data(session: Session, seed_dir: Path = DEFAULT_SEED_DIR) -> ReferenceSummary:
    """Upsert branches, domains and topic categories from ``seed_dir`` by code, and commit.

    Idempotent: a second run finds every row by its code and changes nothing (or applies the
    edits made to the files). Raises :class:`SeedError`, with nothing written, on a bad file.
    """
    return all_or_nothing(session, lambda: apply_reference(session, check_seed_dir(seed_dir)))
