"""A person's participant record: read and change it, find likely duplicates.

Who sees what (RODO, data minimisation; docs/information-and-access.md): a manager sees and
edits every answer; an expert sees the record only of a person they advise (a consultation with
that expert, as its client or an attendee, booked, held or cancelled), and then the person's name
and contact details and only the non-sensitive monitoring answers a consultation can collect
(gender, birth date/year, labour status, education, residence) — never the sensitive answers
(`domain.participants.SENSITIVE_FIELDS`) nor the PESEL; any other expert is refused
(`NotAllowed`, reason ``not_advised``). The person sees and edits all of their own answers.
Every time staff open a record an audit entry is written (`participant.viewed`: who, whose,
when — never the answers), and every change is audited with the names of the changed answers
only (`participant.updated`).

Merging two records of one person is `services/person_merge.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from ..domain import participants as rules
from ..domain.erasure import AlreadyErased
from ..domain.errors import NotAllowed, NotFound
from ..models import ClientProfile, Consultation, ConsultationAttendee, Role, User
from . import audit
from .transactions import write


@dataclass(frozen=True)
class ParticipantRecord:
    """A person's record as one reader may see it: only the answers in `fields`."""

    person: User
    answers: rules.Answers
    fields: tuple[str, ...]
    missing: list[str]
    phone: str = ""
    email: str = ""

    @property
    def shows_sensitive(self) -> bool:
        return all(name in self.fields for name in rules.SENSITIVE_FIELDS)

    def value(self, name: str) -> Any:
        return getattr(self.answers, name) if name in self.fields else None


def answers_of(profile: ClientProfile | None) -> rules.Answers:
    """The stored answers of a profile (an absent profile has none)."""
    if profile is None:
        return rules.Answers()
    return rules.Answers(**{name: getattr(profile, name) for name in rules.FIELDS})


def has_participant_data(person: User) -> bool:
    """Whether the person has answered anything yet (the first-booking questionnaire asks this)."""
    return not answers_of(person.client_profile).is_empty


def person_of(session: Session, person_id: int) -> User:
    """The client with this id (`NotFound` for staff accounts and unknown ids)."""
    person = session.get(User, person_id)
    if person is None or person.role != Role.CLIENT:
        raise NotFound("no such client", person_id=person_id)
    return person


