"""The events' part of the OpenAPI document (`web.api.events`, issue #14), kept apart from the
long `openapi` module; it uses that module's helpers. `event_schemas` go into the document's
components, `event_paths` into its paths."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _event() -> Schema:
    from .openapi import DATE_TIME_WITH_OFFSET, ID, _ref

    named = {"type": "object", "required": ["id", "name"],
             "properties": {"id": ID, "name": {"type": "string"}}}  # fmt: skip
    session = {
        "type": "object", "required": ["id", "start", "end"],
        "properties": {"id": ID, "start": DATE_TIME_WITH_OFFSET, "end": DATE_TIME_WITH_OFFSET},
    }  # fmt: skip
    registered = {
        "type": "object", "required": ["id", "user_id", "name", "status"],
        "properties": {"id": ID, "user_id": ID, "name": {"type": "string"},
                       "status": _ref("RegistrationStatus")},
    }  # fmt: skip
    return {
        "type": "object",
        "required": [
            "id", "kind", "title", "topic", "area", "branch", "venue", "capacity", "seats_taken",
            "seats_left", "trainers", "sessions", "cancelled_at", "url", "registration",
        ],
        "properties": {
            "id": ID,
            "kind": {"enum": ["training", "information_meeting"]},
            "title": {"type": "string"}, "topic": {"type": "string"},
            "area": {"type": ["string", "null"], "description": "Area code, e.g. `law`."},
            "branch": {"oneOf": [named, {"type": "null"}],
                       "description": "The office it is held at; null at an outside venue."},
            "venue": {"type": ["string", "null"], "description": "An outside address."},
            "capacity": {"type": "integer", "minimum": 1},
            "seats_taken": {"type": "integer", "minimum": 0},
            "seats_left": {"type": "integer", "minimum": 0},
            "trainers": {"type": "array", "items": named,
                         "description": "Experts leading it, named as clients see them."},
            "sessions": {"type": "array", "items": session, "description": "In time order."},
            "cancelled_at": NULLABLE_TIME,
            "url": {"type": "string"},
            "registration": {
                "oneOf": [_ref("EventRegistration"), {"type": "null"}],
                "description": "The caller's own: the live one, else the latest cancelled one.",
            },
            "registrations": {
                "type": "array", "items": registered,
                "description": "Staff only (absent for clients): everyone registered, waiting "
                "or cancelled, in the order they registered.",
            },
        },
    }  # fmt: skip


def _registration() -> Schema:
    from .openapi import DATE_TIME_WITH_OFFSET, ID, _ref

    return {
        "type": "object",
        "required": ["id", "event_id", "user_id", "status", "created_at", "seat_since",
                     "cancelled_at"],
        "properties": {
            "id": ID, "event_id": ID, "user_id": ID, "status": _ref("RegistrationStatus"),
            "created_at": DATE_TIME_WITH_OFFSET,
            "seat_since": {**NULLABLE_TIME, "description": "When the seat became theirs "
                           "(registered, or promoted from the waiting list)."},
            "cancelled_at": NULLABLE_TIME,
        },
    }  # fmt: skip


def _new_event() -> Schema:
    from .openapi import DATE_TIME_WITH_OFFSET, ID

    session = {
        "type": "object", "required": ["start", "end"], "additionalProperties": False,
        "properties": {"start": DATE_TIME_WITH_OFFSET, "end": DATE_TIME_WITH_OFFSET},
    }  # fmt: skip
    return {
        "type": "object", "additionalProperties": False,
        "required": ["kind", "title", "capacity", "trainer_ids", "sessions"],
        "description": "An office (`branch_id`) or an outside `venue`, or both; at least one.",
        "properties": {
            "kind": {"enum": ["training", "information_meeting"]},
            "title": {"type": "string", "maxLength": 200},
            "branch_id": ID, "venue": {"type": "string", "maxLength": 300},
            "capacity": {"type": "integer", "minimum": 1, "maximum": 10000},
            "trainer_ids": {"type": "array", "items": ID, "maxItems": 50,
                            "description": "Experts leading it (may be empty for a meeting). "
                            "Their time is taken for every session."},
            "sessions": {"type": "array", "items": session, "minItems": 1, "maxItems": 60,
                         "description": "Each in the future, at most 12 hours, none "
                         "overlapping another. With a UTC offset."},
            "topic": {"type": "string", "maxLength": 300},
            "area": {"type": "string", "description": "Area code, e.g. `law`."},
        },
    }  # fmt: skip


def _new_registration() -> Schema:
    from .openapi import ID

    return {
        "type": "object", "additionalProperties": False,
        "properties": {
            "user_id": {**ID, "description": "Staff: whom for. A client registers themselves "
                        "(`{}`)."},
            "waitlist": {"type": "boolean", "default": False,
                         "description": "When no seat is left, join the waiting list (201, "
                         "status `waitlisted`) instead of 409 `event_full`."},
        },
    }  # fmt: skip


def _full_error() -> Schema:
    """`event_full`'s body: the error, and how to join the waiting list instead."""
    from .openapi import _ref

    join = {
        "type": "object", "required": ["method", "url", "body"],
        "description": "The request that joins the waiting list: this one again, waiting.",
        "properties": {"method": {"const": "POST"}, "url": {"type": "string"},
                       "body": _ref("NewEventRegistration")},
    }  # fmt: skip
    return {
        "allOf": [_ref("Error")],
        "type": "object", "required": ["error", "waitlist"],
        "properties": {"waitlist": {
            "type": "object", "required": ["available", "waiting", "join"],
            "properties": {
                "available": {"type": "boolean",
                              "description": "Whether the event takes a waiting list."},
                "waiting": {"type": "integer", "minimum": 0,
                            "description": "People waiting already, ahead of the caller."},
                "join": join,
            },
        }},
    }  # fmt: skip


