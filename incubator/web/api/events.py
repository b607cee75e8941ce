"""`/api/v1/events`: trainings and information meetings (issue #14).

``GET /events`` lists the events not over yet (``?all=1``: past ones too; ``kind``, ``branch_id``
filters) and ``GET /events/{event_id}`` reads one, for everyone logged in: its place, seats,
trainers and sessions, the caller's own registration, and for staff everyone registered.
``POST /events`` creates one (managers; 409 ``trainer_busy`` when a trainer has a consultation or
another session then). ``POST /events/{event_id}/registrations`` registers a client (themselves,
or anyone for staff); a full event answers 409 ``event_full`` with a ``waitlist`` offer: the same
request with ``"waitlist": true`` joins its waiting list. ``DELETE .../registrations/{id}``
cancels; a seat freed goes to the first person waiting, who is told. The rules are
`services.events` and `services.event_registrations`'.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, url_for

from ...clock import utcnow
from ...domain.errors import NotAllowed
from ...domain.events import EventFull
from ...extensions import db
from ...models import Event, EventRegistration, RegistrationStatus, User
from ...services import event_registrations, events
from ...services.notifications import NoticeSettings
from ..common.access import current_actor
from ..common.errors import message_for, status_for
from . import event_inputs, inputs, outcome_inputs, serializers
from .responses import json_error, login_required
from .views import bp

LIVE = (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)


def registration_json(item: EventRegistration) -> dict[str, Any]:
    return {
        "id": item.id,
        "event_id": item.event_id,
        "user_id": item.user_id,
        "status": item.status,
        "created_at": serializers.iso(item.created_at_dt),
        "seat_since": serializers.iso(item.seat_since_dt) if item.seat_since_dt else None,
        "cancelled_at": serializers.iso(item.cancelled_at_dt) if item.cancelled_at_dt else None,
    }


def _own(event: Event, viewer: User) -> EventRegistration | None:
    """The viewer's registration: the live one, else the latest cancelled one."""
    mine = [r for r in event.registrations if r.user_id == viewer.id]
    live = [r for r in mine if r.status in LIVE]
    return (live or mine or [None])[-1]


def event_json(event: Event, viewer: User) -> dict[str, Any]:
    """The event as `viewer` sees it: staff also get everyone registered (live or not)."""
    own = _own(event, viewer)
    body: dict[str, Any] = {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "topic": event.topic,
        "area": event.area.code if event.area else None,
        "branch": {"id": event.branch.id, "name": event.branch.name} if event.branch else None,
        "venue": event.venue or None,
        "capacity": event.capacity,
        "seats_taken": event.seats_taken,
        "seats_left": max(event.capacity - event.seats_taken, 0),
        "trainers": [{"id": t.id, "name": serializers.expert_name(t)} for t in event.trainers],
        "sessions": [
            {"id": s.id, "start": serializers.iso(s.start_dt), "end": serializers.iso(s.end_dt)}
            for s in event.sessions
        ],
        "cancelled_at": serializers.iso(event.cancelled_at_dt) if event.cancelled_at_dt else None,
        "url": url_for("api.event_get", event_id=event.id),
        "registration": registration_json(own) if own is not None else None,
    }
    if viewer.is_staff:
        body["registrations"] = [
            {"id": r.id, "user_id": r.user_id, "name": r.user.full_name, "status": r.status}
            for r in event.registrations
        ]
    return body


@bp.get("/events")
@login_required
def events_list() -> Response:
    found = events.listing(
        db.session,
        now=utcnow(),
        upcoming=not outcome_inputs.bool_arg("all"),
        kind=event_inputs.kind_arg(),
        branch_id=inputs.int_arg("branch_id", required=False),
    )
    viewer = current_actor()
    return jsonify([event_json(e, viewer) for e in found])


@bp.get("/events/<id:event_id>")
@login_required
def event_get(event_id: int) -> Response:
    return jsonify(event_json(events.get(db.session, event_id), current_actor()))


@bp.post("/events")
@login_required
def event_create() -> Response:
    """A new event with its sessions (managers only: refused before the body is read)."""
    actor = current_actor()
    if not actor.is_manager:
        raise NotAllowed(reason="managers_only")
    new = event_inputs.new_event(inputs.json_body())
    event = events.create(db.session, new, actor=actor, now=utcnow())
    response = jsonify(event_json(event, actor))
    response.status_code = 201
    response.headers["Location"] = url_for("api.event_get", event_id=event.id)
    return response


@bp.post("/events/<id:event_id>/registrations")
@login_required
def event_register(event_id: int) -> Any:
    asked = event_inputs.registration(inputs.json_body(allow_empty=True))
    try:
        registration = event_registrations.register(
            db.session, event_id, actor=current_actor(), now=utcnow(),
            user_id=asked.user_id, waitlist=asked.waitlist,
        )  # fmt: skip
    except EventFull as full:
        return _full(full, event_id, asked)
    return jsonify(registration_json(registration)), 201


def _full(full: EventFull, event_id: int, asked: event_inputs.RegistrationRequest) -> Any:
    """409 ``event_full`` with the way onto the waiting list: the same request, waiting."""
    event = events.get(db.session, event_id)
    waiting = sum(r.status == RegistrationStatus.WAITLISTED for r in event.registrations)
    body: dict[str, Any] = {"waitlist": True}
    if asked.user_id is not None:
        body["user_id"] = asked.user_id
    offer = {
        "available": True,
        "waiting": waiting,
        "join": {
            "method": "POST",
            "url": url_for("api.event_register", event_id=event_id),
            "body": body,
        },
    }
    return json_error(status_for(full), full.code, message_for(full), waitlist=offer)


@bp.delete("/events/<id:event_id>/registrations/<id:registration_id>")
@login_required
def event_registration_cancel(event_id: int, registration_id: int) -> Response:
    registration = event_registrations.cancel(
        db.session, event_id, registration_id, actor=current_actor(), now=utcnow(),
        notices=NoticeSettings.from_config(current_app.config),
    )  # fmt: skip
    return jsonify(registration_json(registration))


@bp.post("/events/<id:event_id>/cancel")
@login_required
def event_cancel(event_id: int) -> Response:
    """Call an event off before it starts (managers); everyone registered or waiting is told."""
    actor = current_actor()
    if not actor.is_manager:
        raise NotAllowed(reason="managers_only")
    body = inputs.json_body()
    event = events.cancel_event(
        db.session, event_id, actor=actor, reason=inputs.str_field(body, "reason"), now=utcnow(),
        notices=NoticeSettings.from_config(current_app.config),
    )  # fmt: skip
    return jsonify(event_json(event, actor))
