"""The sections of a subject access export, one reader each (`services.subject_access` calls
them in one transaction and assembles the document).

Each reader takes the person and returns plain JSON values: instants as ISO 8601 in Warsaw time
(with the offset), dates as ISO dates, states as their stable codes (the PDF and the pages
translate them). `COVERED` names every column referring to a person that the export reads;
`tests/integration/test_subject_access_coverage.py` walks the schema so a new table about people
cannot be forgotten.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..domain.calendar import WARSAW
from ..domain.participants import FIELDS
from ..models import (
    AvailabilityException,
    AvailabilityRule,
    CalendarFeed,
    CallTask,
    Consultation,
    ConsultationAttendee,
    Event,
    EventCertificate,
    EventRegistration,
    EventSession,
    FoundingGroup,
    FoundingGroupMember,
    OutboxMessage,
    ProjectParticipant,
    SessionAttendance,
    User,
    WaitlistEntry,
    event_trainers,
)

Json = dict[str, Any]

# (table, column) referring to users.id -> the section that reads the person's rows through it.
COVERED: dict[tuple[str, str], str] = {
    ("client_profiles", "user_id"): "participant_record",
    ("expert_profiles", "user_id"): "expert_profile",
    ("project_participants", "user_id"): "projects",
    ("consultations", "client_id"): "consultations",
    ("consultation_attendees", "user_id"): "consultations",
    ("founding_group_members", "user_id"): "founding_groups",
    ("event_registrations", "user_id"): "events",
    ("session_attendance", "user_id"): "events",
    ("event_certificates", "user_id"): "events",
    ("waitlist_entries", "client_id"): "waiting_list",
    ("outbox_messages", "recipient_id"): "messages",
    ("call_tasks", "user_id"): "call_tasks",
    ("calendar_feeds", "user_id"): "calendar_feeds",
    # A member of staff: how much work is recorded under their name (counts, not the records:
    # those are about the clients served).
    ("consultations", "expert_id"): "staff_work",
    ("availability_rules", "expert_id"): "staff_work",
    ("availability_exceptions", "expert_id"): "staff_work",
    ("event_trainers", "expert_id"): "staff_work",
    ("founding_groups", "guardian_id"): "staff_work",
}


def when(value: datetime | None) -> str | None:
    """An instant as ISO 8601 in Warsaw time, with its offset."""
    return value.astimezone(WARSAW).isoformat(timespec="seconds") if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def account(person: User) -> Json:
    return {
        "id": person.id,
        "full_name": person.full_name,
        "email": person.email,
        "phone": person.phone,
        "role": person.role,
        "preferred_language": person.preferred_language,
        "created_at": when(person.created_at_dt),
        "last_login_at": when(person.last_login_dt),
        "active": person.active,
        "erased_at": when(person.erased_at_dt),
    }


def information(person: User) -> Json:
    """When and how the person was given the information clause (RODO art. 13)."""
    return {"consent_dt": when(person.consent_dt), "informed_via": person.informed_via}


def participant_record(person: User) -> Json | None:
    """Every answer, the PESEL and the sensitive ones too: it is the person's own data."""
    profile = person.client_profile
    if profile is None:
        return None
    answers: Json = {name: getattr(profile, name) for name in FIELDS}
    answers["birth_date"] = day(profile.birth_date)
    answers["locality"] = profile.locality
    answers["entry_at"] = when(profile.entry_dt)
    return answers


def expert_profile(person: User, locale: str) -> Json | None:
    profile = person.expert_profile
    if profile is None:
        return None
    return {
        "title": profile.title,
        "bio": profile.bio,
        "default_length_min": profile.default_length_min,
        "areas": [area.name(locale) for area in profile.domains],
        "offices": [branch.name for branch in profile.branches],
    }


def projects(session: Session, person: User) -> list[Json]:
    rows = session.scalars(
        select(ProjectParticipant)
        .where(ProjectParticipant.user_id == person.id)
        .options(selectinload(ProjectParticipant.project))
        .order_by(ProjectParticipant.entry_date)
    )
    return [
        {
            "project_code": row.project.code,
            "project_name": row.project.name,
            "programme": row.project.programme,
            "entry_date": day(row.entry_date),
            "age_at_entry": row.age_at_entry,
            "labour_status": row.labour_status,
            "education": row.education,
            "residence": row.residence,
        }
        for row in rows
    ]


