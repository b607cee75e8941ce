"""The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.

Written by hand next to the views (which are few and stable) rather than generated: the prose is
the documentation. `tests/web/test_openapi.py` validates it with openapi-spec-validator, checks
that every route under `/api/v1` in the URL map is described here with the same methods, and
checks real responses against the schemas, so the document cannot drift from the code.

The text here is for developers and stays in English; it is not user-facing.
"""

from __future__ import annotations

from typing import Any

from ...domain import (
    booking_rules,
    erasure,
    errors,
    events,
    group_moves,
    identifiers,
    outcomes,
    subject_access,
    waitlist,
)
from ...domain.founding import GroupStage, LegalForm, Register
from ...models.founding_group import LegalType
from ...services import group_stages
from .openapi_audit import audit_paths
from .openapi_erasure import erasure_paths
from .openapi_events import event_paths, event_schemas
from .openapi_people import people_paths
from .openapi_waitlist import waitlist_paths

Schema = dict[str, Any]

# Codes the web layer produces itself, on top of the domain's refusals the API can meet.
WEB_ERROR_CODES = (
    "invalid_input",
    "unauthorized",
    "invalid_credentials",
    "account_inactive",
    "no_password",
    "csrf_failed",
    "not_found",
    "method_not_allowed",
    "too_many_requests",
    "internal_error",
)


