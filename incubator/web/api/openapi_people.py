"""The OpenAPI description of the people routes (issue #15), kept apart from the long `openapi`
module; it uses that module's helpers. Each route is one entry of `people_paths()`."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_LIST = {"type": "array", "items": {"type": "object"}}
_SECTION = {"type": ["object", "null"]}


def export_schema() -> Schema:
    """The subject access document (`services.subject_access`), described at the top level;
    docs/subject-access.md describes every field of the sections."""
    from .openapi import ID

    return {
        "type": "object",
        "required": [
            "format", "generated_at", "person_id", "for", "withheld", "withheld_explained",
            "account", "information", "participant_record", "expert_profile", "projects",
            "consultations", "founding_groups", "events", "waiting_list", "messages",
            "call_tasks", "calendar_feeds", "staff_work", "audit",
        ],
        "properties": {
            "format": {"const": "inkubator.subject-access/1"},
            "generated_at": {"type": "string", "format": "date-time", "description": "UTC."},
            "person_id": ID,
            "for": {"enum": ["manager", "self"],
                    "description": "A manager's export, or the person's own download."},
            "withheld": {"type": "array", "items": {"enum": ["consultation_notes"]},
                         "description": "Parts left out of this export: the person's own "
                         "download leaves out the experts' notes (they may ask for them)."},
            "withheld_explained": {"type": "object",
                                   "additionalProperties": {"type": "string"},
                                   "description": "A sentence per withheld part, translated."},
            "account": {"type": "object", "required": ["id", "full_name", "role"]},
            "information": {"type": "object", "required": ["consent_dt", "informed_via"]},
            "participant_record": {**_SECTION, "description": "Every answer, PESEL included; "
                                   "null for staff accounts."},
            "expert_profile": _SECTION,
            "projects": _LIST, "consultations": _LIST, "founding_groups": _LIST,
            "events": _LIST, "waiting_list": _LIST,
            "messages": {**_LIST, "description": "Date, kind, subject, status; never bodies."},
            "call_tasks": _LIST,
            "calendar_feeds": {**_LIST, "description": "Which exist and since when; never the "
                               "token."},
            "staff_work": {**_SECTION, "description": "Counts, for staff accounts only."},
            "audit": {**_LIST, "description": "Entries about the person (and records merged "
                      "into theirs): when, what, who; the address only when they acted."},
        },
    }  # fmt: skip


def people_paths() -> dict[str, Any]:
    from .openapi import ID, LOGGED_IN, _json, _param, _ref, _resp

    person_id = {"name": "person_id", "in": "path", "required": True, "schema": ID}
    # fmt: off
    return {
        "/people/{person_id}/export": {
            "get": {
                "operationId": "person_export",
                "tags": ["people"],
                "summary": "Everything held about one person (RODO art. 15)",
                "description": "Managers export anyone (clients and staff accounts); a person "
                "exports themselves, without the experts' notes on consultations. Every export "
                "is recorded in the audit trail (`person.exported`).",
                "security": LOGGED_IN,
                "parameters": [person_id, _param("Lang")],
                "responses": {
                    "200": _json(export_schema(), "The export."),
                    "401": _resp("Unauthorized"),
                    "403": _json(_ref("Error"), "`export_not_allowed`: not a manager, and not "
                                 "the person themselves."),
                    "404": _json(_ref("Error"), "`unknown_person`: no person with this id."),
                },
            },
        },
    }
    # fmt: on
