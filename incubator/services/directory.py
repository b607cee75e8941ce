"""Read-only look-ups of reference data: branches (with filie), domains, experts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Branch, Domain


def branch_tree(session: Session) -> list[Branch]:
    """Top-level active branches, each with its active filie in `children`, by name."""
    stmt = (
        select(Branch)
        .where(Branch.parent_id.is_(None), Branch.active.is_(True))
        .options(selectinload(Branch.children))
        .order_by(Branch.name)
    )
    return list(session.scalars(stmt))


def domains(session: Session) -> list[Domain]:
    return list(session.scalars(select(Domain).order_by(Domain.position, Domain.code)))
