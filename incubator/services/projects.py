"""Funded projects: managers list, create and change them; each change is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.projects import ProjectCodeTaken, ProjectSpec, check_project
from ..models import Branch, Project, User
from . import audit
from .transactions import write

FIELDS = (
    "code",
    "name",
    "programme",
    "contract_number",
    "start_date",
    "end_date",
    "retention_until",
)


def list_projects(session: Session) -> list[Project]:
    """Every project, the newest period first, with its offices."""
    query = (
        select(Project)
        .options(selectinload(Project.branches))
        .order_by(Project.start_date.desc(), Project.id.desc())
    )
    return list(session.scalars(query))


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(what="project")
    return project


def current_project(session: Session, day) -> Project | None:
    """The project whose period holds ``day`` (the one started last, if several)."""
    query = (
        select(Project)
        .where(Project.start_date <= day, Project.end_date >= day)
        .order_by(Project.start_date.desc(), Project.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def _check_code_free(session: Session, code: str, project_id: int | None) -> None:
    taken = session.scalar(
        select(func.count())
        .select_from(Project)
        .where(Project.code == code, Project.id != (project_id or 0))
    )
    if taken:
        raise ProjectCodeTaken(code_value=code)


def _apply(session: Session, project: Project, spec: ProjectSpec) -> list[str]:
    branches = list(session.scalars(select(Branch).where(Branch.id.in_(spec.branch_ids))))
    if len(branches) != len(set(spec.branch_ids)):
        raise InvalidInput(field="branches", reason="not_in_list")
    changed = [name for name in FIELDS if getattr(project, name) != getattr(spec, name)]
    for name in changed:
        setattr(project, name, getattr(spec, name))
    if {b.id for b in project.branches} != set(spec.branch_ids):
        project.branches = sorted(branches, key=lambda b: b.name)
        changed.append("branches")
    return changed


def save_project(
    session: Session,
    *,
    actor: User,
    spec: ProjectSpec,
    programmes: tuple[str, ...],
    now: datetime,
    project_id: int | None = None,
    ip: str = "",
) -> Project:
    """Create the project (``project_id`` None) or change it; managers only.

    Reports already given keep their figures only if the period and offices stay: the audit
    entry names what changed, so a later difference can be explained.
    """
    if not actor.is_manager:
        raise NotAllowed("only managers manage projects")
    check_project(spec, programmes)
    with write(session, on_conflict=lambda _: ProjectCodeTaken(code_value=spec.code)):
        _check_code_free(session, spec.code, project_id)
        if project_id is None:
            project = Project(created_at_dt=now)
        else:
            project = get_project(session, project_id)
        changed = _apply(session, project, spec)
        session.add(project)
        action = "project.created" if project_id is None else "project.updated"
        audit.record(
            session,
            actor=actor,
            action=action,
            target=project,
            details={"changed": changed},
            ip=ip,
            now=now,
        )
    return project
