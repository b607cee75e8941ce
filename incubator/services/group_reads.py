"""Reading founding groups for the API (issue #12): the list a user may see, with filters, and
one group if the user may see it. Who sees what is `groups.group_ids_for`, in one place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.errors import NotFound
from ..models import FoundingGroup, FoundingGroupMember, FoundingGroupStage, User
from .group_stages import load_group
from .groups import group_ids_for


def list_groups(
    session: Session,
    user: User,
    *,
    stage: str | None = None,
    legal_form: str | None = None,
    branch_id: int | None = None,
) -> list[FoundingGroup]:
    """The groups ``user`` may see, by name, narrowed by the filters given."""
    query = select(FoundingGroup).options(
        selectinload(FoundingGroup.members).selectinload(FoundingGroupMember.user),
        selectinload(FoundingGroup.stage_history).selectinload(FoundingGroupStage.changed_by),
    )
    visible = group_ids_for(session, user)
    if visible is not None:
        query = query.where(FoundingGroup.id.in_(visible))
    if stage is not None:
        query = query.where(FoundingGroup.stage == stage)
    if legal_form is not None:
        query = query.where(FoundingGroup.legal_form == legal_form)
    if branch_id is not None:
        query = query.where(FoundingGroup.branch_id == branch_id)
    return list(session.scalars(query.order_by(FoundingGroup.name, FoundingGroup.id)))


def visible_group(session: Session, user: User, group_id: int) -> FoundingGroup:
    """The group, or `NotFound` when it does not exist or ``user`` may not see it (the same
    answer, so an id tells nothing)."""
    visible = group_ids_for(session, user)
    if visible is not None and group_id not in visible:
        raise NotFound(what="group")
    return load_group(session, group_id)
