"""`GET /api/v1/audit`: the audit trail, filtered (managers; issue #15).

Query ``person_id`` (whose data, with the records merged into theirs), ``actor_id``, ``action``
(a code, or a family ending in a dot: ``participant.``), ``from`` / ``to`` (Warsaw local dates,
inclusive) and ``page`` (50 entries each), read by `domain.audit_trail.parse_filters` as on the
managers' page. A client or an expert gets 403 before any filter is read; a bad filter 422
``invalid_input`` naming it. Entries name people and records, never the data itself.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from ...extensions import db
from ...services import audit_log
from ...services.audit_log import AuditRow, Person
from ..common.access import current_actor
from ..common.audit_labels import action_label
from . import serializers
from .responses import login_required
from .views import bp

QUERY = ("person_id", "actor_id", "action", "from", "to", "page")


def _person(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {"id": person.id, "name": person.name}


def _actor(person: Person | None) -> dict[str, Any]:
    if person is None:
        return {"id": None, "name": None, "role": audit_log.SYSTEM}
    return {"id": person.id, "name": person.name, "role": person.role}


def row_json(row: AuditRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": serializers.iso(row.at),
        "actor": _actor(row.actor),
        "action": row.action,
        "action_label": action_label(row.action),
        "subject": _person(row.subject),
        "target": {"type": row.target_type, "id": row.target_id} if row.target_type else None,
        "details": row.details,
        "ip": row.ip,
    }


@bp.get("/audit")
@login_required
def audit_list() -> Response:
    args = {name: request.args.get(name, "") for name in QUERY}
    _filters, page = audit_log.browse_query(db.session, current_actor(), args)
    return jsonify(
        {
            "items": [row_json(r) for r in page.rows],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )
