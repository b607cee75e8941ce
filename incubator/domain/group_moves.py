"""Moving a founding group along its legal form's path (issue #12), as plain rules.

A group moves forward on its form's path (`founding.STAGE_PATHS`), skipping stages if it must;
any stage can lead to "abandoned" (with the reason) and an abandoned group is reopened to a
stage of its path. The founding step (the founding meeting; a foundation's notarial deed) is
refused while a founding requirement is unmet, unless a manager overrides it with a written
justification. Each move is dated by the day it happened: never in the future, never before the
group was formed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .errors import DomainError, InvalidInput, NotAllowed
from .founding import FOUNDING_STEP, STAGE_PATHS, GroupStage, LegalForm
from .founding_check import Unmet

OVERRIDE_MIN_LENGTH = 20  # a justification, not "ok"


class StageNotOnPath(DomainError):
    code = "stage_not_on_path"
    field = "stage"


class StageBackwards(DomainError):
    code = "stage_backwards"
    field = "stage"


class SameStage(DomainError):
    code = "same_stage"
    field = "stage"


class DateBeforeFormed(DomainError):
    code = "date_before_formed"
    field = "on"


class RequirementsUnmet(DomainError):
    """The founding step with a requirement unmet; ``unmet`` lists them all."""

    code = "requirements_unmet"

    def __init__(self, unmet: Sequence[Unmet]) -> None:
        super().__init__(count=len(unmet))
        self.unmet = list(unmet)


@dataclass(frozen=True)
class MoveRequest:
    target: GroupStage
    on: date
    note: str = ""
    override_reason: str = ""


def passes_founding_step(form: LegalForm, current: GroupStage, target: GroupStage) -> bool:
    """Whether moving from ``current`` to ``target`` takes (or skips over) the founding step."""
    path = STAGE_PATHS[form]
    step = path.index(FOUNDING_STEP[form])
    start = path.index(current) if current in path else -1
    return target in path and start < step <= path.index(target)


def check_move(
    form: LegalForm,
    current: GroupStage,
    move: MoveRequest,
    *,
    today: date,
    formed_on: date,
    unmet: Sequence[Unmet] = (),
    actor_is_manager: bool = False,
) -> None:
    """Refuse the move with the first reason; ``unmet`` holds the founding requirements not met
    on ``move.on`` (the caller computes them when `passes_founding_step`)."""
    path = STAGE_PATHS[form]
    target = move.target
    if target != GroupStage.ABANDONED and target not in path:
        raise StageNotOnPath(stage=str(target), form=str(form))
    if move.on > today:
        raise InvalidInput(field="on", reason="in_future")
    if move.on < formed_on:
        raise DateBeforeFormed(formed=formed_on.isoformat())
    if target == current:
        raise SameStage(stage=str(target))
    if target == GroupStage.ABANDONED:
        if not move.note.strip():
            raise InvalidInput(field="note", reason="abandon_reason")
        return
    if current != GroupStage.ABANDONED and path.index(target) < path.index(current):
        raise StageBackwards(stage=str(target), current=str(current))
    if unmet and passes_founding_step(form, current, target):
        if not move.override_reason.strip():
            raise RequirementsUnmet(unmet)
        if not actor_is_manager:
            raise NotAllowed(reason="override")
        if len(move.override_reason.strip()) < OVERRIDE_MIN_LENGTH:
            raise InvalidInput(field="override_reason", reason="too_short", min=OVERRIDE_MIN_LENGTH)


def days_in_stages(
    steps: Sequence[tuple[GroupStage, date]], today: date
) -> list[tuple[GroupStage, int]]:
    """How many days the group spent in each stage of its history (the last until ``today``)."""
    result = []
    for (stage, start), nxt in zip(steps, [*steps[1:], None], strict=True):
        end = nxt[1] if nxt is not None else today
        result.append((stage, max(0, (end - start).days)))
    return result