def error_codes() -> list[str]:
    """Every stable error code a client may meet (domain codes are collected, not listed)."""
    codes = set(WEB_ERROR_CODES)
    pending: list[type[errors.DomainError]] = [errors.DomainError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # The shared refusals and booking's own: the API books, it does not manage accounts or
        # consultation hours.
        if cls.__module__ in (
            errors.__name__,
            booking_rules.__name__,
            outcomes.__name__,
            # Founding groups (issue #12): moves, register numbers, a KRS taken.
            group_moves.__name__,
            identifiers.__name__,
            group_stages.__name__,
            waitlist.__name__,  # the waiting list (issue #13)
            events.__name__,  # trainings and information meetings (issue #14)
            erasure.__name__,  # anonymising a person (issue #15)
            subject_access.__name__,  # the export of a person's data (issue #15)
        ) and cls.code not in (
            errors.DomainError.code,
            booking_rules.BookingError.code,
            outcomes.OutcomeError.code,
            waitlist.WaitlistError.code,
            events.EventError.code,
            erasure.ErasureError.code,
        ):
            codes.add(cls.code)
    return sorted(codes)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Schema, description: str, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


def _array(name: str) -> Schema:
    return {"type": "array", "items": _ref(name)}


def _resp(name: str) -> Schema:
    return {"$ref": f"#/components/responses/{name}"}


def _param(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _query(name: str, description: str, schema: Schema, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


ID = {"type": "integer", "minimum": 1}
DATE = {"type": "string", "format": "date", "examples": ["2026-03-30"]}
DATE_TIME_WITH_OFFSET = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with a UTC offset, in Europe/Warsaw on output.",
    "examples": ["2026-03-30T09:00:00+02:00"],
}
STATE_CHANGING = [{"sessionCookie": [], "csrfToken": []}]
LOGGED_IN = [{"sessionCookie": []}]


def _schemas() -> dict[str, Schema]:
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {
                            "type": "string",
                            "description": "Stable, machine-readable; branch on this.",
                            "enum": error_codes(),
                        },
                        "message": {
                            "type": "string",
                            "description": "For people, in the request's language.",
                        },
                        "field": {
                            "type": "string",
                            "description": "With `invalid_input`: the parameter or body "
                            "field that was missing or wrong (`body` for malformed JSON).",
                        },
                    },
                }
            },
        },
        "SlotTakenError": {
            "allOf": [_ref("Error")],
            "type": "object",
            "required": ["error", "next_slots"],
            "properties": {
                "next_slots": {
                    "description": "The next free slots (this expert's first, else anyone's).",
                    **_array("Slot"),
                }
            },
        },
        "Slot": {
            "type": "object",
            "required": ["expert_id", "branch_id", "start", "end"],
            "properties": {
                "expert_id": ID,
                "branch_id": ID,
                "start": DATE_TIME_WITH_OFFSET,
                "end": DATE_TIME_WITH_OFFSET,
            },
        },
        "Branch": {
            "type": "object",
            "required": ["id", "code", "name", "parent_id", "address", "phone"],
            "properties": {
                "id": ID,
                "code": {"type": "string"},
                "name": {"type": "string"},
                "parent_id": {
                    "type": ["integer", "null"],
                    "description": "The parent office of a filia; null for an office.",
                },
                "address": {"type": "string"},
                "phone": {"type": "string"},
            },
        },
        "Domain": {
            "type": "object",
            "required": ["code", "name"],
            "properties": {
                "code": {
                    "type": "string",
                    "examples": ["law", "accounting", "marketing", "social-enterprise"],
                },
                "name": {"type": "string", "description": "In the request's language."},
            },
        },
        "Expert": {
            "type": "object",
            "required": ["id", "name", "domains", "branches"],
            "properties": {
                "id": ID,
                "name": {"type": "string", "description": "With title, e.g. `mec. Anna Nowak`."},
                "domains": {"type": "array", "items": {"type": "string"}},
                "branches": {"type": "array", "items": ID},
            },
        },
        "User": {
            "type": "object",
            "required": ["id", "name", "email", "role", "language"],
            "properties": {
                "id": ID,
                "name": {"type": "string"},
                "email": {"type": ["string", "null"]},
                "role": {"type": "string", "enum": ["client", "expert", "manager"]},
                "language": {"type": "string", "enum": ["pl", "en"]},
            },
        },
        "Session": {
            "type": "object",
            "required": ["user", "csrf_token"],
            "properties": {
                "user": {"oneOf": [_ref("User"), {"type": "null"}]},
                "csrf_token": {
                    "type": "string",
                    "description": "Send it as `X-CSRFToken` on every POST and DELETE.",
                },
            },
        },
        "Credentials": {
            "type": "object",
            "required": ["email", "password"],
            "properties": {
                "email": {"type": "string", "maxLength": 254},
                "password": {"type": "string", "maxLength": 1024},
            },
        },
        "Consultation": {
            "type": "object",
            "required": [
                "id",
                "status",
                "start",
                "end",
                "expert",
                "branch",
                "domain",
                "client_id",
                "attendee_ids",
                "topic",
                "sequence",
                "url",
                "ics_url",
            ],
            "properties": {
                "id": ID,
                "status": {
                    "type": "string",
                    "enum": ["booked", "cancelled", "attended", "no_show"],
                },
                "start": DATE_TIME_WITH_OFFSET,
                "end": DATE_TIME_WITH_OFFSET,
                "expert": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": ID, "name": {"type": "string"}},
                },
                "branch": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": ID, "name": {"type": "string"}},
                },
                "domain": {"type": "string", "description": "The domain code."},
                "client_id": ID,
                "attendee_ids": {"type": "array", "items": ID},
                "topic": {"type": "string"},
                "sequence": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "iCalendar SEQUENCE; rises on every change.",
                },
                "url": {"type": "string"},
                "ics_url": {"type": "string", "description": "The .ics of this consultation."},
                "attendees": {
                    "type": "array",
                    "description": "Each attendee and whether they came: `null` until the "
                    "expert records the outcome (never set automatically).",
                    "items": {
                        "type": "object",
                        "required": ["user_id", "attended"],
                        "properties": {
                            "user_id": ID,
                            "attended": {"type": ["boolean", "null"]},
                        },
                    },
                },
                "duration_min": {
                    "type": ["integer", "null"],
                    "description": "The actual length in minutes, once the outcome is recorded.",
                },
                "topic_category": {
                    "type": ["string", "null"],
                    "description": "The topic category's code (`seed_data/topic_categories."
                    "json`), once the outcome is recorded.",
                },
                "outcome_recorded_at": {**DATE_TIME_WITH_OFFSET, "type": ["string", "null"]},
                "notes": {
                    "type": "string",
                    "description": "The expert's private notes. Present only for the "
                    "consultation's expert and managers; never for clients or other experts.",
                },
            },
        },
        "Outcome": {
            "type": "object",
            "required": ["attendees", "duration_min", "topic_category"],
            "properties": {
                "attendees": {
                    "type": "array",
                    "maxItems": 50,
                    "description": "Every attendee exactly once, and nobody else "
                    "(`attendance_incomplete`, `not_an_attendee`).",
                    "items": {
                        "type": "object",
                        "required": ["user_id", "attended"],
                        "additionalProperties": False,
                        "properties": {"user_id": ID, "attended": {"type": "boolean"}},
                    },
                },
                "duration_min": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 480,
                    "description": "The actual length (`invalid_duration` outside 1..480).",
                },
                "topic_category": {
                    "type": "string",
                    "maxLength": 40,
                    "description": "An active category's code (`unknown_topic_category`).",
                },
                "notes": {
                    "type": "string",
                    "maxLength": 5000,
                    "description": "Private: only the expert and managers can read them.",
                },
            },
        },
        "NewConsultation": {
            "type": "object",
            "required": ["expert_id", "branch_id", "domain", "start"],
            "properties": {
                "expert_id": ID,
                "branch_id": ID,
                "domain": {"type": "string", "maxLength": 40},
                "start": {
                    **DATE_TIME_WITH_OFFSET,
                    "description": "A slot's `start` as given by `GET /slots`; the offset is "
                    "required (a naive time is refused with `invalid_input`).",
                },
                "topic": {"type": "string", "maxLength": 300},
                "client_id": {
                    "type": ["integer", "null"],
                    "description": "Staff only: the client it is for. A client books for "
                    "themselves (another id: 403 `forbidden`).",
                },
                "attendee_ids": {
                    "type": "array",
                    "items": ID,
                    "maxItems": 50,
                    "description": "Other clients from the client's founding group.",
                },
            },
        },
        "Cancellation": {
            "type": "object",
            "properties": {
                "reason": {
                    "type": "string",
                    "maxLength": 300,
                    "description": "Required when staff cancel.",
                }
            },
        },
        "Move": {
            "type": "object",
            "required": ["start"],
            "properties": {
                "start": DATE_TIME_WITH_OFFSET,
                "expert_id": {"type": ["integer", "null"]},
                "branch_id": {"type": ["integer", "null"]},
            },
        },
    }


