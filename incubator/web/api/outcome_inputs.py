"""Reading the outcome's JSON body and the ``awaiting_outcome`` switch strictly.

Shapes only (every refusal is `InvalidInput`, 422, naming the field); what the values mean (every
attendee marked once, the length's range) is `incubator.domain.outcomes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request

from ...domain import bounds
from ...domain.errors import InvalidInput

MAX_ATTENDEES = 50
MAX_NOTES = 20_000  # longer than the notes' limit, so the outcome rule says "too long" itself


def attendance_field(data: Mapping[str, Any], name: str) -> list[tuple[int, bool]]:
    """``[{"user_id": 5, "attended": true}, ...]`` as (id, came) pairs. Whether the list
    marks every attendee exactly once is the outcome rule's business, not the parser's."""
    value = data.get(name)
    if value is None:
        raise InvalidInput(field=name, reason="missing")
    if not isinstance(value, list) or len(value) > MAX_ATTENDEES:
        raise InvalidInput(field=name, reason="not_a_list_of_marks")
    marks = []
    for item in value:
        if (
            not isinstance(item, dict)
            or set(item) != {"user_id", "attended"}
            or not bounds.is_id(item["user_id"])
            or not isinstance(item["attended"], bool)
        ):
            raise InvalidInput(field=name, reason="not_a_list_of_marks")
        marks.append((item["user_id"], item["attended"]))
    return marks


def whole_number_field(data: Mapping[str, Any], name: str) -> int:
    """A required JSON integer (not a boolean, not a string); its range is the rule's."""
    value = data.get(name)
    if value is None:
        raise InvalidInput(field=name, reason="missing")
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**31:
        raise InvalidInput(field=name, reason="not_an_integer")
    return value


def bool_arg(name: str) -> bool:
    """``true``/``false`` (also ``1``/``0``) in the query string; absent is false."""
    value = request.args.get(name)
    if value is None or value == "":
        return False
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise InvalidInput(field=name, reason="not_a_boolean")
