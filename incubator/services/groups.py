"""Founding groups: create one, change its target legal form (with history), add members
(issue #12). Moving along the path is in `group_stages`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.at_risk import NOT_AT_RISK, category_in_force
from ..domain.errors import InvalidInput, NotAllowed, UnknownBranch
from ..domain.founding import GroupStage, LegalForm
from ..domain.identifiers import normalise_krs, normalise_nip
from ..models import (
    Branch,
    Consultation,
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    Role,
    User,
)
from ..models.founding_group import HistoryKind, LegalType, MemberKind
from . import audit
from .group_stages import can_write, load_group
from .transactions import lock_rows, write

NAME_MAX = 200


@dataclass(frozen=True)
class NewMember:
    """A natural person (``user_id`` or ``full_name``) or a legal person (``name``, type, KRS
    or NIP). ``at_risk`` is an art. 4 category code, ``"none"`` or None (not recorded)."""

    kind: str
    user_id: int | None = None
    full_name: str = ""
    at_risk: str | None = None
    name: str = ""
    legal_type: str = ""
    krs: str = ""
    nip: str = ""
    founder: bool = True
    joined: date | None = None


def create_group(
    session: Session,
    *,
    user: User,
    name: str,
    legal_form: str,
    branch_id: int,
    guardian_id: int | None,
    formed_on: date,
    now: datetime,
    ip: str = "",
) -> FoundingGroup:
    """A new group at the first stage of its path, formed on ``formed_on``; managers (and the
    experts who will guard it) create groups."""
    if not user.is_staff:
        raise NotAllowed(reason="staff_only")
    if not name.strip() or len(name) > NAME_MAX:
        raise InvalidInput(field="name", reason="missing" if not name.strip() else "too_long")
    if legal_form not in {f.value for f in LegalForm}:
        raise InvalidInput(field="legal_form", reason="not_in_list")
    if formed_on > now.date():
        raise InvalidInput(field="formed_on", reason="in_future")
    with write(session):
        if session.get(Branch, branch_id) is None:
            raise UnknownBranch(field="branch_id")
        guardian = session.get(User, guardian_id) if guardian_id is not None else user
        if guardian is None or guardian.role not in (Role.EXPERT, Role.MANAGER):
            raise InvalidInput(field="guardian_id", reason="not_in_list")
        group = FoundingGroup(
            name=name.strip(), legal_form=legal_form, branch_id=branch_id,
            guardian_id=guardian.id, stage=GroupStage.FORMED, created_at_dt=now,
        )  # fmt: skip
        group.stage_history = [
            FoundingGroupStage(
                kind=HistoryKind.STAGE, to_value=GroupStage.FORMED, on_date=formed_on,
                changed_at_dt=now, changed_by_id=user.id,
            )
        ]  # fmt: skip
        session.add(group)
        audit.record(session, actor=user, action="group.created", target=group, ip=ip, now=now)
    return group


def change_legal_form(
    session: Session, *, user: User, group_id: int, legal_form: str, on: date, now: datetime,
    note: str = "", ip: str = "",
) -> FoundingGroup:  # fmt: skip
    """A new target legal form, kept in the history; not once the entity is registered."""
    if legal_form not in {f.value for f in LegalForm}:
        raise InvalidInput(field="legal_form", reason="not_in_list")
    with write(session):
        lock_rows(session, FoundingGroup, [group_id])
        group = load_group(session, group_id)
        if not can_write(user, group):
            raise NotAllowed(reason="not_guardian")
        if group.stage == GroupStage.REGISTERED:
            raise InvalidInput(field="legal_form", reason="registered")
        before, group.legal_form = group.legal_form, legal_form
        group.stage_history.append(
            FoundingGroupStage(
                kind=HistoryKind.LEGAL_FORM, from_value=before, to_value=legal_form, on_date=on,
                changed_at_dt=now, changed_by_id=user.id, note=note.strip()[:500],
            )
        )  # fmt: skip
        audit.record(
            session, actor=user, action="group.legal_form", target=group, ip=ip, now=now,
            details={"from": before, "to": legal_form},
        )  # fmt: skip
    return group


def _member_row(session: Session, new: NewMember, today: date) -> FoundingGroupMember:
    if new.kind == MemberKind.LEGAL:
        if not new.name.strip():
            raise InvalidInput(field="name", reason="missing")
        if new.legal_type not in {t.value for t in LegalType}:
            raise InvalidInput(field="legal_type", reason="not_in_list")
        krs = normalise_krs(new.krs) if new.krs.strip() else None
        nip = normalise_nip(new.nip) if new.nip.strip() else None
        if krs is None and nip is None:
            raise InvalidInput(field="krs", reason="missing")
        return FoundingGroupMember(
            kind=MemberKind.LEGAL, legal_person_name=new.name.strip()[:200],
            legal_type=new.legal_type, krs=krs, nip=nip, is_founder=new.founder,
            joined_date=new.joined,
        )  # fmt: skip
    if new.kind != MemberKind.NATURAL:
        raise InvalidInput(field="kind", reason="not_in_list")
    at_risk = new.at_risk
    if at_risk not in (None, NOT_AT_RISK) and not category_in_force(at_risk, new.joined or today):
        raise InvalidInput(field="at_risk", reason="not_in_list")
    if new.user_id is not None:
        person = session.get(User, new.user_id)
        if person is None or person.role != Role.CLIENT:
            raise InvalidInput(field="user_id", reason="not_in_list")
    elif not new.full_name.strip():
        raise InvalidInput(field="full_name", reason="missing")
    return FoundingGroupMember(
        kind=MemberKind.NATURAL, user_id=new.user_id,
        full_name=None if new.user_id is not None else new.full_name.strip()[:160],
        at_risk_category=at_risk, is_founder=new.founder, joined_date=new.joined,
    )  # fmt: skip


def add_member(
    session: Session, *, user: User, group_id: int, new: NewMember, now: datetime,
    today: date, ip: str = "",
) -> FoundingGroupMember:  # fmt: skip
    """Add a member; a legal person cannot join a registered association (it may only support
    it), and a client is a member of a group once."""
    with write(session):
        lock_rows(session, FoundingGroup, [group_id])
        group = load_group(session, group_id)
        if not can_write(user, group):
            raise NotAllowed(reason="not_guardian")
        member = _member_row(session, new, today)
        if member.kind == MemberKind.LEGAL and group.legal_form in (
            LegalForm.ASSOCIATION, LegalForm.ORDINARY_ASSOCIATION,
        ):  # fmt: skip
            raise InvalidInput(field="kind", reason="legal_person_in_association")
        if new.user_id is not None and any(m.user_id == new.user_id for m in group.members):
            raise InvalidInput(field="user_id", reason="already_member")
        group.members.append(member)
        audit.record(
            session, actor=user, action="group.member_added", target=group, ip=ip, now=now,
            details={"kind": member.kind},
        )  # fmt: skip
    return member


def group_ids_for(session: Session, user: User) -> list[int] | None:
    """Which groups ``user`` may see: None for managers (all), the guarded and advised ones for
    experts, their own for clients."""
    if user.is_manager:
        return None
    if user.is_expert:
        guarded = select(FoundingGroup.id).where(FoundingGroup.guardian_id == user.id)
        advised = select(Consultation.founding_group_id).where(
            Consultation.expert_id == user.id, Consultation.founding_group_id.is_not(None)
        )
        return sorted(set(session.scalars(guarded)) | set(session.scalars(advised)))
    own = select(FoundingGroupMember.group_id).where(FoundingGroupMember.user_id == user.id)
    return sorted(set(session.scalars(own)))