def _responses() -> dict[str, Schema]:
    error = _ref("Error")
    return {
        "InvalidInput": _json(
            error,
            "Invalid input (`invalid_input`, with the offending field in the message) or a "
            "refused booking (`unknown_domain`, `unknown_branch`, `unknown_expert`, "
            "`not_a_slot`, `in_the_past`, `closed_day`, `too_short_notice`, "
            "`beyond_horizon`, ...). Malformed JSON is `invalid_input` too.",
        ),
        "CsrfFailed": _json(error, "`csrf_failed`: the `X-CSRFToken` header is missing or wrong."),
        "Unauthorized": _json(error, "`unauthorized`: not logged in."),
        "Forbidden": _json(error, "`forbidden`: logged in, but not allowed to do this."),
        "NotFound": _json(error, "`not_found`: no such consultation, or not one the user may see."),
        "Conflict": _json(
            error,
            "`too_many_bookings`, `overlapping_booking`, `not_cancellable` or "
            "`too_late_to_cancel`.",
        ),
        "SlotTaken": _json(
            {"anyOf": [_ref("SlotTakenError"), error]},
            "`slot_taken` with `next_slots`; or another conflict (`too_many_bookings`, "
            "`overlapping_booking`, `not_cancellable`, `too_late_to_cancel`).",
        ),
        "TooManyRequests": _json(error, "`too_many_requests`: the log-in rate limit."),
        "Busy": _json(
            error,
            "`busy`: the database stayed locked; try again after `Retry-After` seconds.",
            headers={"Retry-After": {"schema": {"type": "integer"}}},
        ),
    }