def consultations(session: Session, person: User, locale: str, *, notes: bool) -> list[Json]:
    """Those the person is the client of or attended, oldest first; notes for managers only."""
    attended = select(ConsultationAttendee.consultation_id).where(
        ConsultationAttendee.user_id == person.id
    )
    rows = session.scalars(
        select(Consultation)
        .where((Consultation.client_id == person.id) | Consultation.id.in_(attended))
        .options(
            selectinload(Consultation.attendees),
            selectinload(Consultation.expert).selectinload(User.expert_profile),
            selectinload(Consultation.branch),
            selectinload(Consultation.domain),
            selectinload(Consultation.topic_category),
            selectinload(Consultation.founding_group),
        )
        .order_by(Consultation.start_dt, Consultation.id)
    )
    return [_consultation(c, person, locale, notes=notes) for c in rows]


def _consultation(c: Consultation, person: User, locale: str, *, notes: bool) -> Json:
    mine = next((a for a in c.attendees if a.user_id == person.id), None)
    item: Json = {
        "id": c.id,
        "as": "client" if c.client_id == person.id else "attendee",
        "start": when(c.start_dt),
        "end": when(c.end_dt),
        "office": c.branch.name,
        "area": c.domain.name(locale),
        "expert": c.expert.public_name,
        "status": c.status,
        "topic": c.topic,
        "founding_group": c.founding_group.name if c.founding_group else None,
        "attended": mine.attended if mine is not None else None,
        "duration_min": c.duration_min,
        "topic_category": c.topic_category.name(locale) if c.topic_category else None,
        "cancel_reason": c.cancel_reason,
        "cancelled_at": when(c.cancelled_at_dt),
        "booked_at": when(c.created_at_dt),
    }
    if notes:
        item["notes"] = c.notes
    return item


def founding_groups(session: Session, person: User) -> list[Json]:
    rows = session.scalars(
        select(FoundingGroupMember)
        .where(FoundingGroupMember.user_id == person.id)
        .options(selectinload(FoundingGroupMember.group).selectinload(FoundingGroup.branch))
        .order_by(FoundingGroupMember.id)
    )
    return [
        {
            "group": m.group.name,
            "legal_form": m.group.legal_form,
            "stage": m.group.stage,
            "office": m.group.branch.name,
            "kind": m.kind,
            "is_founder": m.is_founder,
            "at_risk_category": m.at_risk_category,
            "joined_date": day(m.joined_date),
            "left_date": day(m.left_date),
        }
        for m in rows
    ]


def events(session: Session, person: User) -> list[Json]:
    """Each event the person registered for, was ticked at or got a certificate of."""
    registrations = session.scalars(
        select(EventRegistration)
        .where(EventRegistration.user_id == person.id)
        .order_by(EventRegistration.id)
    ).all()
    ticks = session.scalars(
        select(SessionAttendance)
        .where(SessionAttendance.user_id == person.id)
        .options(selectinload(SessionAttendance.session))
    ).all()
    certificates = session.scalars(
        select(EventCertificate).where(EventCertificate.user_id == person.id)
    ).all()
    event_ids = {r.event_id for r in registrations} | {t.session.event_id for t in ticks}
    event_ids |= {c.event_id for c in certificates}
    found = session.scalars(
        select(Event).where(Event.id.in_(event_ids)).options(selectinload(Event.sessions))
    ).all()
    came = {t.session_id: t.attended for t in ticks}
    by_event: dict[int, list[EventRegistration]] = defaultdict(list)
    for r in registrations:
        by_event[r.event_id].append(r)
    issued = {c.event_id: c for c in certificates}
    items = [_event(e, by_event[e.id], came, issued.get(e.id)) for e in found]
    return sorted(items, key=lambda item: (item["starts"] or "", item["event_id"]))


