"""Reading query strings and JSON bodies strictly; every refusal is `InvalidInput` (422).

The error's ``field`` names the offending parameter, so a client can point at it, and the
generic error mapping in `views` turns it into ``{"error": {"code": "invalid_input", ...}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal, overload

from flask import request

from ...domain.booking_rules import InvalidInput
from ...domain.calendar import WARSAW

MAX_TEXT = 300  # topic / reason: the columns hold 300 characters
MAX_ATTENDEES = 50
# Years outside this range are certainly typos; refusing them early also keeps datetime
# arithmetic (time-zone conversion, holiday look-ups) far from its limits.
MIN_YEAR, MAX_YEAR = 2000, 2999
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def json_body(*, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a JSON object. Malformed JSON is a 422, never a 400 or a 500."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise InvalidInput(field="body", reason="missing")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(field="body", reason="malformed_json") from None
    if not isinstance(data, dict):
        raise InvalidInput(field="body", reason="not_an_object")
    return data


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    if not _is_int(value) or not 0 < value < 2**63:
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
        or not all(_is_int(v) and 0 < v < 2**63 for v in value)
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
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
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
    if not _DATE.fullmatch(value):  # only YYYY-MM-DD, not the other ISO forms (2026-W14-1)
        raise InvalidInput(field=name, reason="malformed")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field=name, reason="malformed") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise InvalidInput(field=name, reason="out_of_range")
    return parsed


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
    if not value.isascii() or not value.isdigit() or len(value) > 18 or int(value) == 0:
        raise InvalidInput(field=name, reason="not_an_id")
    return int(value)


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
