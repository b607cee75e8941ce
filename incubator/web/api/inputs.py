"""Reading query strings and JSON bodies strictly; every refusal is `InvalidInput` (422).

The error's ``field`` names the offending parameter, so a client can point at it, and the
generic error mapping in `views` turns it into ``{"error": {"code": "invalid_input", ...}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal, overload

from flask import request

from ...domain import bounds
from ...domain.booking_rules import InvalidInput
from ...domain.calendar import WARSAW
from ..common.inputs import load_json

MAX_TEXT = 300  # topic / reason: the columns hold 300 characters
MAX_ATTENDEES = 50


def json_body(*, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a JSON object. Malformed or too deeply nested JSON is a 422, never a
    400 or a 500 (`common.inputs.load_json`)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise InvalidInput(field="body", reason="missing")
    data = load_json(raw)
    if not isinstance(data, dict):
        raise InvalidInput(field="body", reason="not_an_object")
    return data


@overload
def int_field(data: Mapping[str, Any], name: str, *, required: Literal[True] = ...) -> int: ...
@overload
def int_field(data: Mapping[str, Any], name: str, *, required: Literal[False]) -> int | None: ...


def int_field(data: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(field=name, reason="missing")
        return None
    if not bounds.is_id(value):
        raise InvalidInput(field=name, reason="not_an_id")
    return value


def str_field(
    data: Mapping[str, Any], name: str, *, required: bool = True, max_length: int = MAX_TEXT
) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(field=name, reason="missing")
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidInput(field=name, reason="not_a_string")
    return value


def id_list_field(data: Mapping[str, Any], name: str) -> tuple[int, ...]:
    value = data.get(name)
    if value is None:
        return ()
    if (
        not isinstance(value, list)
        or len(value) > MAX_ATTENDEES
        or not all(bounds.is_id(v) for v in value)
    ):
        raise InvalidInput(field=name, reason="not_a_list_of_ids")
    return tuple(value)


def aware_datetime(value: object, name: str) -> datetime:
    """An ISO 8601 date-time that carries a UTC offset (``Z`` or ``+02:00``); naive is refused.

    A naive time is ambiguous (whose wall clock?) and, on the autumn DST night, ambiguous even
    in Warsaw; the client already has the offset from `GET /slots`, so it must send it back.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field=name, reason="missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field=name, reason="malformed") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InvalidInput(field=name, reason="no_offset")
    if not bounds.is_accepted_date(parsed):
        raise InvalidInput(field=name, reason="out_of_range")
    # Normalise to Warsaw: the same instant, in the zone the slots are computed in.
    return parsed.astimezone(UTC).astimezone(WARSAW)


@overload
def date_arg(name: str, *, required: Literal[True] = ...) -> date: ...
@overload
def date_arg(name: str, *, required: Literal[False]) -> date | None: ...


def date_arg(name: str, *, required: bool = True) -> date | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(field=name, reason="missing")
        return None
    return bounds.parse_day(value, name)


@overload
def int_arg(name: str, *, required: Literal[True] = ...) -> int: ...
@overload
def int_arg(name: str, *, required: Literal[False]) -> int | None: ...


def int_arg(name: str, *, required: bool = True) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(field=name, reason="missing")
        return None
    parsed = bounds.parse_id(value) if value.isdigit() else None  # no spaces, no sign
    if parsed is None:
        raise InvalidInput(field=name, reason="not_an_id")
    return parsed


@overload
def str_arg(name: str, *, required: Literal[True] = ...) -> str: ...
@overload
def str_arg(name: str, *, required: Literal[False]) -> str | None: ...


def str_arg(name: str, *, required: bool = True) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        if required:
            raise InvalidInput(field=name, reason="missing")
        return None
    if len(value) > 40:
        raise InvalidInput(field=name, reason="too_long")
    return value
