"""Read-only look-ups of reference data: branches (with filie), domains, experts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Area, Branch, Role, User
from ..models.user import expert_branches


def branch_tree(session: Session) -> list[Branch]:
    """Top-level active branches, each with its active filie in `children`, by name."""
    stmt = (
        select(Branch)
        .where(Branch.parent_id.is_(None), Branch.active.is_(True))
        .options(selectinload(Branch.children.and_(Branch.active.is_(True))))
        .order_by(Branch.name)
    )
    return list(session.scalars(stmt))


def domains(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.position, Area.code)))


def active_expert_counts(session: Session) -> dict[int, int]:
    """Number of active experts per branch id (branches with none are absent)."""
    stmt = (
        select(expert_branches.c.branch_id, func.count())
        .join(User, User.id == expert_branches.c.expert_id)
        .where(User.active.is_(True), User.role == Role.EXPERT)
        .group_by(expert_branches.c.branch_id)
    )
    return {branch_id: count for branch_id, count in session.execute(stmt)}