def _paths() -> dict[str, Schema]:
    slot_query = [
        _query("domain", "Domain code.", {"type": "string"}, required=True),
        _query("branch", "Branch id.", ID, required=True),
        _query("expert", "Only this expert's slots.", ID),
        _query("from", "First local date (Europe/Warsaw), inclusive.", DATE, required=True),
        _query(
            "to",
            "Last local date, inclusive; at most 62 days counting both ends.",
            DATE,
            required=True,
        ),
    ]
    consultation_id = _param("ConsultationId")
    lang = _param("Lang")
    write_errors = {
        "400": _resp("CsrfFailed"),
        "401": _resp("Unauthorized"),
        "403": _resp("Forbidden"),
        "404": _resp("NotFound"),
        "422": _resp("InvalidInput"),
        "503": _resp("Busy"),
    }
    return {
        "/branches": {
            "get": {
                "operationId": "branches",
                "tags": ["reference"],
                "summary": "Active offices and their filie",
                "parameters": [lang],
                "responses": {"200": _json(_array("Branch"), "Offices; filie after parents.")},
            }
        },
        "/domains": {
            "get": {
                "operationId": "domains",
                "tags": ["reference"],
                "summary": "Consultation areas, named in the request's language",
                "parameters": [lang],
                "responses": {"200": _json(_array("Domain"), "The areas.")},
            }
        },
        "/experts": {
            "get": {
                "operationId": "experts",
                "tags": ["reference"],
                "summary": "Active experts, optionally by domain and branch",
                "parameters": [
                    _query("domain", "Domain code.", {"type": "string"}),
                    _query("branch", "Branch id.", ID),
                    lang,
                ],
                "responses": {
                    "200": _json(_array("Expert"), "Experts by name."),
                    "422": _resp("InvalidInput"),
                },
            }
        },
        "/slots": {
            "get": {
                "operationId": "slots",
                "tags": ["booking"],
                "summary": "Free consultation slots (public)",
                "description": "Only slots that can be booked now: at least the minimum "
                "notice ahead, within the booking horizon, not on Sundays and holidays.",
                "parameters": [*slot_query, lang],
                "responses": {
                    "200": _json(_array("Slot"), "Slots by start, then expert."),
                    "422": _resp("InvalidInput"),
                },
            }
        },
        "/session": {
            "get": {
                "operationId": "session_get",
                "tags": ["session"],
                "summary": "Who is logged in, and the CSRF token for this session",
                "responses": {"200": _json(_ref("Session"), "The session.")},
            },
            "post": {
                "operationId": "session_login",
                "tags": ["session"],
                "summary": "Log in (sets the session cookie)",
                "description": "Needs the `X-CSRFToken` from `GET /session`. The session is "
                "renewed on log-in: use the `csrf_token` returned here from now on. Rate "
                "limited like the log-in page.",
                "security": [{"csrfToken": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Credentials")}},
                },
                "responses": {
                    "200": _json(_ref("Session"), "Logged in."),
                    "400": _resp("CsrfFailed"),
                    "401": _json(
                        _ref("Error"),
                        "`invalid_credentials`, `account_inactive` or `no_password`.",
                    ),
                    "422": _resp("InvalidInput"),
                    "429": _resp("TooManyRequests"),
                },
            },
            "delete": {
                "operationId": "session_logout",
                "tags": ["session"],
                "summary": "Log out",
                "security": [{"csrfToken": []}],
                "responses": {
                    "200": _json(_ref("Session"), "Logged out (`user` is null)."),
                    "400": _resp("CsrfFailed"),
                },
            },
        },
        "/consultations": {
            "get": {
                "operationId": "consultations_list",
                "tags": ["booking"],
                "summary": "Consultations the user may see",
                "description": "A client: their own (and those they attend); an expert: "
                "their calendar; a manager: all. `expert` filters for staff only.",
                "security": LOGGED_IN,
                "parameters": [
                    _query("expert", "Staff: only this expert's.", ID),
                    _query("branch", "Only at this branch.", ID),
                    _query("from", "Starting on or after this local date.", DATE),
                    _query("to", "Starting on or before this local date.", DATE),
                    _query(
                        "awaiting_outcome",
                        "`true`: instead, the consultations still waiting for an outcome "
                        "(started, not cancelled, not recorded), oldest first: an expert's "
                        "own, everyone's for a manager, none for a client. The other filters "
                        "are then ignored.",
                        {"type": "string", "enum": ["true", "false", "1", "0"]},
                    ),
                    lang,
                ],
                "responses": {
                    "200": _json(_array("Consultation"), "By start."),
                    "401": _resp("Unauthorized"),
                    "422": _resp("InvalidInput"),
                },
            },
            "post": {
                "operationId": "consultation_create",
                "tags": ["booking"],
                "summary": "Book a consultation",
                "security": STATE_CHANGING,
                "parameters": [lang],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("NewConsultation")}},
                },
                "responses": {
                    "201": _json(
                        _ref("Consultation"),
                        "Booked.",
                        headers={
                            "Location": {
                                "description": "The new consultation's URL.",
                                "schema": {"type": "string"},
                            }
                        },
                    ),
                    **write_errors,
                    "409": _resp("SlotTaken"),
                },
            },
        },
        "/consultations/{consultation_id}": {
            "get": {
                "operationId": "consultation_get",
                "tags": ["booking"],
                "summary": "One consultation",
                "security": LOGGED_IN,
                "parameters": [consultation_id, lang],
                "responses": {
                    "200": _json(_ref("Consultation"), "The consultation."),
                    "401": _resp("Unauthorized"),
                    "404": _resp("NotFound"),
                },
            }
        },
        "/consultations/{consultation_id}.ics": {
            "get": {
                "operationId": "consultation_ics",
                "tags": ["booking"],
                "summary": "The consultation as iCalendar",
                "description": "Stable UID, SEQUENCE rising with every change, "
                "`STATUS:CANCELLED` once cancelled; times with `TZID=Europe/Warsaw` and its "
                "VTIMEZONE. Worded in the request's language (Polish by default).",
                "security": LOGGED_IN,
                "parameters": [consultation_id, lang],
                "responses": {
                    "200": {
                        "description": "One VCALENDAR with one VEVENT.",
                        "content": {"text/calendar": {"schema": {"type": "string"}}},
                    },
                    "401": _resp("Unauthorized"),
                    "404": _resp("NotFound"),
                },
            }
        },
        "/consultations/{consultation_id}/cancel": {
            "post": {
                "operationId": "consultation_cancel",
                "tags": ["booking"],
                "summary": "Cancel a consultation",
                "description": "Clients up to the cancellation notice before the start; "
                "staff at any time, with a reason.",
                "security": STATE_CHANGING,
                "parameters": [consultation_id, lang],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("Cancellation")}},
                },
                "responses": {
                    "200": _json(_ref("Consultation"), "Cancelled."),
                    **write_errors,
                    "409": _resp("Conflict"),
                },
            }
        },
        "/consultations/{consultation_id}/reschedule": {
            "post": {
                "operationId": "consultation_reschedule",
                "tags": ["booking"],
                "summary": "Move a consultation (same UID, SEQUENCE + 1)",
                "description": "Atomic: if the new time is refused, nothing changes.",
                "security": STATE_CHANGING,
                "parameters": [consultation_id, lang],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Move")}},
                },
                "responses": {
                    "200": _json(_ref("Consultation"), "Moved."),
                    **write_errors,
                    "409": _resp("SlotTaken"),
                },
            }
        },
        "/consultations/{consultation_id}/outcome": {
            "post": {
                "operationId": "consultation_outcome",
                "tags": ["booking"],
                "summary": "Record (or correct) what happened",
                "description": "After the start: who came (per attendee), the actual length, "
                "the topic category and private notes. Its expert or a manager only (403 "
                "`forbidden` for anyone else); 422 `not_started` before the start, "
                "`consultation_cancelled` for a cancelled one. A held consultation (someone "
                "came) becomes `attended`, else `no_show`. A correction is audited.",
                "security": STATE_CHANGING,
                "parameters": [consultation_id, lang],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Outcome")}},
                },
                "responses": {
                    "200": _json(_ref("Consultation"), "Recorded."),
                    **write_errors,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["meta"],
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def _report_schema() -> Schema:
    """The JSON of `GET /reports/summary` (also `incubator report --format json`)."""
    count = {"type": "integer", "minimum": 0}
    hours = {"type": "number", "minimum": 0}
    breakdown = {
        "type": "object",
        "required": ["lines", "unknown"],
        "properties": {
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "name", "count"],
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "count": count,
                    },
                },
            },
            "unknown": count,
        },
    }
    share = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "id": ID,
            "name": {"type": "string"},
            "people": count,
            "consultations_held": count,
            "advisory_hours": hours,
        },
    }
    month = {
        "type": "object",
        "properties": {
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "people_first_served": count,
            "consultations_held": count,
            "advisory_hours": hours,
        },
    }
    breakdowns = {
        f"by_{name}": breakdown
        for name in (
            "gender",
            "age_band",
            "labour_status",
            "education",
            "residence",
            "disability",
            "minority",
            "third_country",
            "foreign_background",
            "homeless",
        )
    }
    figures = {
        name: count
        for name in (
            "people_served",
            "new_people",
            "returning_people",
            "incomplete_records",
            "consultations_held",
            "did_not_come",
            "absences",
        )
    }
    event_form = {
        "type": "object",
        "description": "One event form in the period: `people` registered people ticked "
        "present at one or more of its sessions (each once), `anonymous_attendees` the head "
        "counts of people who came without registering (information meetings only), "
        "`attendees` both together; events and sessions held; the scheme's breakdowns of "
        "`people`.",
        "required": ["people", "anonymous_attendees", "attendees", "events_held",
                     "sessions_held"],
        "properties": {
            "people": count,
            "anonymous_attendees": count,
            "attendees": count,
            "events_held": count,
            "sessions_held": count,
            **breakdowns,
        },
    }  # fmt: skip
    forms = {
        "by_form": {
            "type": "object",
            "description": "Attendees per form of support: advice (people served by "
            "consultations, as `people_served`), training, information_meeting (registered "
            "people who came plus the head counts).",
            "required": ["advice", "training", "information_meeting"],
            "properties": {"advice": count, "training": count, "information_meeting": count},
        },
        "anonymous_attendees": {
            **count,
            "description": "Head counts of information meetings (people who came without "
            "registering): in `by_form.information_meeting`, never in `people_served_total`.",
        },
        "people_served_total": {
            **count,
            "description": "Identified people served by any form, each person once.",
        },
        "events": {
            "type": "object",
            "properties": {"training": event_form, "information_meeting": event_form},
        },
    }
    return {
        "type": "object",
        "required": [
            "people_served",
            "period",
            "scheme",
            "by_month",
            *breakdowns,
            "by_form",
            "anonymous_attendees",
            "people_served_total",
        ],
        "properties": {
            "period": {
                "type": "object",
                "properties": {"from": DATE, "to": DATE},
            },
            "scheme": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "filters": {"type": "object"},
            **figures,
            "cancellations": {
                "type": "object",
                "properties": {"in_time": count, "late": count},
            },
            "advisory_hours": hours,
            "by_area": {"type": "array", "items": share},
            "by_branch": {"type": "array", "items": share},
            "by_month": {"type": "array", "items": month},
            **breakdowns,
            **forms,
            "groups": _funnel_schema(),
        },
    }


