"""What a report covers: a period (or a funded project), an office, an area, an expert.

`resolve_scope` turns the filters a manager chose (on the page, in the API or on the command
line) into a checked `ReportScope`, refusing unknown ids and impossible periods with the
domain's errors, so every way in gives the same answer to the same bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.booking_rules import UnknownDomain
from ..domain.bounds import MAX_ID
from ..domain.counting import OutsideProject, UnknownProject, check_period
from ..domain.errors import UnknownBranch, UnknownExpert
from ..models import Area, Branch, Project, Role, User


@dataclass(frozen=True)
class ReportScope:
    first_day: date
    last_day: date
    project_id: int | None = None
    programme: str | None = None
    # None: every office; else the office and (unless excluded) its filie.
    branch_ids: tuple[int, ...] | None = None
    area_id: int | None = None
    expert_id: int | None = None
    # What was asked, for titles and links.
    project: Project | None = None
    branch: Branch | None = None
    area: Area | None = None
    expert: User | None = None
    include_filia: bool = True


def _period(
    first_day: date | None, last_day: date | None, project: Project | None, today: date
) -> tuple[date, date]:
    """The asked period, the project's by default, clipped to the project's; else this month."""
    if project is not None:
        first = max(first_day or project.start_date, project.start_date)
        last = min(last_day or project.end_date, project.end_date)
        if first_day is not None and last_day is not None:
            check_period(first_day, last_day)
        if first > last:
            raise OutsideProject(field="from", project=project.name)
        return first, last
    first = first_day or (last_day or today).replace(day=1)
    last = last_day or max(today, first)
    check_period(first, last)
    return first, last


def _branches(
    session: Session, branch_id: int | None, include_filia: bool, project: Project | None
) -> tuple[Branch | None, tuple[int, ...] | None]:
    branch = None
    ids: set[int] | None = None
    if branch_id is not None:
        branch = session.get(Branch, branch_id) if 0 < branch_id <= MAX_ID else None
        if branch is None:
            raise UnknownBranch(field="branch")
        ids = {branch.id}
        if include_filia:
            ids |= set(session.scalars(select(Branch.id).where(Branch.parent_id == branch.id)))
    if project is not None:
        covered = {b.id for b in project.branches}
        ids = covered if ids is None else ids & covered
        if not ids:
            raise OutsideProject(field="branch", project=project.name)
    return branch, None if ids is None else tuple(sorted(ids))


def resolve_scope(
    session: Session,
    *,
    today: date,
    first_day: date | None = None,
    last_day: date | None = None,
    project_id: int | None = None,
    branch_id: int | None = None,
    include_filia: bool = True,
    area_code: str | None = None,
    expert_id: int | None = None,
) -> ReportScope:
    """Check the filters and fill the defaults (the project's period, else this month)."""
    project = None
    if project_id is not None:
        project = session.get(Project, project_id) if 0 < project_id <= MAX_ID else None
        if project is None:
            raise UnknownProject(id=project_id)
    first, last = _period(first_day, last_day, project, today)
    branch, branch_ids = _branches(session, branch_id, include_filia, project)
    area = None
    if area_code:
        area = session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            raise UnknownDomain(field="area")
    expert = None
    if expert_id is not None:
        expert = session.get(User, expert_id) if 0 < expert_id <= MAX_ID else None
        if expert is None or expert.role != Role.EXPERT:
            raise UnknownExpert(field="expert")
    return ReportScope(
        first_day=first,
        last_day=last,
        project_id=project.id if project else None,
        programme=project.programme if project else None,
        branch_ids=branch_ids,
        area_id=area.id if area else None,
        expert_id=expert.id if expert else None,
        project=project,
        branch=branch,
        area=area,
        expert=expert,
        include_filia=include_filia,
    )
