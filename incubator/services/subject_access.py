"""Subject access (RODO art. 15): everything held about one person, as one JSON document.

A manager exports anyone (clients and staff accounts); a client only themselves; experts never.
The document is gathered in one transaction, so its sections agree with each other, and the
export is audited in that same transaction (`person.exported`, the person as subject, the format
in the details). The web layer turns the document into the JSON download, the PDF
(`exports.pdf.subject_access`) and the API answer.

What is left out, and why, is in docs/subject-access.md: the bodies of e-mails (the subject and
date say what was sent), calendar tokens (secrets, not data about the person), the details of
audit entries and the addresses other people acted from, and staff work beyond its counts. A
client's own download leaves the experts' notes on consultations out (`withheld`); a manager's
export has them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import subject_access as rules
from ..models import AuditEvent, User
from . import audit, audit_log
from . import subject_access_sections as sections
from .transactions import write

EXPORTED = "person.exported"
# The sections that are lists, in the order the document and the pages show them.
LIST_SECTIONS = (
    "projects",
    "consultations",
    "founding_groups",
    "events",
    "waiting_list",
    "messages",
    "call_tasks",
    "calendar_feeds",
    "audit",
)


def export(
    session: Session,
    *,
    viewer: User,
    person_id: int,
    now: datetime,
    ip: str = "",
    fmt: str = "json",
    locale: str = "pl",
) -> dict[str, Any]:
    """Everything held about person `person_id`, as JSON-serialisable values.

    Raises `ExportNotAllowed` (before looking the person up, so ids cannot be probed) and
    `UnknownPerson`. `fmt` is what the caller makes of it ("json", "pdf"), for the audit entry;
    `locale` names areas and topic categories.
    """
    with write(session):
        person, document = _gather(session, viewer, person_id, now, locale)
        audit.record(
            session,
            actor=viewer,
            action=EXPORTED,
            target=person,
            subject=person,
            details={"format": fmt},
            ip=ip,
            now=now,
        )
    return document


def overview(
    session: Session, *, viewer: User, person_id: int, now: datetime, locale: str = "pl"
) -> tuple[User, dict[str, Any]]:
    """The person and their document, for the page that offers the downloads: the same checks
    as `export`, nothing written (the page shows the account and how much each section holds,
    no participant answers)."""
    return _gather(session, viewer, person_id, now, locale)


def _gather(
    session: Session, viewer: User, person_id: int, now: datetime, locale: str
) -> tuple[User, dict[str, Any]]:
    if not rules.may_export(
        viewer_role=viewer.role,
        viewer_active=viewer.active,
        viewer_id=viewer.id,
        person_id=person_id,
    ):
        raise rules.ExportNotAllowed(person_id=person_id)
    person = session.get(User, person_id)
    if person is None:
        raise rules.UnknownPerson(person_id=person_id)
    return person, _document(session, person, now, locale=locale, role=viewer.role)


def _document(
    session: Session, person: User, now: datetime, *, locale: str, role: str
) -> dict[str, Any]:
    notes = rules.includes_notes(viewer_role=role)
    return {
        "format": rules.FORMAT,
        "generated_at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "person_id": person.id,
        "for": "manager" if role == "manager" else "self",
        "withheld": [] if notes else [rules.CONSULTATION_NOTES],
        "account": sections.account(person),
        "information": sections.information(person),
        "participant_record": sections.participant_record(person),
        "expert_profile": sections.expert_profile(person, locale),
        "projects": sections.projects(session, person),
        "consultations": sections.consultations(session, person, locale, notes=notes),
        "founding_groups": sections.founding_groups(session, person),
        "events": sections.events(session, person),
        "waiting_list": sections.waiting_list(session, person, locale),
        "messages": sections.messages(session, person),
        "call_tasks": sections.call_tasks(session, person),
        "calendar_feeds": sections.calendar_feeds(session, person),
        "staff_work": sections.staff_work(session, person),
        "audit": trail(session, person),
    }


def trail(session: Session, person: User) -> list[dict[str, Any]]:
    """The audit entries about the person (and about records merged into theirs), oldest first:
    when, what, and who — their name and role, or "system". The address an entry was made from
    is given only when the person made it themselves (another's address is not theirs to have)."""
    ids = audit.subject_ids(session, person.id)
    entries = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id.in_(ids))
        .order_by(AuditEvent.at_dt, AuditEvent.id)
    ).all()
    actors = audit_log.people(session, (e.actor_id for e in entries))
    return [_entry(e, actors.get(e.actor_id) if e.actor_id else None, ids) for e in entries]


def _entry(event: AuditEvent, actor: audit_log.Person | None, own_ids: set[int]) -> dict[str, Any]:
    by_self = event.actor_id is not None and event.actor_id in own_ids
    if event.actor_id is None:
        name, role = None, audit_log.SYSTEM
    elif actor is None:  # an account no longer there
        name, role = None, None
    else:
        name, role = actor.name, actor.role
    return {
        "at": sections.when(event.at_dt),
        "action": event.action,
        "actor_name": name,
        "actor_role": role,
        "by_self": by_self,
        "ip": event.ip if by_self else None,
    }


def counts(document: dict[str, Any]) -> dict[str, int]:
    """How many entries each list section of a document holds (the person page's summary)."""
    return {name: len(document.get(name) or []) for name in LIST_SECTIONS}