def _funnel_schema() -> Schema:
    """The founding-group funnel in the report (issue #12)."""
    count = {"type": "integer", "minimum": 0}
    per_code = {"type": "object", "additionalProperties": count}
    return {
        "type": "object",
        "description": "Founding groups formed in the period in the chosen offices (a cohort: "
        "each counted by where it stands today). `conversion` is registered / formed (null "
        "without groups); the median is in days from formation to registration (null without "
        "registrations). Given by the API; `incubator report` leaves it out.",
        "required": ["formed", "by_stage", "by_legal_form", "registered", "conversion",
                     "median_days_to_registration"],
        "properties": {
            "formed": count,
            "by_stage": {**per_code, "description": "Every stage code, zeros included."},
            "by_legal_form": {**per_code, "description": "Every legal form, zeros included."},
            "registered": count,
            "conversion": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
            "median_days_to_registration": {"type": ["number", "null"], "minimum": 0},
        },
    }  # fmt: skip


def _report_paths() -> dict[str, Schema]:
    """Reports (issue #11): managers only."""
    query = [
        _query(
            "from",
            "First local date, inclusive (default: the project's, else the first of this month).",
            DATE,
        ),
        _query("to", "Last local date, inclusive.", DATE),
        _query(
            "project",
            "A funded project, by id or code: its period and offices.",
            {"type": "string"},
        ),
        _query("branch", "An office (with its branch offices unless include_filia=0).", ID),
        _query("include_filia", "1 (default) or 0.", {"type": "string", "enum": ["0", "1"]}),
        _query("area", "Area code.", {"type": "string"}),
        _query("expert", "Expert's user id.", ID),
    ]
    return {
        "/reports/summary": {
            "get": {
                "operationId": "report_summary",
                "tags": ["reports"],
                "summary": "People served and the figures around them",
                "description": "Distinct people who came to at least one held consultation "
                "in the period, new and returning, incomplete records, consultations held, "
                "did-not-come, cancellations, advisory hours by area, office and month, and "
                "every breakdown of the programme's scheme (each a list of `{code, name, "
                "count}` plus `unknown`); then the forms of support (issue #14): `by_form` "
                "(advice, training, information_meeting), `anonymous_attendees` apart, "
                "`people_served_total` (each person once, no head counts) and `events` per "
                "event form. An event counts in the period of its sessions, at its office "
                "(an event with no office only without an office or project filter), in its "
                "area, for its trainers. Without filters: the project running today, else "
                "this month. Managers only (403 for clients and experts). 422 "
                "`invalid_input` (with `field`) for a malformed date or id, `period_order`, "
                "`unknown_project`, `outside_project`, `unknown_branch`, `unknown_domain`, "
                "`unknown_expert`. A period with no data gives zeros.",
                "parameters": [*query, _param("Lang")],
                "responses": {
                    "200": _json(_report_schema(), "The report."),
                    "401": _resp("Unauthorized"),
                    "403": _resp("Forbidden"),
                    "422": _resp("InvalidInput"),
                },
            }
        },
        "/projects": {
            "get": {
                "operationId": "projects_list",
                "tags": ["reports"],
                "summary": "Funded projects (for the report's `project` filter)",
                "description": "Every funded project, the newest period first. Managers only.",
                "parameters": [_param("Lang")],
                "responses": {
                    "200": _json({"type": "array", "items": _project_schema()}, "The projects."),
                    "401": _resp("Unauthorized"),
                    "403": _resp("Forbidden"),
                },
            }
        },
    }