def event_schemas() -> dict[str, Schema]:
    return {
        "Event": _event(),
        "EventRegistration": _registration(),
        "RegistrationStatus": {
            "enum": ["registered", "waitlisted", "cancelled"],
            "description": "`registered` holds a seat; `waitlisted` waits for one (a freed "
            "seat goes to the first person waiting, who is told); `cancelled`.",
        },
        "NewEvent": _new_event(),
        "NewEventRegistration": _new_registration(),
        "EventFullError": _full_error(),
    }


def _operation(
    name, summary, description, security, params, ok, errors, body=None, body_required=True
) -> Schema:
    from .openapi import STATE_CHANGING, _param, _resp

    if security is STATE_CHANGING:
        errors = {**errors, "400": _resp("CsrfFailed"), "503": _resp("Busy")}
    operation = {
        "operationId": name, "tags": ["events"], "summary": summary,
        "description": description, "security": security,
        "parameters": [*params, _param("Lang")],
        "responses": {**ok, "401": _resp("Unauthorized"), **errors},
    }  # fmt: skip
    if body is not None:
        operation["requestBody"] = {
            "required": body_required,
            "content": {"application/json": {"schema": body}},
        }  # fmt: skip
    return operation


def _errors() -> dict[str, Schema]:
    from .openapi import _json, _ref, _resp

    error = _ref("Error")
    return {
        "invalid": _resp("InvalidInput"), "forbidden": _resp("Forbidden"),
        "not_found": _json(error, "`not_found`: no such event (or registration of this event "
                           "the caller may see)."),
        "trainer_busy": _json(error, "`trainer_busy`: a trainer has a consultation or another "
                              "session at one of the times; nothing was written."),
        "register": _json({"anyOf": [_ref("EventFullError"), error]},
                          "`event_full` with the `waitlist` offer; `already_registered` (a "
                          "live registration or place on the waiting list exists); "
                          "`event_started` (registration closes when the first session "
                          "begins)."),
        "cancel": _json(error, "`not_registered` (cancelled already) or `event_started`."),
    }  # fmt: skip