def _event(
    event: Event,
    registrations: list[EventRegistration],
    came: dict[int, bool],
    certificate: EventCertificate | None,
) -> Json:
    return {
        "event_id": event.id,
        "title": event.title,
        "kind": event.kind,
        "starts": when(event.starts_at),
        "ends": when(event.ends_at),
        "cancelled_at": when(event.cancelled_at_dt),
        "registrations": [
            {
                "status": r.status,
                "registered_at": when(r.created_at_dt),
                "seat_since": when(r.seat_since_dt),
                "cancelled_at": when(r.cancelled_at_dt),
            }
            for r in registrations
        ],
        "sessions": [_session(s, came) for s in event.sessions],
        "certificate": None
        if certificate is None
        else {
            "code": certificate.code,
            "issued_at": when(certificate.issued_at_dt),
            "sessions_attended": certificate.sessions_attended,
            "sessions_held": certificate.sessions_held,
        },
    }


def _session(item: EventSession, came: dict[int, bool]) -> Json:
    return {"start": when(item.start_dt), "end": when(item.end_dt), "attended": came.get(item.id)}


def waiting_list(session: Session, person: User, locale: str) -> list[Json]:
    rows = session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.client_id == person.id)
        .options(
            selectinload(WaitlistEntry.offers),
            selectinload(WaitlistEntry.area),
            selectinload(WaitlistEntry.branch),
        )
        .order_by(WaitlistEntry.created_at_dt, WaitlistEntry.id)
    )
    return [
        {
            "area": entry.area.name(locale),
            "office": entry.branch.name,
            "from_date": day(entry.from_date),
            "to_date": day(entry.to_date),
            "status": entry.status,
            "joined_at": when(entry.created_at_dt),
            "closed_at": when(entry.closed_at_dt),
            "offers": [
                {
                    "start": when(o.start_dt),
                    "end": when(o.end_dt),
                    "expert": o.expert.public_name,
                    "offered_at": when(o.offered_at_dt),
                    "expires_at": when(o.expires_at_dt),
                    "status": o.status,
                    "answered_at": when(o.answered_at_dt),
                }
                for o in entry.offers
            ],
        }
        for entry in rows
    ]


def messages(session: Session, person: User) -> list[Json]:
    """E-mails to the person: when, what kind, the subject and whether sent; never the body."""
    rows = session.execute(
        select(
            OutboxMessage.created_at_dt,
            OutboxMessage.sent_at_dt,
            OutboxMessage.kind,
            OutboxMessage.subject,
            OutboxMessage.status,
        )
        .where(OutboxMessage.recipient_id == person.id)
        .order_by(OutboxMessage.created_at_dt, OutboxMessage.id)
    )
    return [
        {"created_at": when(created), "sent_at": when(sent), "kind": kind, "subject": subject,
         "status": status}
        for created, sent, kind, subject, status in rows
    ]  # fmt: skip


def call_tasks(session: Session, person: User) -> list[Json]:
    rows = session.scalars(
        select(CallTask)
        .where(CallTask.user_id == person.id)
        .order_by(CallTask.created_at_dt, CallTask.id)
    )
    return [
        {"kind": t.kind, "note": t.note, "created_at": when(t.created_at_dt),
         "done_at": when(t.done_at_dt)}
        for t in rows
    ]  # fmt: skip


def calendar_feeds(session: Session, person: User) -> list[Json]:
    """Which calendar addresses exist and since when; never the secret token."""
    rows = session.scalars(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == person.id)
        .options(selectinload(CalendarFeed.branch))
        .order_by(CalendarFeed.id)
    )
    return [
        {"office": f.branch.name if f.branch else None, "created_at": when(f.created_at_dt)}
        for f in rows
    ]


def staff_work(session: Session, person: User) -> Json | None:
    """For a member of staff, how much work is recorded under their name (the records
    themselves are about the clients served, so only the counts)."""

    def count(column: Any) -> int:
        return session.scalar(select(func.count()).where(column == person.id)) or 0

    counts = {
        "consultations_given": count(Consultation.expert_id),
        "weekly_hours": count(AvailabilityRule.expert_id),
        "days_off_and_extra_hours": count(AvailabilityException.expert_id),
        "events_trained": count(event_trainers.c.expert_id),
        "groups_guarded": count(FoundingGroup.guardian_id),
    }
    if not person.is_staff and not any(counts.values()):
        return None
    return counts