def _project_schema() -> Schema:
    return {
        "type": "object",
        "required": [
            "id", "code", "name", "programme", "contract_number", "start_date", "end_date",
            "branch_ids",
        ],
        "properties": {
            "id": ID,
            "code": {"type": "string"},
            "name": {"type": "string"},
            "programme": {
                "type": "string",
                "description": "The programme period; it chooses the breakdown scheme.",
            },
            "contract_number": {"type": "string"},
            "start_date": DATE,
            "end_date": DATE,
            "retention_until": {
                **DATE, "type": ["string", "null"],
                "description": "Documentation (and participants' identity) kept until this day; "
                "null: not set yet.",
            },
            "branch_ids": {"type": "array", "items": ID, "description": "Offices covered."},
        },
    }  # fmt: skip


def openapi_document(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inkubator API",
            "version": "1.0.0",
            "description": "Free expert consultations at social-economy incubators: offices, "
            "areas, experts, free slots and bookings. Errors are always "
            '`{"error": {"code": ..., "message": ...}}` with a stable `code`. Log in with '
            "`POST /session`; send the session's `csrf_token` as `X-CSRFToken` on every "
            "POST and DELETE. Add `?lang=en` for English messages and names (Polish is the "
            "default).",
        },
        "servers": [{"url": server_url}],
        "tags": [
            {"name": "reference", "description": "Offices, areas, experts."},
            {"name": "booking", "description": "Slots and consultations."},
            {"name": "session", "description": "Log-in, log-out and the CSRF token."},
            {"name": "meta", "description": "This description."},
            {"name": "reports", "description": "People served (managers only)."},
            {"name": "groups", "description": "Founding groups until their entity is registered."},
            {"name": "calendar", "description": "The address of the user's calendar feed."},
            {"name": "waitlist", "description": "Waiting for a free consultation time."},
            {"name": "events", "description": "Trainings and information meetings."},
            {"name": "people", "description": "A person's data: export and erasure (RODO)."},
            {"name": "audit", "description": "The append-only audit trail (managers only)."},
        ],
        "paths": {
            **_paths(),
            **_report_paths(),
            **_group_paths(),
            **_feed_paths(),
            **waitlist_paths(),
            **event_paths(),
            **people_paths(),
            **erasure_paths(),
            **audit_paths(),
        },
        "components": {
            "schemas": {**_schemas(), **event_schemas()},
            "responses": _responses(),
            "parameters": {
                "GroupId": {"name": "group_id", "in": "path", "required": True, "schema": ID},
                "ConsultationId": {
                    "name": "consultation_id",
                    "in": "path",
                    "required": True,
                    "schema": ID,
                },
                "Lang": {
                    "name": "lang",
                    "in": "query",
                    "required": False,
                    "description": "Language of messages and names (default: the user's, "
                    "else Polish).",
                    "schema": {"type": "string", "enum": ["pl", "en"]},
                },
            },
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }


# --- founding groups (issue #12) -------------------------------------------------------------

NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _requirement_schema() -> Schema:
    return {
        "type": "object",
        "required": ["code", "met", "message"],
        "properties": {
            "code": {"type": "string", "description": "Stable code of the founding rule."},
            "met": {"type": "boolean", "const": False, "description": "Always false: only "
                    "unmet requirements are listed."},
            "message": {"type": "string", "description": "In the request's language."},
        },
    }  # fmt: skip


