"""Read queries for the founding-group pages (issue #12): the list a user may see, one group
with the right to see it checked, its consultations, the registry of founded entities, and the
people the forms offer. Views make no queries; the writes are in `groups` and `group_stages`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.errors import NotFound
from ..domain.founding import GroupStage
from ..domain.group_moves import days_in_stages
from ..models import Consultation, FoundingGroup, Role, User
from ..models.founding_group import HistoryKind
from .group_stages import load_group
from .groups import group_ids_for


@dataclass(frozen=True)
class GroupFilter:
    """The list's filters, as the URL gives them (empty: no filter)."""

    stage: str = ""
    legal_form: str = ""
    branch_id: int | None = None
    guardian_id: int | None = None


def list_groups(session: Session, user: User, wanted: GroupFilter) -> list[FoundingGroup]:
    """The groups ``user`` may see, filtered, by name."""
    query = select(FoundingGroup).options(
        selectinload(FoundingGroup.stage_history),
        selectinload(FoundingGroup.branch),
        selectinload(FoundingGroup.guardian),
    )
    visible = group_ids_for(session, user)
    if visible is not None:
        query = query.where(FoundingGroup.id.in_(visible))
    if wanted.stage:
        query = query.where(FoundingGroup.stage == wanted.stage)
    if wanted.legal_form:
        query = query.where(FoundingGroup.legal_form == wanted.legal_form)
    if wanted.branch_id is not None:
        query = query.where(FoundingGroup.branch_id == wanted.branch_id)
    if wanted.guardian_id is not None:
        query = query.where(FoundingGroup.guardian_id == wanted.guardian_id)
    return list(session.scalars(query.order_by(FoundingGroup.name, FoundingGroup.id)))


def visible_group(session: Session, user: User, group_id: int) -> FoundingGroup:
    """The group, or NotFound when it does not exist or ``user`` may not see it (the two look
    the same, so ids cannot be probed)."""
    visible = group_ids_for(session, user)
    if visible is not None and group_id not in visible:
        raise NotFound(what="group")
    return load_group(session, group_id)


def consultations_of(session: Session, group: FoundingGroup) -> list[Consultation]:
    """The group's own consultations and every consultation of its members with an account."""
    member_ids = [m.user_id for m in group.members if m.user_id is not None]
    condition = Consultation.founding_group_id == group.id
    if member_ids:
        condition = or_(condition, Consultation.client_id.in_(member_ids))
    query = (
        select(Consultation)
        .where(condition)
        .options(selectinload(Consultation.expert), selectinload(Consultation.client))
        .order_by(Consultation.start_dt.desc())
    )
    return list(session.scalars(query))


def registry(session: Session) -> list[FoundingGroup]:
    """The founded entities: registered groups, with their register numbers."""
    query = (
        select(FoundingGroup)
        .where(FoundingGroup.stage == GroupStage.REGISTERED)
        .options(selectinload(FoundingGroup.stage_history), selectinload(FoundingGroup.branch))
        .order_by(FoundingGroup.name)
    )
    return list(session.scalars(query))


def guardians(session: Session) -> list[User]:
    """Who may guard a group: active experts and managers."""
    query = select(User).where(User.role.in_((Role.EXPERT, Role.MANAGER)))
    return [u for u in session.scalars(query.order_by(User.full_name)) if u.is_active]


def clients(session: Session) -> list[User]:
    """The client accounts a member may be chosen from."""
    query = select(User).where(User.role == Role.CLIENT).order_by(User.full_name)
    return list(session.scalars(query))


def stage_days(group: FoundingGroup, today: date) -> list[tuple[GroupStage, int]]:
    """Days spent in each stage of the group's history (the current one until ``today``)."""
    steps = [
        (GroupStage(h.to_value), h.on_date)
        for h in group.stage_history
        if h.kind == HistoryKind.STAGE
    ]
    return days_in_stages(steps, today)


def days_in_current_stage(group: FoundingGroup, today: date) -> int:
    days = stage_days(group, today)
    return days[-1][1] if days else 0
