"""The founding-group funnel per office and period (issue #12), counted in the database.

A group belongs to the period its formation date falls in (the history's ``formed`` row: the
history is the one source of dates) and to its office; it is counted by its current stage and
target legal form. The median needs every registered group's two dates, so those come back as
rows (one per registered group, few) and `domain.group_funnel` takes the median.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..domain.founding import GroupStage
from ..domain.group_funnel import Funnel, funnel
from ..models import FoundingGroup, FoundingGroupStage
from ..models.founding_group import HistoryKind


def _reached(stage: GroupStage, *, last: bool = False) -> Select:
    """Per group, the day it (first, or last) reached ``stage`` according to its history."""
    day = func.max if last else func.min
    return (
        select(FoundingGroupStage.group_id, day(FoundingGroupStage.on_date).label("on"))
        .where(
            FoundingGroupStage.kind == HistoryKind.STAGE,
            FoundingGroupStage.to_value == stage,
        )
        .group_by(FoundingGroupStage.group_id)
    )


def group_funnel(
    session: Session,
    *,
    first_day: date,
    last_day: date,
    branch_ids: Sequence[int] | None = None,
) -> Funnel:
    """The groups formed ``first_day``..``last_day`` (inclusive) in ``branch_ids`` (None:
    every office): per stage and legal form, registered, conversion, median days."""
    formed = _reached(GroupStage.FORMED).subquery()
    cohort = [formed.c.on >= first_day, formed.c.on <= last_day]
    if branch_ids is not None:
        cohort.append(FoundingGroup.branch_id.in_(branch_ids))
    counts = session.execute(
        select(FoundingGroup.legal_form, FoundingGroup.stage, func.count())
        .join(formed, formed.c.group_id == FoundingGroup.id)
        .where(*cohort)
        .group_by(FoundingGroup.legal_form, FoundingGroup.stage)
    ).all()
    registered = _reached(GroupStage.REGISTERED, last=True).subquery()
    spans = session.execute(
        select(formed.c.on, registered.c.on)
        .select_from(FoundingGroup)
        .join(formed, formed.c.group_id == FoundingGroup.id)
        .join(registered, registered.c.group_id == FoundingGroup.id)
        .where(*cohort, FoundingGroup.stage == GroupStage.REGISTERED)
    ).all()
    return funnel({(form, stage): n for form, stage, n in counts}, [(a, b) for a, b in spans])
