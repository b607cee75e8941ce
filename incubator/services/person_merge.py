"""Merging two records of one person (one person, one record: funders count unduplicated people).

A manager keeps one record and merges the other into it. Everything that pointed at the dropped
record moves to the kept one, in one transaction: consultations booked for them, their attendance
(one row per consultation: when both records attended the same consultation, one row remains and it
says "came" if either came), founding-group memberships (one per group), project entries (the
earlier entry per project, so the status at entry is the first one), and every "created / changed /
cancelled by" reference. The kept record's unknown answers are filled from the dropped one, and its
e-mail (with the password, so the person can still log in) when it has none. The dropped account is
then deleted, which frees its e-mail and PESEL, and `person.merged` is recorded. The audit trail is
append-only and is not rewritten: its entries keep the dropped id, and `audit.subject_ids` follows
`person.merged` to find them. Any other reference to a user added to the schema later is moved too:
the columns are found from the schema, not listed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, delete, func, select, update
from sqlalchemy.orm import Session

from ..domain import participants as rules
from ..domain.erasure import AlreadyErased
from ..domain.errors import NotAllowed
from ..models import (
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    FoundingGroupMember,
    ProjectParticipant,
    User,
)
from . import audit
from .participants import answers_of
from .transactions import write

# Rows that need more than a changed id; `_reference_columns` skips them.
_SPECIAL = {"consultation_attendees", "project_participants", "founding_group_members", "users"}
_OWN_ROWS = {"client_profiles", "expert_profiles"}


@dataclass(frozen=True)
class MergePreview:
    """Both records side by side, as the confirmation page shows them."""

    keep: User
    drop: User
    consultations: dict[int, int]
    groups: dict[int, list[str]]


def _roles(session: Session, keep_id: int, drop_id: int) -> tuple[User | None, User | None]:
    return session.get(User, keep_id), session.get(User, drop_id)


def check(session: Session, manager: User, keep_id: int, drop_id: int) -> tuple[User, User]:
    """The two records, or the refusal: not a manager, same person, unknown id, a staff account."""
    if not manager.is_manager or not manager.active:
        raise NotAllowed("only managers merge records", reason="merge")
    keep, drop = _roles(session, keep_id, drop_id)
    refusal = rules.merge_refusal(
        keep_id, drop_id, keep.role if keep else None, drop.role if drop else None
    )
    if refusal is not None:
        raise refusal
    assert keep is not None and drop is not None
    for person in (keep, drop):  # anonymous support must not be given a name again
        if person.is_erased:
            raise AlreadyErased(person_id=person.id)
    return keep, drop


def preview(session: Session, manager: User, keep_id: int, drop_id: int) -> MergePreview:
    keep, drop = check(session, manager, keep_id, drop_id)
    ids = [keep.id, drop.id]
    rows = session.execute(
        select(ConsultationAttendee.user_id, func.count())
        .where(ConsultationAttendee.user_id.in_(ids))
        .group_by(ConsultationAttendee.user_id)
    )
    counts = dict.fromkeys(ids, 0) | {uid: n for uid, n in rows}
    groups: dict[int, list[str]] = {i: [] for i in ids}
    for member in session.scalars(
        select(FoundingGroupMember).where(FoundingGroupMember.user_id.in_(ids))
    ):
        groups[member.user_id].append(member.group.name)
    return MergePreview(keep, drop, counts, groups)


def merge(
    session: Session, manager: User, keep_id: int, drop_id: int, *, now: datetime, ip: str = ""
) -> User:
    """Merge record `drop_id` into `keep_id` (see the module docstring); return the kept one."""
    with write(session):
        keep, drop = check(session, manager, keep_id, drop_id)
        moved = {
            "attendances": _move_attendance(session, keep_id, drop_id),
            "groups": _move_memberships(session, keep_id, drop_id),
            "projects": _move_entries(session, keep_id, drop_id),
        }
        _fill_kept(session, keep, drop)
        moved["consultations"] = _count(session, Consultation.client_id == drop_id)
        _move_references(session, keep_id, drop_id)
        session.execute(delete(ClientProfile).where(ClientProfile.user_id == drop_id))
        session.expunge(drop)
        session.execute(delete(User).where(User.id == drop_id))
        audit.record(
            session,
            actor=manager,
            action="person.merged",
            target=keep,
            details={"kept": keep_id, "dropped": drop_id, "moved": moved},
            ip=ip,
            now=now,
        )
    return keep


def _count(session: Session, condition) -> int:
    table = condition.left.table
    return session.scalar(select(func.count()).select_from(table).where(condition)) or 0


def _move_attendance(session: Session, keep_id: int, drop_id: int) -> int:
    """Attendance rows: one per consultation; "came" if either record came."""
    rows = list(
        session.scalars(select(ConsultationAttendee).where(ConsultationAttendee.user_id == drop_id))
    )
    for row in rows:
        kept = session.get(ConsultationAttendee, (row.consultation_id, keep_id))
        if kept is not None:
            kept.attended = rules.combined_attendance(kept.attended, row.attended)
            session.delete(row)
    session.flush()
    session.execute(
        update(ConsultationAttendee)
        .where(ConsultationAttendee.user_id == drop_id)
        .values(user_id=keep_id)
        .execution_options(synchronize_session=False)
    )
    return len(rows)


def _move_memberships(session: Session, keep_id: int, drop_id: int) -> int:
    """Group memberships: one per group; the earlier joining date, current if either is."""
    rows = list(
        session.scalars(select(FoundingGroupMember).where(FoundingGroupMember.user_id == drop_id))
    )
    for row in rows:
        kept = session.scalar(
            select(FoundingGroupMember).where(
                FoundingGroupMember.group_id == row.group_id,
                FoundingGroupMember.user_id == keep_id,
            )
        )
        if kept is None:
            row.user_id = keep_id
            continue
        dates = [d for d in (kept.joined_date, row.joined_date) if d is not None]
        kept.joined_date = min(dates) if dates else None
        if kept.left_date is not None and row.left_date is None:
            kept.left_date = None
        kept.is_founder = kept.is_founder or row.is_founder
        session.delete(row)
    session.flush()
    return len(rows)


def _move_entries(session: Session, keep_id: int, drop_id: int) -> int:
    """Project entries: the earlier one per project is the person's entry."""
    rows = list(
        session.scalars(select(ProjectParticipant).where(ProjectParticipant.user_id == drop_id))
    )
    for row in rows:
        kept = session.get(ProjectParticipant, (row.project_id, keep_id))
        if kept is not None and row.entry_date < kept.entry_date:
            for name in ("entry_date", "age_at_entry", "labour_status", "education", "residence"):
                setattr(kept, name, getattr(row, name))
        if kept is not None:
            session.delete(row)
    session.flush()
    session.execute(
        update(ProjectParticipant)
        .where(ProjectParticipant.user_id == drop_id)
        .values(user_id=keep_id)
        .execution_options(synchronize_session=False)
    )
    return len(rows)


