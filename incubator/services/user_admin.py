"""A manager's work on one account: edit its details and an expert's profile, and see what a
deactivation would leave behind.

Names, phones and e-mail addresses are cleaned by the same rules as everywhere
(`domain/people.py`, `accounts.normalise_email`); a taken address is `DuplicateEmail`, answered
on the form. The audit trail records which fields changed, never their values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.accounts import DuplicateEmail
from ..domain.consultations import ConsultationStatus
from ..domain.erasure import AlreadyErased
from ..domain.errors import InvalidInput, NotAllowed
from ..domain.people import clean_language, clean_name, clean_phone
from ..models import Area, Branch, Consultation, ConsultationAttendee, ExpertProfile, User
from . import audit
from .accounts import ExpertDetails, apply_changes, ensure_email_free, normalise_email
from .transactions import write


@dataclass(frozen=True)
class AccountChanges:
    """What a manager may change on someone's account (`expert` only for experts)."""

    full_name: str
    email: str
    phone: str
    preferred_language: str
    expert: ExpertDetails | None = None


def update_account(
    session: Session,
    *,
    actor: User,
    user: User,
    changes: AccountChanges,
    now: datetime,
    ip: str = "",
) -> list[str]:
    """Apply `changes` to `user`; returns the names of the fields that changed."""
    if not actor.is_manager:
        raise NotAllowed("only managers edit accounts")
    if user.is_erased:
        raise AlreadyErased(person_id=user.id)  # editing would put an identity back
    new: dict[str, object] = {
        "full_name": clean_name(changes.full_name),
        "phone": clean_phone(changes.phone),
        "preferred_language": clean_language(changes.preferred_language),
    }
    email = normalise_email(changes.email)
    with write(session, on_conflict=lambda _: DuplicateEmail(email)):
        if email != (user.email or ""):
            ensure_email_free(session, email)
            new["email"] = email
        changed = apply_changes(user, new)
        if user.is_expert and changes.expert is not None:
            changed += _update_expert_profile(session, user, changes.expert)
        if changed:
            audit.record(
                session,
                actor=actor,
                action="user.updated",
                target=user,
                details={"fields": changed},
                ip=ip,
                now=now,
            )
    return changed


def _update_expert_profile(session: Session, user: User, details: ExpertDetails) -> list[str]:
    if not 15 <= details.default_length_min <= 480:
        raise InvalidInput(field="default_length_min", reason="out_of_range")
    profile = user.expert_profile
    if profile is None:
        profile = user.expert_profile = ExpertProfile(default_length_min=60)
    new = {
        "title": (details.title or "").strip()[:40],
        "bio": (details.bio or "").strip(),
        "default_length_min": details.default_length_min,
    }
    changed = apply_changes(profile, new)
    for name, model, ids in (
        ("domains", Area, details.domain_ids),
        ("branches", Branch, details.branch_ids),
    ):
        wanted = _load(session, model, ids)
        if {x.id for x in getattr(profile, name)} != {x.id for x in wanted}:
            setattr(profile, name, wanted)
            changed.append(name)
    return changed


def _load(session: Session, model: type, ids: Sequence[int]) -> list:
    wanted = set(ids)
    rows = list(session.scalars(select(model).where(model.id.in_(wanted)))) if wanted else []
    if len(rows) != len(wanted):
        raise InvalidInput(field=model.__tablename__, reason="unknown")
    return rows


@dataclass(frozen=True)
class Upcoming:
    """The person's consultations still ahead: as the expert, and as client or attendee."""

    as_expert: list[Consultation]
    as_client: list[Consultation]


def _booked_ahead(now: datetime):
    return (
        select(Consultation)
        .where(Consultation.start_dt >= now, Consultation.status == ConsultationStatus.BOOKED)
        .options(selectinload(Consultation.branch), selectinload(Consultation.expert))
        .order_by(Consultation.start_dt)
    )


def booked_ahead_for(session: Session, person_id: int, *, now: datetime) -> list[Consultation]:
    """The booked consultations from `now` on that the person is the client of or attends
    (what a deactivation leaves booked; what an erasure waits for)."""
    return list(
        session.scalars(
            _booked_ahead(now).where(
                or_(
                    Consultation.client_id == person_id,
                    Consultation.attendees.any(ConsultationAttendee.user_id == person_id),
                )
            )
        )
    )


def upcoming_consultations(session: Session, user: User, *, now: datetime) -> Upcoming:
    """What a deactivation leaves booked: it cancels nothing (staff decide, one by one)."""
    as_expert = list(session.scalars(_booked_ahead(now).where(Consultation.expert_id == user.id)))
    return Upcoming(as_expert, booked_ahead_for(session, user.id, now=now))
