"""`/api/v1/waitlist`: the waiting list (issue #13).

``GET /waitlist`` lists a client's own entries, or for staff everyone waiting (``branch_id``,
``area`` filters). ``POST /waitlist`` ``{area, branch_id, from_date?, to_date?, client_id?}``
joins (201; 409 ``already_waiting``); staff name the client, a client joins for themselves.
``DELETE /waitlist/{entry_id}`` leaves (409 ``not_waiting`` when closed already).
``POST /waitlist/offers/{offer_id}/accept`` books the held slot (201, the consultation; 409
``offer_expired`` / ``offer_closed``); ``.../decline`` keeps the place and passes the slot on.
The rules are `services.waitlist`'s.
"""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify

from ...clock import utcnow
from ...domain.errors import InvalidInput
from ...extensions import db
from ...models import WaitlistEntry
from ...services import waitlist
from ..common import booking_flow as f
from ..common.access import current_actor
from . import inputs, serializers
from .responses import login_required
from .views import bp


def entry_json(entry: WaitlistEntry) -> dict:
    offer = entry.open_offer
    return {
        "id": entry.id,
        "status": entry.status,
        "client_id": entry.client_id,
        "area": entry.area.code,
        "branch_id": entry.branch_id,
        "from_date": entry.from_date.isoformat() if entry.from_date else None,
        "to_date": entry.to_date.isoformat() if entry.to_date else None,
        "created_at": serializers.iso(entry.created_at_dt),
        "consultation_id": entry.consultation_id,
        "offer": None
        if offer is None
        else {
            "id": offer.id,
            "start": serializers.iso(offer.start_dt),
            "end": serializers.iso(offer.end_dt),
            "expert": {"id": offer.expert_id, "name": serializers.expert_name(offer.expert)},
            "expires_at": serializers.iso(offer.expires_at_dt),
        },
    }


def _date_field(body: dict, name: str) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(field=name, reason="malformed")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field=name, reason="malformed") from None


@bp.get("/waitlist")
@login_required
def waitlist_list() -> Response:
    user = current_actor()
    if user.is_client:
        entries = waitlist.entries_of(db.session, user.id, limit=100)
    else:
        entries = waitlist.queue(
            db.session,
            user,
            branch_id=inputs.int_arg("branch_id", required=False),
            area_code=inputs.str_arg("area", required=False),
        )
    return jsonify([entry_json(e) for e in entries])


@bp.post("/waitlist")
@login_required
def waitlist_join() -> tuple[Response, int]:
    body = inputs.json_body()
    request = waitlist.JoinRequest(
        area_code=inputs.str_field(body, "area", max_length=40),
        branch_id=inputs.int_field(body, "branch_id"),
        from_date=_date_field(body, "from_date"),
        to_date=_date_field(body, "to_date"),
        client_id=inputs.int_field(body, "client_id", required=False),
    )
    entry = waitlist.join(
        db.session, request, actor=current_actor(), now=utcnow(), policy=f.policy(),
        notices=f.notices(),
    )  # fmt: skip
    return jsonify(entry_json(entry)), 201


@bp.delete("/waitlist/<id:entry_id>")
@login_required
def waitlist_leave(entry_id: int) -> Response:
    entry = waitlist.leave(db.session, entry_id, actor=current_actor(), now=utcnow())
    return jsonify(entry_json(entry))


@bp.post("/waitlist/offers/<id:offer_id>/accept")
@login_required
def waitlist_offer_accept(offer_id: int) -> tuple[Response, int]:
    user = current_actor()
    consultation = waitlist.accept(
        db.session, offer_id, actor=user, now=utcnow(), policy=f.policy(), notices=f.notices()
    )
    return jsonify(serializers.consultation(consultation, user)), 201


@bp.post("/waitlist/offers/<id:offer_id>/decline")
@login_required
def waitlist_offer_decline(offer_id: int) -> Response:
    entry = waitlist.decline(
        db.session, offer_id, actor=current_actor(), now=utcnow(), policy=f.policy(),
        notices=f.notices(),
    )  # fmt: skip
    return jsonify(entry_json(entry))
