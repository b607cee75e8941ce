"""Moving a founding group along its path, and registering its entity (issue #12).

The rules are in `domain.group_moves` (the path, dates, the founding step and its override) and
`domain.founding_check` (the requirements on the members); this module loads the group, asks
them, and writes the stage and its history row — with the manager's override reason, when there
is one — through `transactions.write`, with an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from ..domain.founding import FOUNDING_STEP, REGISTER_OF, GroupStage, LegalForm, Register
from ..domain.founding_check import LEGAL, NATURAL, Member, Unmet, unmet_requirements
from ..domain.group_moves import MoveRequest, check_move, passes_founding_step
from ..domain.identifiers import normalise_krs, normalise_nip, normalise_regon
from ..models import FoundingGroup, FoundingGroupStage, User
from ..models.founding_group import HistoryKind, MemberKind
from . import audit
from .transactions import lock_rows, write

EWIDENCJA_MAX = 40


class KrsTaken(DomainError):
    code = "krs_taken"
    field = "number"


@dataclass(frozen=True)
class Registration:
    """What "registered" needs: the register, its number, NIP and REGON (optional)."""

    register: str = ""
    number: str = ""
    nip: str = ""
    regon: str = ""


def load_group(session: Session, group_id: int) -> FoundingGroup:
    group = session.scalar(
        select(FoundingGroup)
        .where(FoundingGroup.id == group_id)
        .options(
            selectinload(FoundingGroup.members),
            selectinload(FoundingGroup.stage_history),
        )
    )
    if group is None:
        raise NotFound(what="group")
    return group


def can_write(user: User, group: FoundingGroup) -> bool:
    """Managers, and the group's guardian (an expert or a manager)."""
    return user.is_manager or (user.is_staff and group.guardian_id == user.id)


def members_of(group: FoundingGroup) -> list[Member]:
    """The members as the founding rules see them."""
    return [
        Member(
            kind=LEGAL if m.kind == MemberKind.LEGAL else NATURAL,
            at_risk=m.at_risk_category,
            founder=m.is_founder,
            joined=m.joined_date,
            left=m.left_date,
        )
        for m in group.members
    ]


def requirements(group: FoundingGroup, today: date) -> list[Unmet]:
    """The founding requirements the group does not meet, judged by the law on the day of its
    founding step (today when it has not happened yet)."""
    form = LegalForm(group.legal_form)
    day = group.stage_date(FOUNDING_STEP[form]) or today
    return unmet_requirements(form, members_of(group), day)


def _registration(
    session: Session, group: FoundingGroup, registration: Registration
) -> dict[str, str | None]:
    """The checked register fields for "registered" (KRS unique across groups)."""
    form = LegalForm(group.legal_form)
    expected = REGISTER_OF[form]
    register = registration.register or expected
    if register != expected:
        raise InvalidInput(field="register", reason="not_in_list", expected=str(expected))
    if not registration.number.strip():
        raise InvalidInput(field="number", reason="missing")
    values: dict[str, str | None] = {"register": register, "krs": None, "ewidencja_number": None}
    if register == Register.KRS:
        krs = normalise_krs(registration.number, field="number")
        taken = session.scalar(
            select(func.count())
            .select_from(FoundingGroup)
            .where(FoundingGroup.krs == krs, FoundingGroup.id != group.id)
        )
        if taken:
            raise KrsTaken(krs=krs)
        values["krs"] = krs
    else:
        number = registration.number.strip()
        if len(number) > EWIDENCJA_MAX:
            raise InvalidInput(field="number", reason="too_long")
        values["ewidencja_number"] = number
    values["nip"] = normalise_nip(registration.nip) if registration.nip.strip() else None
    values["regon"] = normalise_regon(registration.regon) if registration.regon.strip() else None
    return values


def move_stage(
    session: Session,
    *,
    user: User,
    group_id: int,
    move: MoveRequest,
    registration: Registration | None = None,
    now: datetime,
    today: date,
    ip: str = "",
) -> FoundingGroup:
    """Move the group to ``move.target`` (registering it when the target is "registered")."""
    def conflict(failure: BaseException) -> BaseException:
        return KrsTaken() if "krs" in str(getattr(failure, "orig", failure)) else failure

    with write(session, on_conflict=conflict):
        lock_rows(session, FoundingGroup, [group_id])
        group = load_group(session, group_id)
        if not can_write(user, group):
            raise NotAllowed(reason="not_guardian")
        form = LegalForm(group.legal_form)
        current = GroupStage(group.stage)
        formed = group.formed_date or group.created_at_dt.date()
        unmet: list[Unmet] = []
        if passes_founding_step(form, current, move.target):
            unmet = unmet_requirements(form, members_of(group), move.on)
        check_move(form, current, move, today=today, formed_on=formed, unmet=unmet,
                   actor_is_manager=user.is_manager)  # fmt: skip
        if move.target == GroupStage.REGISTERED:
            for name, value in _registration(
                session, group, registration or Registration()
            ).items():
                setattr(group, name, value)
        group.stage = move.target
        group.stage_history.append(
            FoundingGroupStage(
                kind=HistoryKind.STAGE,
                from_value=str(current),
                to_value=str(move.target),
                on_date=move.on,
                changed_at_dt=now,
                changed_by_id=user.id,
                note=move.note.strip()[:500],
                override_reason=move.override_reason.strip()[:1000] if unmet else "",
            )
        )
        audit.record(
            session, actor=user, action="group.stage", target=group, ip=ip, now=now,
            details={"from": str(current), "to": str(move.target), "on": move.on.isoformat(),
                     "override": bool(unmet)},
        )  # fmt: skip
    return group