def _listing_query() -> list[Schema]:
    from .openapi import ID, _query

    return [
        _query("kind", "Only this kind.", {"enum": ["training", "information_meeting"]}),
        _query("branch_id", "Only events at this office.", ID),
        _query("all", "`1` or `true`: past events too (default: those not over yet).",
               {"enum": ["1", "0", "true", "false"]}),
    ]  # fmt: skip


def _cancel_operation(event_id: Schema, e: dict[str, Schema]) -> Schema:
    from .openapi import STATE_CHANGING, _json, _ref

    op = _operation
    # fmt: off
    return op("event_cancel", "Call an event off (managers)",
                       "Before its first session begins. The trainers' time is free again; "
                       "everyone registered or waiting is told (e-mail, or the staff's list to "
                       "call), with the reason. Its sessions stay in calendars as cancelled.",
                       STATE_CHANGING, [event_id], {"200": _json(_ref("Event"), "Called off.")},
                       {"403": e["forbidden"], "404": e["not_found"], "409": e["cancel"],
                        "422": e["invalid"]},
                       {"type": "object", "required": ["reason"],
                        "properties": {"reason": {"type": "string", "maxLength": 300}}})
    # fmt: on


def event_paths() -> dict[str, Schema]:
    from .openapi import ID, LOGGED_IN, STATE_CHANGING, _json, _ref

    e = _errors()
    op = _operation
    event_id = {"name": "event_id", "in": "path", "required": True, "schema": ID}
    registration_id = {"name": "registration_id", "in": "path", "required": True, "schema": ID}
    listing = _listing_query()
    registration = _ref("EventRegistration")
    # fmt: off
    return {
        "/events": {
            "get": op("events_list", "Trainings and information meetings",
                      "Those not over yet (a session ends in the future), in time order; "
                      "cancelled ones are left out. Everyone logged in.",
                      LOGGED_IN, listing,
                      {"200": _json({"type": "array", "items": _ref("Event")}, "Events.")},
                      {"422": e["invalid"]}),
            "post": op("event_create", "Create an event with its sessions (managers)",
                       "The trainers' time is taken for every session in the same "
                       "transaction: the database refuses a session over one of their "
                       "consultations or other sessions. Others get 403 whatever the body.",
                       STATE_CHANGING, [], {"201": _json(_ref("Event"), "Created.", headers={
                           "Location": {"schema": {"type": "string"}}})},
                       {"403": e["forbidden"], "409": e["trainer_busy"], "422": e["invalid"]},
                       _ref("NewEvent")),
        },
        "/events/{event_id}": {
            "get": op("event_get", "One event",
                      "With the caller's own registration; staff also see everyone registered.",
                      LOGGED_IN, [event_id], {"200": _json(_ref("Event"), "The event.")},
                      {"404": e["not_found"]}),
        },
        "/events/{event_id}/cancel": {"post": _cancel_operation(event_id, e)},
        "/events/{event_id}/registrations": {
            "post": op("event_register", "Register for an event",
                       "A client registers themselves (`{}`); staff register a client "
                       "(`{\"user_id\": …}`), e.g. one without e-mail who called. A full "
                       "event answers 409 `event_full` with a `waitlist` offer: send "
                       "`waitlist.join.body` to `waitlist.join.url` (this request with "
                       "`\"waitlist\": true`) to wait for a seat.",
                       STATE_CHANGING, [event_id],
                       {"201": _json(registration, "Registered, or waiting (`waitlisted`).")},
                       {"403": e["forbidden"], "404": e["not_found"], "409": e["register"],
                        "422": e["invalid"]},
                       _ref("NewEventRegistration"), body_required=False),
        },
        "/events/{event_id}/registrations/{registration_id}": {
            "delete": op("event_registration_cancel", "Cancel a registration",
                         "The person's own, or anyone's for staff, until the first session "
                         "begins. A seat freed goes to the first person waiting at once; "
                         "they are told by e-mail, or put on the staff's list to call.",
                         STATE_CHANGING, [event_id, registration_id],
                         {"200": _json(registration, "Cancelled.")},
                         {"404": e["not_found"], "409": e["cancel"]}),
        },
    }
    # fmt: on
