"""Reading the events API's query strings and JSON bodies strictly (issue #14).

Shapes only: a wrong type, a time without its UTC offset or a field the endpoint does not know is
`InvalidInput` (422) naming the field (``sessions[1].end`` for one session's end). What the values
mean (sessions in the future and not overlapping, a capacity in range, trainers who are experts, a
place given) is `services.events`' and `domain.events`' business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...domain.errors import InvalidInput
from ...domain.events import MAX_SESSIONS, SessionTimes
from ...models import EventKind
from ...services.events import NewEvent
from . import inputs
from .outcome_inputs import whole_number_field

EVENT_FIELDS = {
    "kind", "title", "branch_id", "venue", "capacity", "trainer_ids", "sessions", "topic", "area",
}  # fmt: skip
REGISTRATION_FIELDS = {"user_id", "waitlist"}


@dataclass(frozen=True)
class RegistrationRequest:
    user_id: int | None  # staff: whom for; a client registers themselves
    waitlist: bool  # join the waiting list when no seat is left


def _only(data: Mapping[str, Any], allowed: set[str]) -> None:
    for name in sorted(data):
        if name not in allowed:
            raise InvalidInput(field=name, reason="unknown_field")


def kind_arg() -> str | None:
    """The ``kind`` filter of the listing: one of the event kinds, or none."""
    kind = inputs.str_arg("kind", required=False)
    if kind is not None and kind not in set(EventKind):
        raise InvalidInput(field="kind", reason="not_in_list")
    return kind


def _sessions(data: Mapping[str, Any], name: str = "sessions") -> list[SessionTimes]:
    value = data.get(name)
    if value is None:
        raise InvalidInput(field=name, reason="missing")
    if not isinstance(value, list):
        raise InvalidInput(field=name, reason="not_a_list_of_sessions")
    if len(value) > MAX_SESSIONS:
        raise InvalidInput(field=name, reason="too_many", max=MAX_SESSIONS)
    found = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(field=where, reason="not_a_session")
        _only(item, {"start", "end"})
        start = inputs.aware_datetime(item.get("start"), f"{where}.start")
        end = inputs.aware_datetime(item.get("end"), f"{where}.end")
        found.append(SessionTimes(start=start, end=end))
    return found


def _trainer_ids(data: Mapping[str, Any]) -> tuple[int, ...]:
    if data.get("trainer_ids") is None:  # required, though it may be empty (a meeting)
        raise InvalidInput(field="trainer_ids", reason="missing")
    return inputs.id_list_field(data, "trainer_ids")


def new_event(data: Mapping[str, Any]) -> NewEvent:
    """``POST /events``: the event to create."""
    _only(data, EVENT_FIELDS)
    return NewEvent(
        kind=inputs.str_field(data, "kind", max_length=30),
        title=inputs.str_field(data, "title", max_length=200),
        capacity=whole_number_field(data, "capacity"),
        sessions=_sessions(data),
        trainer_ids=_trainer_ids(data),
        branch_id=inputs.int_field(data, "branch_id", required=False),
        venue=inputs.str_field(data, "venue", required=False),
        topic=inputs.str_field(data, "topic", required=False),
        area_code=inputs.str_field(data, "area", required=False, max_length=40) or None,
    )


def registration(data: Mapping[str, Any]) -> RegistrationRequest:
    """``POST /events/{event_id}/registrations``: ``{}``, ``{"user_id": …}``, and optionally
    ``"waitlist": true``."""
    _only(data, REGISTRATION_FIELDS)
    waitlist = data.get("waitlist", False)
    if not isinstance(waitlist, bool):
        raise InvalidInput(field="waitlist", reason="not_a_boolean")
    return RegistrationRequest(
        user_id=inputs.int_field(data, "user_id", required=False), waitlist=waitlist
    )
