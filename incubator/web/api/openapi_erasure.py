"""Erasure's part of the OpenAPI document (`web.api.erasure`): `POST /people/{id}/erase`."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

GROUNDS = ["funder_consent", "unlawful_processing", "authority_order"]
REFUSALS = (
    "`erasure_upcoming` (consultations, event seats or a held time ahead: cancel them first), "
    "`erasure_retention` (a project's retention date has not passed, or is not set, and no "
    "`ground` was given; the message names the projects and the date), `already_erased`, "
    "`erasure_staff_has_work` (a staff account with consultations or trainings), "
    "`erasure_self`."
)


def _schemas() -> tuple[Schema, Schema]:
    """The request body and the answer."""
    from .openapi import ID

    body = {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {
                "type": "string", "maxLength": 500,
                "description": "Why (e.g. the date and form of the person's request); kept in "
                "the audit trail.",
            },
            "ground": {
                "enum": GROUNDS,
                "description": "A documented legal ground to erase while a project's retention "
                "period still holds: the managing institution's written consent, Art. 17(1)(d) "
                "GDPR, or a decision of the UODO President or a court.",
            },
        },
    }  # fmt: skip
    done = {
        "type": "object",
        "required": ["id", "erased", "removed"],
        "properties": {
            "id": ID,
            "erased": {"const": True},
            "removed": {
                "type": "object", "additionalProperties": {"type": "integer"},
                "description": "What was removed, by kind: consultation_texts, "
                "waitlist_entries, messages, calls, calendar_feeds.",
            },
        },
    }  # fmt: skip
    return body, done


def erasure_paths() -> dict[str, Schema]:
    from .openapi import ID, STATE_CHANGING, _json, _param, _ref, _resp

    body, done = _schemas()
    operation = {
        "operationId": "erase_person",
        "tags": ["people"],
        "summary": "Anonymise a person (RODO art. 17), keeping every report's figures",
        "description": "Managers only. Removes the name, contact details, PESEL, locality, the "
        "free text of the consultations booked for the person, queued messages, calls and "
        "calendar addresses; removes the login and ends every session. The answers reports are "
        "counted from stay (the birth date is coarsened to one giving the same ages), so every "
        "report for any past period is unchanged. Recorded as `person.erased`.",
        "security": STATE_CHANGING,
        "parameters": [
            {"name": "person_id", "in": "path", "required": True, "schema": ID},
            _param("Lang"),
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "200": _json(done, "Anonymised."),
            "400": _resp("CsrfFailed"),
            "401": _resp("Unauthorized"),
            "403": _resp("Forbidden"),
            "404": _resp("NotFound"),
            "409": _json(_ref("Error"), "Refused, with the reason: " + REFUSALS),
            "422": _json(
                _ref("Error"), "`erasure_reason` (missing or too long), `erasure_ground` "
                "(not one of the grounds) or `invalid_input` (the body is not a JSON object)."
            ),
        },
    }  # fmt: skip
    return {"/people/{person_id}/erase": {"post": operation}}