def _fill_kept(session: Session, keep: User, drop: User) -> None:
    """The kept record's unknown answers and missing contact details from the dropped one."""
    filled = rules.fill_gaps(answers_of(keep.client_profile), answers_of(drop.client_profile))
    email, password = drop.email, drop.password_hash
    phone = drop.phone
    # The earlier record of being informed stands, with how it was given (page or phone).
    consents = [(p.consent_dt, p.informed_via) for p in (keep, drop) if p.consent_dt is not None]
    drop.email = None  # the unique e-mail and PESEL are freed before the kept record takes them
    if drop.client_profile is not None:
        drop.client_profile.pesel = None
    session.flush()
    profile = keep.client_profile or ClientProfile(user=keep)
    for name in rules.FIELDS:
        setattr(profile, name, getattr(filled, name))
    if keep.email is None and email is not None:
        keep.email = email
        keep.password_hash = keep.password_hash or password
    keep.phone = keep.phone or phone
    keep.consent_dt, keep.informed_via = (
        min(consents, key=lambda c: c[0]) if consents else (None, None)
    )
    session.flush()


def _reference_columns() -> list[Column]:
    """Every column referring to users.id that a plain id change moves (see `_SPECIAL`)."""
    columns = []
    for table in User.metadata.sorted_tables:
        if table.name in _SPECIAL | _OWN_ROWS:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and fk.column.name == "id":
                columns.append(fk.parent)
    users = User.__table__
    columns.append(users.c.created_by_id)
    return columns


def _move_references(session: Session, keep_id: int, drop_id: int) -> None:
    for column in _reference_columns():
        session.execute(
            update(column.table)
            .where(column == drop_id)
            .values({column.name: keep_id})
            .execution_options(synchronize_session=False)
        )
