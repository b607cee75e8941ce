"""Model and domain objects -> JSON-ready dicts for the API.

Times leave the API as ISO 8601 in Europe/Warsaw *with* the UTC offset of that instant
(``2026-03-30T09:00:00+02:00``), so a client can show the wall time without a time-zone database
and still compare instants correctly across the DST change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from ...domain.calendar import WARSAW
from ...domain.consultations import can_read_notes
from ...domain.slots import Slot
from ...models import Area, Branch, Consultation, User

JSON = dict[str, Any]


def iso(value: datetime) -> str:
    """An aware datetime as Warsaw wall time with its offset, to the second."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}")
    return value.astimezone(WARSAW).isoformat(timespec="seconds")


def slot(item: Slot) -> JSON:
    return {
        "expert_id": item.expert_id,
        "branch_id": item.branch_id,
        "start": iso(item.start),
        "end": iso(item.end),
    }


def branch(item: Branch) -> JSON:
    return {
        "id": item.id,
        "code": item.code,
        "name": item.name,
        "parent_id": item.parent_id,
        "address": item.address,
        "phone": item.phone,
    }


def domain(item: Area, locale: str) -> JSON:
    return {"code": item.code, "name": item.name(locale)}


def expert_name(user: User) -> str:
    """The name with the professional title (``mec. Anna Nowak``), as clients see it."""
    return user.public_name


def expert(user: User) -> JSON:
    profile = user.expert_profile
    return {
        "id": user.id,
        "name": expert_name(user),
        "domains": [d.code for d in profile.domains] if profile else [],
        "branches": [b.id for b in profile.branches if b.active] if profile else [],
    }


def user(item: User | None) -> JSON | None:
    if item is None:
        return None
    return {
        "id": item.id,
        "name": item.full_name,
        "email": item.email,
        "role": str(item.role),
        "language": item.preferred_language,
    }


def consultation(item: Consultation, viewer: User | None = None) -> JSON:
    """The consultation; its private notes only when `viewer` may read them (its expert or a
    manager: `domain.consultations.can_read_notes`), never for a client."""
    body = {
        "id": item.id,
        "status": str(item.status),
        "start": iso(item.start_dt),
        "end": iso(item.end_dt),
        "expert": {"id": item.expert_id, "name": expert_name(item.expert)},
        "branch": {"id": item.branch_id, "name": item.branch.name},
        "domain": item.domain.code,
        "client_id": item.client_id,
        "attendee_ids": sorted(a.user_id for a in item.attendees),
        "topic": item.topic,
        "sequence": item.sequence,
        "url": consultation_url(item),
        "ics_url": ics_url(item),
        # The outcome (issue #11): None until the expert records it; never automatic.
        "attendees": [
            {"user_id": a.user_id, "attended": a.attended}
            for a in sorted(item.attendees, key=lambda a: a.user_id)
        ],
        "duration_min": item.duration_min,
        "topic_category": item.topic_category.code if item.topic_category else None,
        "outcome_recorded_at": iso(item.outcome_at_dt) if item.outcome_at_dt else None,
    }
    if viewer is not None and can_read_notes(viewer, item):
        body["notes"] = item.notes or ""
    return body


def consultation_url(item: Consultation) -> str:
    return url_for("api.consultation_get", consultation_id=item.id)


def ics_url(item: Consultation) -> str:
    return url_for("api.consultation_ics", consultation_id=item.id)