def advised_by(session: Session, expert_id: int, person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` the expert advises: a consultation with the expert, as its client
    or an attendee, in any state (booked, held or cancelled)."""
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    as_attendee = (
        select(ConsultationAttendee.user_id)
        .join(Consultation, Consultation.id == ConsultationAttendee.consultation_id)
        .where(Consultation.expert_id == expert_id, ConsultationAttendee.user_id.in_(ids))
    )
    as_client = select(Consultation.client_id).where(
        Consultation.expert_id == expert_id, Consultation.client_id.in_(ids)
    )
    return set(session.scalars(union(as_attendee, as_client)))


def check_staff_access(session: Session, viewer: User, person: User) -> None:
    """Raise `NotAllowed` unless `viewer` is active staff who may open the person's record: a
    manager, or an expert who advises the person."""
    if not viewer.is_staff or not viewer.active:
        raise NotAllowed("only staff read participant records", reason="participant")
    if not viewer.is_manager and person.id not in advised_by(session, viewer.id, [person.id]):
        raise NotAllowed("an expert reads the records of people they advise", reason="not_advised")


def readable_ids(session: Session, viewer: User, person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` whose record `viewer` (staff) may open: for links on lists."""
    if viewer.is_manager and viewer.active:
        return set(person_ids)
    if not viewer.is_expert or not viewer.active:
        return set()
    return advised_by(session, viewer.id, person_ids)


def _fields_for(session: Session, viewer: User, person: User) -> tuple[str, ...]:
    if viewer.id == person.id:
        return rules.visible_fields(is_manager=False, is_self=True)
    check_staff_access(session, viewer, person)
    return rules.visible_fields(is_manager=viewer.is_manager)


def _record(person: User, fields: tuple[str, ...]) -> ParticipantRecord:
    answers = answers_of(person.client_profile)
    return ParticipantRecord(
        person,
        answers,
        fields,
        rules.missing_answers(answers),
        phone=person.phone,
        email=person.email or "",
    )


def read(
    session: Session, *, viewer: User, person_id: int, now: datetime, ip: str = ""
) -> ParticipantRecord:
    """The record as `viewer` may see it; a staff reader's view is audited (names, no data)."""
    person = person_of(session, person_id)
    fields = _fields_for(session, viewer, person)
    if viewer.id != person.id:
        with write(session):
            audit.record(
                session,
                actor=viewer,
                action="participant.viewed",
                target=person,
                details={"sensitive": any(f in fields for f in rules.SENSITIVE_FIELDS)},
                ip=ip,
                now=now,
            )
        person = person_of(session, person_id)
    return _record(person, fields)


def update(
    session: Session,
    *,
    actor: User,
    person_id: int,
    raw: Mapping[str, Any],
    today: date,
    now: datetime,
    ip: str = "",
) -> list[str]:
    """Record the answers in `raw` that `actor` may change; return the changed names.

    Answers outside the actor's fields are left as they are (an expert's form has no disability
    question, and saving it must not erase the manager's answer). A refusal (`InvalidAnswer`,
    `BirthDateInFuture`, `InvalidPesel`...) writes nothing.
    """
    with write(session):
        person = person_of(session, person_id)
        fields = _fields_for(session, actor, person)
        if person.is_erased:  # the answers reports count stay as they were at erasure
            raise AlreadyErased(person_id=person.id)
        before = answers_of(person.client_profile)
        merged = {**before.as_dict(), **{k: raw.get(k) for k in fields}}
        if merged["birth_date"] and raw.get("birth_year") in (None, "", before.birth_year):
            merged["birth_year"] = None  # derived from the (new) date, not the old year
        after = rules.clean_answers(merged, today=today)
        changed = rules.changed_fields(before, after, rules.FIELDS)
        if not changed:
            return []
        profile = person.client_profile or ClientProfile(user=person)
        for name in changed:
            setattr(profile, name, getattr(after, name))
        if profile.entry_dt is None:
            profile.entry_dt = now
        audit.record(
            session,
            actor=actor,
            action="participant.updated",
            target=person,
            details={"fields": changed},
            ip=ip,
            now=now,
        )
    return changed


# --- likely duplicates ------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicate:
    person: User
    reasons: list[str] = field(default_factory=list)


def keys_of(person: User) -> rules.PersonKeys:
    profile = person.client_profile
    return rules.PersonKeys.of(
        pesel=profile.pesel if profile else None,
        email=person.email,
        phone=person.phone,
        full_name=person.full_name,
        birth_year=profile.birth_year if profile else None,
    )


def _bare_phone():
    return func.replace(
        func.replace(func.replace(func.replace(User.phone, " ", ""), "-", ""), "(", ""), ")", ""
    )


def _candidate_ids(session: Session, keys: rules.PersonKeys) -> set[int]:
    """Ids of clients sharing a key with `keys`: one indexed look-up per key.

    PESEL and e-mail use their unique indexes; the phone compares digits in the database; the
    name rule first narrows to the clients born that year, then compares the folded names (the
    diacritics folding is ours, so it runs here, on that year's clients only).
    """
    clients = select(User.id).where(User.role == Role.CLIENT, User.active.is_(True))
    ids: set[int] = set()
    if keys.pesel:
        ids.update(
            session.scalars(select(ClientProfile.user_id).where(ClientProfile.pesel == keys.pesel))
        )
    if keys.email:
        ids.update(session.scalars(clients.where(User.email == keys.email)))
    if keys.phone:
        ids.update(session.scalars(clients.where(_bare_phone().like(f"%{keys.phone}"))))
    if keys.name and keys.birth_year is not None:
        same_year = (
            select(User.id, User.full_name)
            .join(ClientProfile, ClientProfile.user_id == User.id)
            .where(
                ClientProfile.birth_year == keys.birth_year,
                User.role == Role.CLIENT,
                User.active.is_(True),
            )
        )
        ids.update(
            i for i, name in session.execute(same_year) if rules.normalise_name(name) == keys.name
        )
    return ids


def find_duplicates(
    session: Session, keys: rules.PersonKeys, *, exclude_id: int | None = None
) -> list[Duplicate]:
    """Active clients who are likely the person described by `keys`, with the reasons, by name."""
    ids = _candidate_ids(session, keys) - {exclude_id}
    if not ids:
        return []
    people = session.scalars(select(User).where(User.id.in_(ids)).order_by(User.full_name, User.id))
    found = [Duplicate(p, rules.match_reasons(keys, keys_of(p))) for p in people]
    return [d for d in found if d.reasons]
