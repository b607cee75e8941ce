"""Reading the founding-group API's JSON bodies strictly (issue #12).

Shapes only: a wrong type, a malformed date or a field the endpoint does not know is
`InvalidInput` (422) naming the field. What the values mean (a legal form on the list, a KRS
number's digits, a date not in the future) is the services' and the domain's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...domain import bounds
from ...domain.errors import InvalidInput
from ...domain.founding import GroupStage
from ...services.group_stages import Registration
from ...services.groups import NewMember
from .inputs import int_field

MAX_TEXT = 1000

GROUP_FIELDS = {"name", "legal_form", "branch_id", "guardian_id", "formed_on"}
NATURAL_FIELDS = {"kind", "user_id", "full_name", "at_risk", "founder", "joined_on"}
LEGAL_FIELDS = {"kind", "name", "legal_type", "krs", "nip", "founder", "joined_on"}
STAGE_FIELDS = {"stage", "on", "note", "override_reason", "register", "number", "nip", "regon"}


@dataclass(frozen=True)
class NewGroup:
    name: str
    legal_form: str
    branch_id: int
    guardian_id: int | None
    formed_on: date | None


@dataclass(frozen=True)
class StageMove:
    stage: GroupStage
    on: date | None
    note: str
    override_reason: str
    registration: Registration


def _only(data: Mapping[str, Any], allowed: set[str]) -> None:
    for name in sorted(data):
        if name not in allowed:
            raise InvalidInput(field=name, reason="unknown_field")


def _text(data: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise InvalidInput(field=name, reason="missing")
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidInput(field=name, reason="not_a_string")
    if required and not value.strip():
        raise InvalidInput(field=name, reason="missing")
    return value


def _date(data: Mapping[str, Any], name: str) -> date | None:
    value = data.get(name)
    if value is None:
        return None
    return bounds.parse_day(value, name, malformed="not_a_date")


def _bool(data: Mapping[str, Any], name: str, default: bool) -> bool:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidInput(field=name, reason="not_a_boolean")
    return value


def new_group(data: Mapping[str, Any]) -> NewGroup:
    """``{name, legal_form, branch_id, guardian_id?, formed_on?}``"""
    _only(data, GROUP_FIELDS)
    branch_id = int_field(data, "branch_id")
    assert branch_id is not None
    return NewGroup(
        name=_text(data, "name", required=True),
        legal_form=_text(data, "legal_form", required=True),
        branch_id=branch_id,
        guardian_id=int_field(data, "guardian_id", required=False),
        formed_on=_date(data, "formed_on"),
    )


def new_member(data: Mapping[str, Any]) -> NewMember:
    """``{kind: "natural", user_id? | full_name?, at_risk?, founder?, joined_on?}`` or
    ``{kind: "legal", name, legal_type, krs? | nip?, founder?, joined_on?}``."""
    kind = _text(data, "kind", required=True)
    if kind not in ("natural", "legal"):
        raise InvalidInput(field="kind", reason="not_in_list")
    common = {"founder": _bool(data, "founder", True), "joined": _date(data, "joined_on")}
    if kind == "legal":
        _only(data, LEGAL_FIELDS)
        return NewMember(
            kind=kind, name=_text(data, "name", required=True),
            legal_type=_text(data, "legal_type", required=True),
            krs=_text(data, "krs"), nip=_text(data, "nip"), **common,
        )  # fmt: skip
    _only(data, NATURAL_FIELDS)
    user_id = int_field(data, "user_id", required=False)
    full_name = _text(data, "full_name")
    if user_id is not None and full_name:
        raise InvalidInput(field="full_name", reason="unknown_field")
    at_risk = data.get("at_risk")
    if at_risk is not None and not isinstance(at_risk, str):
        raise InvalidInput(field="at_risk", reason="not_a_string")
    return NewMember(kind=kind, user_id=user_id, full_name=full_name, at_risk=at_risk, **common)


def stage_move(data: Mapping[str, Any]) -> StageMove:
    """``{stage, on?, note?, override_reason?, register?, number?, nip?, regon?}``"""
    _only(data, STAGE_FIELDS)
    stage = _text(data, "stage", required=True)
    if stage not in {s.value for s in GroupStage}:
        raise InvalidInput(field="stage", reason="not_in_list")
    return StageMove(
        stage=GroupStage(stage),
        on=_date(data, "on"),
        note=_text(data, "note"),
        override_reason=_text(data, "override_reason"),
        registration=Registration(
            register=_text(data, "register"),
            number=_text(data, "number"),
            nip=_text(data, "nip"),
            regon=_text(data, "regon"),
        ),
    )
