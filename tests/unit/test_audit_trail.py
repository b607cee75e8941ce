"""The audit trail's filters (domain) and its vocabulary: every action written has a label."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from incubator.domain.audit_trail import ACTIONS, FAMILIES, AuditFilters, parse_filters
from incubator.domain.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
# Actions built at run time from a status: every status they can take.
DYNAMIC = {
    "event.{registration.status}": {"event.registered", "event.waitlisted"},
    "waitlist.{status}": {"waitlist.lapsed"},  # `_close` is only ever given LAPSED
}
SOURCES = sorted(p for p in (ROOT / "incubator").rglob("*.py") if "migrations" not in p.parts)


def _constants(trees: list[ast.Module]) -> dict[str, str]:
    """Module-level UPPER_CASE names bound to a string (`RECORD_PRINTED = "..."`)."""
    return {
        target.id: node.value.value
        for tree in trees
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    }  # fmt: skip


def _codes(value: ast.expr, constants: dict[str, str]) -> set[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    if isinstance(value, ast.IfExp):
        return _codes(value.body, constants) | _codes(value.orelse, constants)
    if isinstance(value, ast.JoinedStr):
        text = "".join(
            v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
            for v in value.values
        )
        return DYNAMIC[text]
    name = value.attr if isinstance(value, ast.Attribute) else getattr(value, "id", "")
    return {constants[name]} if name in constants else set()  # a parameter: its callers say


def _written_actions() -> set[str]:
    """Every action code passed as ``action=`` or assigned to ``action`` anywhere in the app."""
    trees = [ast.parse(p.read_text(encoding="utf-8")) for p in SOURCES]
    constants = _constants(trees)
    found: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "action":
                found |= _codes(node.value, constants)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "action" for t in node.targets
            ):
                found |= _codes(node.value, constants)
    return found


def test_every_written_action_is_known() -> None:
    written = _written_actions()
    assert {"participant.viewed", "consultation.outcome", "report.exported"} <= written
    unknown = written - set(ACTIONS)
    assert not unknown, f"add these to domain.audit_trail.ACTIONS and their labels: {unknown}"


def test_actions_and_families_are_distinct_and_well_formed() -> None:
    assert len(set(ACTIONS)) == len(ACTIONS)
    assert all(f.endswith(".") and any(a.startswith(f) for a in ACTIONS) for f in FAMILIES)


def test_every_action_and_family_has_a_label(app) -> None:
    from incubator.web.common.audit_labels import ACTION_LABELS, FAMILY_LABELS, action_label

    assert set(ACTION_LABELS) == set(ACTIONS)
    assert set(FAMILY_LABELS) == set(FAMILIES)
    with app.test_request_context("/?lang=en"):
        assert action_label("participant.viewed") == "Participant data viewed"
        assert action_label("some.future_action") == "some.future_action"


def test_empty_query_means_everything() -> None:
    assert parse_filters({}) == (AuditFilters(), 1)
    assert parse_filters({"person_id": "", "from": " ", "page": ""}) == (AuditFilters(), 1)


def test_filters_are_read() -> None:
    filters, page = parse_filters(
        {"person_id": "7", "actor_id": "3", "action": "user.", "from": "2026-10-25",
         "to": "2026-10-26", "page": "2"}
    )  # fmt: skip
    assert page == 2
    assert filters == AuditFilters(7, 3, "user.", date(2026, 10, 25), date(2026, 10, 26))
    assert filters.is_family


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        ({"person_id": "abc"}, "person_id", "not_an_id"),
        ({"person_id": "-1"}, "person_id", "not_an_id"),
        ({"actor_id": "0"}, "actor_id", "not_an_id"),
        ({"actor_id": "99999999999"}, "actor_id", "not_an_id"),
        ({"from": "2026-13-01"}, "from", "malformed"),
        ({"to": "25.10.2026"}, "to", "malformed"),
        ({"from": "1999-12-31"}, "from", "out_of_range"),
        ({"from": "2026-10-26", "to": "2026-10-25"}, "to", "before_from"),
        ({"action": "DROP TABLE"}, "action", "not_an_action"),
        ({"action": "x" * 65}, "action", "not_an_action"),
        ({"page": "0"}, "page", "not_a_page"),
        ({"page": "-2"}, "page", "not_a_page"),
        ({"page": "two"}, "page", "not_a_page"),
    ],
)
def test_bad_filters_name_their_field(args, field, reason) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_filters(args)
    assert refused.value.field == field
    assert refused.value.params["reason"] == reason


def test_local_days_become_utc_bounds_across_dst() -> None:
    # 25 October 2026: clocks go back, the day lasts 25 hours (CEST midnight to CET midnight).
    autumn = AuditFilters(first_day=date(2026, 10, 25), last_day=date(2026, 10, 25))
    start, end = autumn.instants()
    assert start == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert end == datetime(2026, 10, 25, 23, tzinfo=UTC)
    # 29 March 2026: clocks go forward, 23 hours.
    spring = AuditFilters(first_day=date(2026, 3, 29), last_day=date(2026, 3, 29))
    start, end = spring.instants()
    assert (end - start).total_seconds() == 23 * 3600
    assert AuditFilters().instants() == (None, None)
