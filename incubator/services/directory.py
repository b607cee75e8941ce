"""Read-only look-ups of reference data: offices (with filie), areas and the experts in them."""

from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from ..domain.booking_rules import UnknownDomain
from ..domain.errors import UnknownBranch, UnknownExpert
from ..models import Area, Branch, ExpertProfile, Role, User
from ..models.user import expert_branches, expert_domains


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


def resolve_area(session: Session, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise UnknownDomain(code=code)
    return area


def resolve_branch(session: Session, branch_id: int) -> Branch:
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.active:
        raise UnknownBranch(branch_id=branch_id)
    return branch


def get_branch(session: Session, branch_id: int | None) -> Branch | None:
    """The office with this id (active or not), or None."""
    return session.get(Branch, branch_id) if branch_id else None


def experts_for(
    session: Session, area: Area | None = None, branch: Branch | None = None
) -> list[User]:
    """Active experts, optionally only those offering `area` at `branch`, by name."""
    stmt = (
        select(User)
        .join(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(User.role == Role.EXPERT, User.active.is_(True))
        .options(
            selectinload(User.expert_profile).selectinload(ExpertProfile.domains),
            selectinload(User.expert_profile).selectinload(ExpertProfile.branches),
        )
        .order_by(User.full_name)
    )
    if area is not None:
        stmt = stmt.where(ExpertProfile.domains.any(Area.id == area.id))
    if branch is not None:
        stmt = stmt.where(ExpertProfile.branches.any(Branch.id == branch.id))
    return list(session.scalars(stmt))


def expert_ids_for(session: Session, area: Area, branch: Branch) -> list[int]:
    """Ids of the active experts offering `area` at `branch` (one query, no ORM objects)."""
    stmt = (
        select(User.id)
        .join(expert_domains, expert_domains.c.expert_id == User.id)
        .join(expert_branches, expert_branches.c.expert_id == User.id)
        .where(
            User.role == Role.EXPERT,
            User.active.is_(True),
            expert_domains.c.domain_id == area.id,
            expert_branches.c.branch_id == branch.id,
        )
    )
    return list(session.scalars(stmt))


def resolve_expert(session: Session, expert_id: int, area: Area, branch: Branch) -> User:
    """The active expert with this id who offers `area` at `branch`."""
    # One query: the account with its profile, if it offers the area at the office.
    stmt = (
        select(User)
        .join(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(
            User.id == expert_id,
            User.active.is_(True),
            exists().where(
                expert_domains.c.expert_id == User.id, expert_domains.c.domain_id == area.id
            ),
            exists().where(
                expert_branches.c.expert_id == User.id, expert_branches.c.branch_id == branch.id
            ),
        )
        .options(contains_eager(User.expert_profile))
    )
    expert = session.scalars(stmt).one_or_none()
    if expert is None:
        raise UnknownExpert(expert_id=expert_id, domain=area.code, branch_id=branch.id)
    return expert


def get_expert(session: Session, expert_id: int | None) -> User | None:
    """The expert with this id (any state), or None: for pages that name them."""
    user = session.get(User, expert_id) if expert_id else None
    return user if user is not None and user.is_expert else None