def _group_schema() -> Schema:
    """The JSON of one founding group (`web.api.groups.group_json`)."""
    member = {
        "type": "object",
        "required": ["id", "kind", "name", "founder"],
        "properties": {
            "id": ID,
            "kind": {"type": "string", "enum": ["natural", "legal"]},
            "name": {"type": "string"},
            "user_id": {"type": ["integer", "null"]},
            "at_risk": {**NULLABLE_STR, "description": "An art. 4 category code, `none` (not "
                        "at risk) or null (not recorded). Staff and the member themself only: "
                        "absent when a client reads another member (health, addiction and "
                        "prison categories are art. 9 and 10 GDPR data)."},
            "founder": {"type": "boolean"},
            "legal_type": {"type": ["string", "null"],
                           "enum": [*(t.value for t in LegalType), None]},
            "krs": NULLABLE_STR,
            "nip": NULLABLE_STR,
            "joined_on": NULLABLE_DATE,
            "left_on": NULLABLE_DATE,
        },
    }  # fmt: skip
    step = {
        "type": "object",
        "required": ["kind", "from", "to", "on", "note", "override_reason", "by"],
        "properties": {
            "kind": {"type": "string", "enum": ["stage", "legal_form"]},
            "from": NULLABLE_STR,
            "to": {"type": "string"},
            "on": DATE,
            "note": {"type": "string"},
            "override_reason": {"type": "string", "description": "A manager's written "
                                "justification for going on with a requirement unmet."},
            "by": NULLABLE_STR,
        },
    }  # fmt: skip
    return {
        "type": "object",
        "required": ["id", "name", "legal_form", "branch_id", "stage", "members", "history",
                     "requirements"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "legal_form": {"type": "string", "enum": [f.value for f in LegalForm]},
            "branch_id": ID,
            "guardian_id": {"type": ["integer", "null"]},
            "stage": {"type": "string", "enum": [s.value for s in GroupStage]},
            "formed_on": NULLABLE_DATE,
            "founding_meeting_on": NULLABLE_DATE,
            "registered_on": NULLABLE_DATE,
            "register": {"type": ["string", "null"], "enum": [*(r.value for r in Register), None]},
            "krs": NULLABLE_STR,
            "ewidencja_number": NULLABLE_STR,
            "nip": NULLABLE_STR,
            "regon": NULLABLE_STR,
            "members": {"type": "array", "items": member},
            "history": {"type": "array", "items": step, "description": "Every change as it was "
                        "made, oldest first: the one source of the dates."},
            "requirements": {
                "type": "array",
                "items": _requirement_schema(),
                "description": "The founding requirements the group does not meet (judged by "
                "the law on its founding meeting's date, today before it); an empty list when "
                "every requirement is met.",
            },
        },
    }  # fmt: skip


def _group_bodies() -> dict[str, Schema]:
    natural = {
        "type": "object", "required": ["kind"], "additionalProperties": False,
        "properties": {
            "kind": {"const": "natural"}, "user_id": ID, "full_name": {"type": "string"},
            "at_risk": {"type": "string", "description": "An art. 4 category code in force "
                        "(`unemployed`, `disabled`, ...) or `none`."},
            "founder": {"type": "boolean", "default": True}, "joined_on": DATE,
        },
    }  # fmt: skip
    legal = {
        "type": "object", "required": ["kind", "name", "legal_type"],
        "additionalProperties": False,
        "properties": {
            "kind": {"const": "legal"}, "name": {"type": "string"},
            "legal_type": {"type": "string", "enum": [t.value for t in LegalType]},
            "krs": {"type": "string", "description": "10 digits, zeros kept."},
            "nip": {"type": "string", "description": "10 digits, checked by its check digit."},
            "founder": {"type": "boolean", "default": True}, "joined_on": DATE,
        },
    }  # fmt: skip
    return {
        "group": {
            "type": "object", "required": ["name", "legal_form", "branch_id"],
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 200},
                "legal_form": {"type": "string", "enum": [f.value for f in LegalForm]},
                "branch_id": ID, "guardian_id": ID,
                "formed_on": {**DATE, "description": "Default today; never in the future."},
            },
        },
        "member": {"oneOf": [natural, legal]},
        "stage": {
            "type": "object", "required": ["stage"], "additionalProperties": False,
            "properties": {
                "stage": {"type": "string", "enum": [s.value for s in GroupStage]},
                "on": {**DATE, "description": "The day it happened: default today, never in "
                       "the future, never before the group was formed."},
                "note": {"type": "string"},
                "override_reason": {"type": "string", "description": "Managers only: go on "
                                    "with a founding requirement unmet (at least 20 characters)."},
                "register": {"type": "string", "enum": [r.value for r in Register],
                             "description": "For `registered`: the form's register (default)."},
                "number": {"type": "string", "description": "For `registered`: the KRS number "
                           "(10 digits, unique) or the ewidencja number."},
                "nip": {"type": "string"}, "regon": {"type": "string"},
            },
        },
    }  # fmt: skip


def _group_errors() -> Schema:
    return {
        "401": _resp("Unauthorized"),
        "403": _resp("Forbidden"),
        "404": _resp("NotFound"),
        "422": _json(
            {"anyOf": [
                {"allOf": [_ref("Error"), {"type": "object", "properties": {
                    "requirements": {"type": "array", "items": _requirement_schema()}}}]},
            ]},
            "`invalid_input` with `field` (a wrong type, an unknown field, `in_future`, "
            "`legal_person_in_association`, `already_member`, `number` missing, ...), "
            "`invalid_krs`, `invalid_nip`, `invalid_regon`, `stage_not_on_path`, "
            "`stage_backwards`, `same_stage`, `date_before_formed`, or `requirements_unmet` "
            "with `requirements` (the unmet ones).",
        ),
    }  # fmt: skip


