"""The audit trail's part of the OpenAPI document (`web.api.audit`), kept apart from the long
`openapi` module; it uses that module's helpers."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def _entry() -> Schema:
    from .openapi import ID

    nullable_id = {"type": ["integer", "null"]}
    nullable_name = {
        "type": ["string", "null"],
        "description": "The account's name now; null when the account no longer exists.",
    }
    return {
        "type": "object",
        "required": ["id", "at", "actor", "action", "action_label", "subject", "target",
                     "details", "ip"],
        "properties": {
            "id": ID,
            "at": {"type": "string", "description": "When, in Warsaw time with its offset."},
            "actor": {
                "type": "object", "required": ["id", "name", "role"],
                "description": "Who did it; role `system` (id and name null) for the command "
                               "line and for anonymous visitors (a failed log-in, a reset link).",
                "properties": {
                    "id": nullable_id, "name": nullable_name,
                    "role": {"type": ["string", "null"],
                             "enum": ["client", "expert", "manager", "system", None]},
                },
            },
            "action": {"type": "string", "examples": ["participant.viewed"]},
            "action_label": {"type": "string", "description": "The action in words (`lang`)."},
            "subject": {
                "type": ["object", "null"], "required": ["id", "name"],
                "description": "Whose data the entry is about (null: nobody's, e.g. a report).",
                "properties": {"id": ID, "name": nullable_name},
            },
            "target": {
                "type": ["object", "null"], "required": ["type", "id"],
                "description": "The record acted on, e.g. `consultation` 12.",
                "properties": {"type": {"type": "string"}, "id": nullable_id},
            },
            "details": {
                "type": "object",
                "description": "Ids, names and counts that say what changed (e.g. the report's "
                               "filters, the fields corrected); never the data itself.",
            },
            "ip": {"type": "string", "description": "The client's address (may be empty)."},
        },
    }  # fmt: skip


def audit_paths() -> dict[str, Schema]:
    from .openapi import DATE, ID, LOGGED_IN, _json, _param, _query, _resp

    page = {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": _entry()},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "const": 50},
            "total": {"type": "integer", "minimum": 0, "description": "Entries matching."},
        },
    }
    # fmt: off
    params = [
        _query("person_id", "Whose data: this person and every record merged into theirs.", ID),
        _query("actor_id", "Who did it (a user id).", ID),
        _query("action", "An action code (`participant.viewed`) or a family ending in a dot "
               "(`participant.`, `user.`).", {"type": "string", "maxLength": 64}),
        _query("from", "First Warsaw local date, inclusive.", DATE),
        _query("to", "Last Warsaw local date, inclusive.", DATE),
        _query("page", "Page of 50 entries (default 1).", {"type": "integer", "minimum": 1}),
    ]
    return {
        "/audit": {
            "get": {
                "operationId": "audit_list", "tags": ["audit"],
                "summary": "The audit trail, filtered (managers only)",
                "description": "Every view or export of a person's data or notes by staff, "
                "every outcome change, account change and report export: who, when, whose, "
                "what and from which address, newest first. Append-only: nobody can change "
                "or delete an entry. An id that matches nothing gives no entries. 403 for "
                "clients and experts; 422 `invalid_input` with `field` for a malformed id, "
                "date, action or page, or `to` before `from`.",
                "security": LOGGED_IN,
                "parameters": [*params, _param("Lang")],
                "responses": {
                    "200": _json(page, "One page of entries."),
                    "401": _resp("Unauthorized"), "403": _resp("Forbidden"),
                    "422": _resp("InvalidInput"),
                },
            }
        }
    }
    # fmt: on
