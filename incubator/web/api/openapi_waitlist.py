"""The waiting list's part of the OpenAPI document (`web.api.waitlist`), kept apart from the
long `openapi` module; it uses that module's helpers."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _schemas() -> tuple[Schema, Schema]:
    """The entry (with its open offer) and the join request."""
    from .openapi import DATE, ID

    offer = {
        "type": ["object", "null"],
        "description": "The slot held for this person now (null: none).",
        "required": ["id", "start", "end", "expert", "expires_at"],
        "properties": {
            "id": ID, "start": {"type": "string"}, "end": {"type": "string"},
            "expert": {"type": "object", "properties": {"id": ID, "name": {"type": "string"}}},
            "expires_at": {"type": "string", "description": "Held until then; then it passes "
                           "to the next person and the entry lapses."},
        },
    }  # fmt: skip
    entry = {
        "type": "object",
        "required": ["id", "status", "client_id", "area", "branch_id", "offer"],
        "properties": {
            "id": ID,
            "status": {"enum": ["waiting", "offered", "booked", "left", "lapsed"]},
            "client_id": ID, "area": {"type": "string"}, "branch_id": ID,
            "from_date": {"type": ["string", "null"]}, "to_date": {"type": ["string", "null"]},
            "created_at": {"type": "string"},
            "consultation_id": {"type": ["integer", "null"]},
            "offer": offer,
        },
    }  # fmt: skip
    join = {
        "type": "object", "required": ["area", "branch_id"],
        "properties": {
            "area": {"type": "string", "description": "Area code, e.g. `law`."},
            "branch_id": ID, "from_date": DATE, "to_date": DATE,
            "client_id": {**ID, "description": "Staff: whom for. A client joins for themselves."},
        },
    }  # fmt: skip
    return entry, join


def _operation(name, summary, description, security, params, ok, body=None) -> Schema:
    from .openapi import STATE_CHANGING, _json, _param, _ref, _resp

    conflict = _json(
        _ref("Error"),
        "`already_waiting`, `not_waiting`, `offer_expired` (the hold ran out) or `offer_closed`.",
    )
    errors = {
        "401": _resp("Unauthorized"), "403": _resp("Forbidden"), "404": _resp("NotFound"),
        "409": conflict, "422": _resp("InvalidInput"),
    }  # fmt: skip
    if security is STATE_CHANGING:
        errors["400"] = _resp("CsrfFailed")
    operation = {
        "operationId": name, "tags": ["waitlist"], "summary": summary,
        "description": description, "security": security,
        "parameters": [*params, _param("Lang")], "responses": {**ok, **errors},
    }  # fmt: skip
    if body is not None:
        operation["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": body}}
        }  # fmt: skip
    return operation


def waitlist_paths() -> dict[str, Schema]:
    from .openapi import ID, LOGGED_IN, STATE_CHANGING, _json, _query, _ref

    entry, join = _schemas()
    op = _operation
    entry_id = {"name": "entry_id", "in": "path", "required": True, "schema": ID}
    offer_id = {"name": "offer_id", "in": "path", "required": True, "schema": ID}
    listing = [
        _query("branch_id", "Staff: only this office.", ID),
        _query("area", "Staff: only this area (code).", {"type": "string"}),
    ]
    # fmt: off
    return {
        "/waitlist": {
            "get": op("waitlist_list", "The waiting list",
                      "A client's own entries (live first); for staff everyone waiting, in order.",
                      LOGGED_IN, listing,
                      {"200": _json({"type": "array", "items": entry}, "Entries.")}),
            "post": op("waitlist_join", "Join the waiting list for an area at an office",
                       "Optionally for a range of days. A slot that is free already is offered "
                       "at once (the entry comes back `offered`). Experts may not join anyone.",
                       STATE_CHANGING, [], {"201": _json(entry, "On the list.")}, join),
        },
        "/waitlist/{entry_id}": {
            "delete": op("waitlist_leave", "Leave the waiting list",
                         "An open offer is withdrawn and passes to the next person.",
                         STATE_CHANGING, [entry_id], {"200": _json(entry, "Left.")}),
        },
        "/waitlist/offers/{offer_id}/accept": {
            "post": op("waitlist_offer_accept", "Confirm an offer: book the held slot",
                       "By the person waiting, or staff for them. Every booking rule applies.",
                       STATE_CHANGING, [offer_id],
                       {"201": _json(_ref("Consultation"), "Booked.")}),
        },
        "/waitlist/offers/{offer_id}/decline": {
            "post": op("waitlist_offer_decline", "Decline an offer, keeping the place",
                       "The slot passes to the next person; it is not offered to this one again.",
                       STATE_CHANGING, [offer_id], {"200": _json(entry, "Back to waiting.")}),
        },
    }
    # fmt: on