def _group_paths() -> dict[str, Schema]:
    """Founding groups (issue #12): everyone logged in reads the groups they may see (managers
    all, experts those they guard or advised, clients their own); managers and the group's
    guardian write."""
    group = _json(_group_schema(), "The group.")
    bodies = _group_bodies()
    errors_ = _group_errors()
    param = [_param("GroupId"), _param("Lang")]

    def body(name: str) -> Schema:
        return {"required": True, "content": {"application/json": {"schema": bodies[name]}}}

    return {
        "/groups": {
            "get": {
                "operationId": "groups_list", "tags": ["groups"], "security": LOGGED_IN,
                "summary": "The founding groups the user may see",
                "parameters": [
                    _query("stage", "Only groups at this stage.", {"type": "string"}),
                    _query("legal_form", "Only groups aiming at this form.", {"type": "string"}),
                    _query("branch_id", "Only this office's groups.", ID),
                    _param("Lang"),
                ],
                "responses": {
                    "200": _json({"type": "array", "items": _group_schema()}, "The groups."),
                    "401": _resp("Unauthorized"), "422": _resp("InvalidInput"),
                },
            },
            "post": {
                "operationId": "groups_create", "tags": ["groups"], "security": STATE_CHANGING,
                "summary": "Create a group (managers and experts; the guardian defaults to "
                "the creator)",
                "parameters": [_param("Lang")], "requestBody": body("group"),
                "responses": {"201": _json(_group_schema(), "The new group."), **errors_},
            },
        },
        "/groups/{group_id}": {
            "get": {
                "operationId": "groups_detail", "tags": ["groups"], "security": LOGGED_IN,
                "summary": "One group: members, stage, history, unmet requirements",
                "parameters": param,
                "responses": {"200": group, "401": _resp("Unauthorized"),
                              "404": _resp("NotFound")},
            },
        },
        "/groups/{group_id}/members": {
            "post": {
                "operationId": "groups_add_member", "tags": ["groups"],
                "security": STATE_CHANGING, "summary": "Add a natural or a legal person",
                "parameters": param, "requestBody": body("member"),
                "responses": {"201": _json(_group_schema(), "The group with its new member."),
                              **errors_},
            },
        },
        "/groups/{group_id}/stage": {
            "post": {
                "operationId": "groups_move", "tags": ["groups"], "security": STATE_CHANGING,
                "summary": "Move the group along its form's path; register it",
                "description": "Forward moves may skip stages; any stage may go to "
                "`abandoned` (with a note giving the reason) and an abandoned group is "
                "reopened to a stage of its path. Passing the founding step is refused "
                "(`requirements_unmet`) while a requirement is unmet, unless a manager gives "
                "`override_reason`. `registered` needs `number`.",
                "parameters": param, "requestBody": body("stage"),
                "responses": {
                    "200": _json(_group_schema(), "The moved group."), **errors_,
                    "409": _json(_ref("Error"), "`krs_taken`: another group has this KRS."),
                },
            },
        },
    }  # fmt: skip


# --- calendar feeds (issue #13) --------------------------------------------------------------


def _feed_paths() -> dict[str, Schema]:
    """The address of a subscribable calendar (`web.api.feeds`); the feed itself,
    ``GET /kalendarz/{token}.ics``, is outside the API and needs no login."""
    feed = {
        "type": "object", "required": ["url", "webcal_url", "branch_id"],
        "properties": {
            "url": {"type": "string", "format": "uri", "description": "The feed's https "
                    "address (`.../kalendarz/{token}.ics`): paste it into Google Calendar, "
                    "Outlook or Thunderbird. Secret: anyone with it can read the feed."},
            "webcal_url": {"type": "string", "description": "The same address with the "
                           "`webcal://` scheme, which calendar programs open to subscribe."},
            "branch_id": {"type": ["integer", "null"], "description": "The office of a "
                          "manager's feed; null for a client's or an expert's own."},
        },
    }  # fmt: skip
    branch = _query(
        "branch_id",
        "Managers: the office (not a filia: its consultations are in its parent office's feed). "
        "Required for managers, refused (403) for clients and experts.",
        ID,
    )
    errors_ = {
        "401": _resp("Unauthorized"),
        "403": _resp("Forbidden"),
        "422": _json(
            _ref("Error"),
            "`invalid_input` on `branch_id` (a manager without it, a malformed id, or a body "
            "and a query that disagree) or `unknown_branch` (unknown, closed or a filia).",
        ),
    }
    described = (
        "A client's feed holds the consultations they are booked for or attend; an expert's "
        "their own consultations; a manager's, one office's (with its filie). Each from the "
        "local day 30 days ago onwards, cancelled ones as `STATUS:CANCELLED`; never notes or "
        "contact data. The token is created on first use."
    )
    return {
        "/calendar-feed": {
            "get": {
                "operationId": "calendar_feed_get", "tags": ["calendar"],
                "security": LOGGED_IN, "summary": "The address of the user's calendar feed",
                "description": described, "parameters": [branch, _param("Lang")],
                "responses": {"200": _json(feed, "The feed's addresses."), **errors_},
            }
        },
        "/calendar-feed/regenerate": {
            "post": {
                "operationId": "calendar_feed_regenerate", "tags": ["calendar"],
                "security": STATE_CHANGING, "summary": "A new address; the old one stops "
                "working at once (404)",
                "description": "Audited (without the token). Managers name the office with "
                "`branch_id` in the JSON body or the query string.",
                "parameters": [branch, _param("Lang")],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"branch_id": ID},
                    }}},
                },
                "responses": {
                    "200": _json(feed, "The new addresses."), **errors_,
                    "400": _resp("CsrfFailed"),
                },
            }
        },
    }  # fmt: skip
