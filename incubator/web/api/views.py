"""JSON API v1 (`/api/v1`): reference data, free slots, session, consultations.

Views are thin: read and check the input (`inputs`), call `services.booking` with the real clock
(`utcnow()`, read only here) and the logged-in user, serialise (`serializers`). Refusals are
`DomainError`s, turned into JSON errors in one place (`responses.domain_error`). The OpenAPI
document describing all of this is `openapi.py`; a test keeps the two in step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ...clock import utcnow
from ...domain.accounts import AuthError
from ...domain.booking_rules import BookingPolicy, InvalidInput
from ...domain.slots import Slot
from ...exports.calendar_entry import calendar_bytes
from ...exports.ics import uid_domain
from ...extensions import db, limiter
from ...services import authentication, booking, directory, outcomes
from ...services.consultations import get_visible, list_consultations, record_notes_viewed
from ...services.notifications import NoticeSettings
from ...services.slots import SlotQuery, cached_listing
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from ..common.limits import login_limit
from ..common.passwords import password_policy
from ..common.sessions import end_session, start_session
from . import inputs, outcome_inputs, serializers
from .openapi import openapi_document
from .responses import json_error, login_required, register_error_handlers

bp = Blueprint("api", __name__)

MAX_RANGE_DAYS = 62  # one request may ask for about two months of slots

register_error_handlers(bp)


def _policy() -> BookingPolicy:
    return booking.policy_from_config(current_app.config)


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


# --- reference data -------------------------------------------------------------------------


@bp.get("/branches")
def branches() -> Response:
    """Active offices; a filia comes right after its parent office and carries `parent_id`."""
    rows = []
    for office in directory.branch_tree(db.session):
        rows.append(serializers.branch(office))
        rows.extend(serializers.branch(f) for f in office.children if f.active)
    return jsonify(rows)


@bp.get("/domains")
def domains() -> Response:
    locale = _locale()
    return jsonify([serializers.domain(d, locale) for d in directory.domains(db.session)])


@bp.get("/experts")
def experts() -> Response:
    code = inputs.str_arg("domain", required=False)
    branch_id = inputs.int_arg("branch", required=False)
    area = directory.resolve_area(db.session, code) if code is not None else None
    office = directory.resolve_branch(db.session, branch_id) if branch_id is not None else None
    found = directory.experts_for(db.session, area, office)
    return jsonify([serializers.expert(e) for e in found])


def _slot_json(slot: Slot) -> bytes:
    return current_app.json.dumps(serializers.slot(slot)).encode()


@bp.get("/slots")
@limiter.exempt  # public, read-only and cached; the per-request limit check cost ~10 %
def slots() -> Response:
    code = inputs.str_arg("domain")
    branch_id = inputs.int_arg("branch")
    expert_id = inputs.int_arg("expert", required=False)
    start_date = inputs.date_arg("from")
    end_date = inputs.date_arg("to")
    if end_date < start_date:
        raise InvalidInput(field="to", reason="before_from")
    if end_date - start_date >= timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(field="to", reason="range_too_long", max_days=MAX_RANGE_DAYS)
    # Cached per calendar versions and minute, exact on the minimum notice (services/slots.py).
    body = cached_listing(
        db.session,
        SlotQuery(code, branch_id, start_date, end_date, expert_id),
        now=utcnow(),
        policy=_policy(),
        listen=current_app.config["SLOT_LISTEN"],
        render=_slot_json,
        render_key="api-json",
        assemble=_json_array,
    )
    return current_app.response_class(body, mimetype="application/json")


def _json_array(parts: list[bytes]) -> bytes:
    return b"[" + b", ".join(parts) + b"]"


# --- session --------------------------------------------------------------------------------


def _session_state() -> dict[str, Any]:
    user = current_actor() if current_user.is_authenticated else None
    return {"user": serializers.user(user), "csrf_token": generate_csrf()}


@bp.get("/session")
def session_get() -> Response:
    return jsonify(_session_state())


@bp.post("/session")
@login_limit
def session_login() -> Any:
    data = inputs.json_body()
    email = inputs.str_field(data, "email", max_length=254)
    password = inputs.str_field(data, "password", max_length=1024)
    try:
        user = authentication.authenticate(
            db.session, email, password, utcnow(), policy=password_policy(), ip=client_ip()
        )
    except AuthError as error:
        return json_error(status_for(error), error.code, message_for(error))
    start_session(user)  # a fresh session: the old CSRF token is gone, the new one is returned
    return jsonify(_session_state())


@bp.delete("/session")
def session_logout() -> Response:
    if current_user.is_authenticated:
        end_session()
    return jsonify(_session_state())


# --- consultations --------------------------------------------------------------------------


def _shown(consultations: list[Any]) -> list[dict[str, Any]]:
    """Serialised for the logged-in user; private notes they were shown leave an audit entry
    (after serialising: the audit write begins a fresh transaction)."""
    viewer = current_actor()
    bodies = [serializers.consultation(c, viewer) for c in consultations]
    record_notes_viewed(db.session, viewer, consultations, now=utcnow(), via="api", ip=client_ip())
    return bodies


@bp.get("/consultations")
@login_required
def consultations_list() -> Response:
    viewer = current_actor()
    if outcome_inputs.bool_arg("awaiting_outcome"):
        # The expert's "to record" list (a manager's: everyone's), as on the page.
        waiting = outcomes.awaiting_outcome(db.session, viewer, utcnow())
        return jsonify(_shown(waiting))
    start_date = inputs.date_arg("from", required=False)
    end_date = inputs.date_arg("to", required=False)
    if start_date and end_date and end_date < start_date:
        raise InvalidInput(field="to", reason="before_from")
    found = list_consultations(
        db.session,
        viewer,
        expert_id=inputs.int_arg("expert", required=False),
        branch_id=inputs.int_arg("branch", required=False),
        date_from=start_date,
        date_to=end_date,
    )
    return jsonify(_shown(found))


@bp.post("/consultations")
@login_required
def consultation_create() -> Any:
    data = inputs.json_body()
    booking_request = booking.BookingRequest(
        expert_id=inputs.int_field(data, "expert_id"),
        branch_id=inputs.int_field(data, "branch_id"),
        domain_code=inputs.str_field(data, "domain", max_length=40),
        start=inputs.aware_datetime(data.get("start"), "start"),
        topic=inputs.str_field(data, "topic", required=False),
        client_id=inputs.int_field(data, "client_id", required=False),
        attendee_ids=inputs.id_list_field(data, "attendee_ids"),
    )
    consultation = booking.book(
        db.session,
        booking_request,
        actor=current_actor(),
        now=utcnow(),
        policy=_policy(),
        notices=NoticeSettings.from_config(current_app.config),
    )
    response = jsonify(serializers.consultation(consultation, current_actor()))
    response.status_code = 201
    response.headers["Location"] = serializers.consultation_url(consultation)
    return response


@bp.get("/consultations/<id:consultation_id>")
@login_required
def consultation_get(consultation_id: int) -> Response:
    consultation = get_visible(db.session, consultation_id, current_actor())
    return jsonify(_shown([consultation])[0])


@bp.get("/consultations/<id:consultation_id>.ics")
@login_required
def consultation_ics(consultation_id: int) -> Response:
    consultation = get_visible(db.session, consultation_id, current_actor())
    return Response(
        calendar_bytes(
            consultation,
            locale=_locale(),
            now=utcnow(),
            domain=uid_domain(current_app.config),
        ),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="konsultacja-{consultation.id}.ics"',
            "Cache-Control": "private, no-cache",
        },
    )


@bp.post("/consultations/<id:consultation_id>/cancel")
@login_required
def consultation_cancel(consultation_id: int) -> Response:
    data = inputs.json_body(allow_empty=True)
    consultation = booking.cancel(
        db.session,
        consultation_id,
        actor=current_actor(),
        reason=inputs.str_field(data, "reason", required=False),
        now=utcnow(),
        policy=_policy(),
        notices=NoticeSettings.from_config(current_app.config),
    )
    return jsonify(_shown([consultation])[0])


@bp.post("/consultations/<id:consultation_id>/reschedule")
@login_required
def consultation_reschedule(consultation_id: int) -> Response:
    data = inputs.json_body()
    consultation = booking.reschedule(
        db.session,
        consultation_id,
        actor=current_actor(),
        start=inputs.aware_datetime(data.get("start"), "start"),
        expert_id=inputs.int_field(data, "expert_id", required=False),
        branch_id=inputs.int_field(data, "branch_id", required=False),
        now=utcnow(),
        policy=_policy(),
        notices=NoticeSettings.from_config(current_app.config),
    )
    return jsonify(_shown([consultation])[0])


@bp.post("/consultations/<id:consultation_id>/outcome")
@login_required
def consultation_outcome(consultation_id: int) -> Response:
    """Record (or, for a manager, correct) who came, the actual length, the topic category and
    the private notes; the rules are `domain.outcomes`."""
    data = inputs.json_body()
    consultation = outcomes.record_outcome(
        db.session,
        current_actor(),
        consultation_id,
        outcome_inputs.attendance_field(data, "attendees"),
        outcome_inputs.whole_number_field(data, "duration_min"),
        inputs.str_field(data, "topic_category", max_length=40),
        inputs.str_field(data, "notes", required=False, max_length=outcome_inputs.MAX_NOTES),
        utcnow(),
        ip=client_ip(),
    )
    return jsonify(serializers.consultation(consultation, current_actor()))


# --- the description of all of the above ----------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(server_url=url_for("api.openapi").rsplit("/", 1)[0]))
