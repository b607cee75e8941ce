"""Anonymising a person (RODO art. 17) so that every report stays exactly as it was.

The rules — who may be anonymised when, and what a legal ground overrides — are
`incubator.domain.erasure`'s; this module gathers the facts, and in one transaction removes:

* from the account: the name (replaced by ``#<id>``), e-mail (a staff account, which must
  have one, gets ``erased-<id>@invalid``), phone, password, last log-in;
  every open session ends (``session_generation``) and the account is deactivated;
* from the participant record: PESEL and locality; the birth date is coarsened to the earliest
  date giving the same age on every day the person was supported (`coarse_birth_date`);
* the free text written about them: topic, notes and cancellation reason of the consultations
  booked for them (a group consultation booked by someone else keeps its notes: they are about
  the group);
* what only reached them: messages in the outbox, calls to make, calendar feed addresses;
  places on the waiting list are closed.

Kept, because the funder's figures are made of them: the answers of the participant record
(gender, labour status, education, residence, the sensitive answers), project entry data,
attendance at consultations and events, founding-group membership and certificates (their code
still verifies; the holder's initials are gone). The audit trail is append-only and holds ids,
never a copy of the data; `person.erased` records who, when, the ground and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..domain import erasure as rules
from ..domain.calendar import local_date
from ..domain.errors import NotAllowed
from ..domain.subject_access import UnknownPerson
from ..models import (
    CalendarFeed,
    CallTask,
    Consultation,
    ConsultationAttendee,
    Event,
    EventRegistration,
    EventSession,
    OutboxMessage,
    Project,
    ProjectParticipant,
    SlotOffer,
    User,
    WaitlistEntry,
)
from ..models.event import event_trainers
from ..models.waitlist import LIVE_STATUSES, OfferStatus, WaitlistStatus
from . import audit
from .transactions import lock_rows, write
from .user_admin import booked_ahead_for

ERASED = "person.erased"
ERASED_DOMAIN = "invalid"  # RFC 2606: never delivered


@dataclass(frozen=True)
class ErasurePreview:
    """What a manager sees before confirming: the person, the facts, and any refusal."""

    person: User
    facts: rules.ErasureFacts
    refusal: rules.ErasureError | None
    overridable: bool  # the refusal is the retention one, which a legal ground overrides


def _person(session: Session, person_id: int) -> User:
    person = session.get(User, person_id)
    if person is None:
        raise UnknownPerson("no such person", person_id=person_id)
    return person


def _count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _upcoming_events(session: Session, person_id: int, now: datetime) -> list[datetime]:
    last_end = (
        select(func.max(EventSession.end_dt))
        .where(EventSession.event_id == EventRegistration.event_id)
        .scalar_subquery()
    )
    first_start = (
        select(func.min(EventSession.start_dt))
        .where(EventSession.event_id == EventRegistration.event_id)
        .scalar_subquery()
    )
    rows = session.scalars(
        select(first_start)
        .select_from(EventRegistration)
        .join(Event, Event.id == EventRegistration.event_id)
        .where(
            EventRegistration.user_id == person_id,
            EventRegistration.status.in_(("registered", "waitlisted")),
            Event.cancelled_at_dt.is_(None),
            last_end > now,
        )
    )
    return [r for r in rows if r is not None]


def facts_of(session: Session, person: User, now: datetime) -> rules.ErasureFacts:
    """Everything `domain.erasure.erasure_refusal` needs to know about `person`."""
    consultations = [c.start_dt for c in booked_ahead_for(session, person.id, now=now)]
    events = _upcoming_events(session, person.id, now)
    offers = _count(
        session,
        select(SlotOffer.id)
        .join(WaitlistEntry, WaitlistEntry.id == SlotOffer.entry_id)
        .where(WaitlistEntry.client_id == person.id, SlotOffer.status == OfferStatus.OPEN),
    )
    upcoming = sorted(consultations + events)
    trainer, pid = event_trainers.c, person.id
    projects = session.execute(
        select(Project.code, Project.retention_until)
        .join(ProjectParticipant, ProjectParticipant.project_id == Project.id)
        .where(ProjectParticipant.user_id == person.id)
        .order_by(Project.code)
    )
    return rules.ErasureFacts(
        person_id=person.id,
        is_erased=person.is_erased,
        is_staff=person.is_staff,
        staff_consultations=_count(
            session, select(Consultation.id).where(Consultation.expert_id == person.id)
        ),
        staff_events=_count(session, select(trainer.event_id).where(trainer.expert_id == pid)),
        upcoming_consultations=len(consultations),
        upcoming_events=len(events),
        open_offers=offers,
        first_upcoming=local_date(upcoming[0]) if upcoming else None,
        projects=tuple(rules.ProjectRetention(code, until) for code, until in projects),
    )


def _check_manager(actor: User | None) -> None:
    if actor is not None and (not actor.is_manager or not actor.active):
        raise NotAllowed("only managers anonymise people", reason="managers_only")


def preview(session: Session, *, actor: User, person_id: int, now: datetime) -> ErasurePreview:
    """The person and why they may not be anonymised now, if so (nothing is written)."""
    _check_manager(actor)
    person = _person(session, person_id)
    facts = facts_of(session, person, now)
    refusal = rules.erasure_refusal(facts, actor_id=actor.id, ground=None, today=local_date(now))
    return ErasurePreview(
        person, facts, refusal, overridable=isinstance(refusal, rules.RetentionRequired)
    )


def erase(
    session: Session,
    *,
    actor: User | None,
    person_id: int,
    reason: str | None,
    ground: str | rules.LegalGround | None = None,
    now: datetime,
    ip: str = "",
) -> dict[str, int]:
    """Anonymise the person, or raise the refusal; returns what was removed, by kind.

    `actor` None is the retention run (`services.retention`), which passes its own ground.
    """
    _check_manager(actor)
    text = rules.clean_reason(reason)
    chosen = ground if isinstance(ground, rules.LegalGround) else rules.parse_ground(ground)
    with write(session):
        lock_rows(session, User, [person_id])
        person = _person(session, person_id)
        facts = facts_of(session, person, now)
        refusal = rules.erasure_refusal(
            facts, actor_id=actor.id if actor else None, ground=chosen, today=local_date(now)
        )
        if refusal is not None:
            raise refusal
        removed = anonymise(session, person, now)
        audit.record(
            session,
            actor=actor,
            action=ERASED,
            target=person,
            details={
                "reason": text,
                "ground": chosen.value if chosen else None,
                "projects": [p.code for p in facts.projects],
                "removed": removed,
            },
            ip=ip,
            now=now,
        )
    return removed


def support_days(session: Session, person_id: int) -> set[date]:
    """Every day the person was (or was to be) supported, as UTC and as Warsaw dates."""
    attends = select(ConsultationAttendee.consultation_id).where(
        ConsultationAttendee.user_id == person_id
    )
    starts = list(
        session.scalars(
            select(Consultation.start_dt).where(
                or_(Consultation.client_id == person_id, Consultation.id.in_(attends))
            )
        )
    )
    starts += session.scalars(
        select(EventSession.start_dt)
        .join(EventRegistration, EventRegistration.event_id == EventSession.event_id)
        .where(EventRegistration.user_id == person_id)
    )
    days = {d.date() for d in starts} | {local_date(d) for d in starts}
    days.update(
        session.scalars(
            select(ProjectParticipant.entry_date).where(ProjectParticipant.user_id == person_id)
        )
    )
    return days


def anonymise(session: Session, person: User, now: datetime) -> dict[str, int]:
    """Remove the person's identity in the open transaction (see the module docstring)."""
    pid = person.id
    profile = person.client_profile
    if profile is not None:
        profile.birth_date = rules.coarse_birth_date(profile.birth_date, support_days(session, pid))
        profile.pesel = None
        profile.locality = ""
    person.full_name = f"#{pid}"
    # Staff accounts must have an address (a CHECK): one under the reserved .invalid domain.
    person.email = f"erased-{pid}@{ERASED_DOMAIN}" if person.is_staff else None
    person.phone = ""
    person.password_hash = None
    person.last_login_dt = None
    person.active = False
    person.session_generation += 1
    person.erased_at_dt = now
    texts = session.execute(
        update(Consultation)
        .where(Consultation.client_id == pid)
        .values(topic="", notes="", cancel_reason="")
        .execution_options(synchronize_session=False)
    )
    waitlist = session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.client_id == pid, WaitlistEntry.status.in_(LIVE_STATUSES))
        .values(status=WaitlistStatus.LEFT, closed_at_dt=now)
        .execution_options(synchronize_session=False)
    )
    removed = {
        "consultation_texts": texts.rowcount or 0,
        "waitlist_entries": waitlist.rowcount or 0,
    }
    for name, model, column in (
        ("messages", OutboxMessage, OutboxMessage.recipient_id),
        ("calls", CallTask, CallTask.user_id),
        ("calendar_feeds", CalendarFeed, CalendarFeed.user_id),
    ):
        removed[name] = _count(session, select(model.id).where(column == pid))
        session.execute(delete(model).where(column == pid))
    return removed
