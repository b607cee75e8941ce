"""The audit trail: one `AuditEvent` per state change, added to the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, User

IP_MAX_LENGTH = 45  # the column: an IPv6 address in its longest text form


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target: Any = None,
    details: Mapping[str, Any] | None = None,
    ip: str = "",
    now: datetime,
    subject: User | int | None = None,
) -> AuditEvent:
    """Add an audit event (the caller commits, so the event and the change land together).

    `actor` is None for the system (command line, anonymous visitors). `target` is any mapped
    object with an `id`; a new one is flushed first so its id is known. `subject` is the person
    whose data the event is about; by default the target when it is a person, or the client of
    a target consultation. `details` hold names and ids, never a copy of personal data.
    """
    target_type = ""
    target_id = None
    if target is not None:
        if getattr(target, "id", None) is None:
            session.flush()
        target_type = type(target).__name__.lower()
        target_id = target.id
    if actor is not None and actor.id is None:
        session.flush()
    event = AuditEvent(
        at_dt=now,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        subject_id=_subject_id(target, subject),
        details=dict(details or {}),
        ip=(ip or "")[:IP_MAX_LENGTH],
    )
    session.add(event)
    return event


def _subject_id(target: Any, subject: User | int | None) -> int | None:
    if subject is not None:
        return subject if isinstance(subject, int) else subject.id
    if isinstance(target, User):
        return target.id
    client_id = getattr(target, "client_id", None)  # a consultation, a waitlist entry
    if isinstance(client_id, int):
        return client_id
    user_id = getattr(target, "user_id", None)  # an event registration, a certificate
    return user_id if isinstance(user_id, int) else None


MERGED = "person.merged"


def subject_ids(session: Session, person_id: int) -> set[int]:
    """The person's id and the ids of every record merged into theirs (the trail keeps those)."""
    ids, todo = {person_id}, [person_id]
    while todo:
        kept = todo.pop()
        for details in session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == MERGED, AuditEvent.subject_id == kept
            )
        ):
            dropped = details.get("dropped") if isinstance(details, dict) else None
            if isinstance(dropped, int) and dropped not in ids:
                ids.add(dropped)
                todo.append(dropped)
    return ids
