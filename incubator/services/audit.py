"""The audit trail: one `AuditEvent` per state change, added to the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
) -> AuditEvent:
    """Add an audit event (the caller commits, so the event and the change land together).

    `actor` is None for the system (command line, anonymous visitors). `target` is any mapped
    object with an `id`; a new one is flushed first so its id is known.
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
        details=dict(details or {}),
        ip=(ip or "")[:IP_MAX_LENGTH],
    )
    session.add(event)
    return event
