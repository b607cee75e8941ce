"""Checks of the slot engine's inputs: well-formed rules and exceptions, no overlapping hours.

Called by the engine on every input (a malformed rule is a bug, `ValueError`) and by the calendar
service before it saves new hours (`validate_rules` raises `RuleOverlapError` naming both rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, time

from .slot_types import WEEKDAY_NAMES, AvailabilityException, ExceptionKind, Rule

__all__ = [
    "RuleOverlapError",
    "check_exception",
    "check_rule",
    "validate_exceptions",
    "validate_rules",
]


class RuleOverlapError(ValueError):
    """Two rules of the same expert overlap in time on the same weekday.

    ``first``/``second`` carry the offending rules so the web layer can build a translated
    message; ``str(error)`` is an English message naming weekday, times and both branches.
    """

    def __init__(self, message: str, first: Rule | None = None, second: Rule | None = None):
        super().__init__(message)
        self.first = first
        self.second = second

    @classmethod
    def between(cls, first: Rule, second: Rule) -> RuleOverlapError:
        def describe(r: Rule) -> str:
            validity = ""
            if r.valid_from is not None or r.valid_to is not None:
                lo = r.valid_from.isoformat() if r.valid_from else "…"
                hi = r.valid_to.isoformat() if r.valid_to else "…"
                validity = f", valid {lo}–{hi}"
            return f"{_hhmm(r.start)}–{_hhmm(r.end)} at branch {r.branch_id}{validity}"

        message = (
            f"Expert {first.expert_id}: availability on {WEEKDAY_NAMES[first.weekday]} "
            f"{describe(first)} overlaps {describe(second)}"
        )
        return cls(message, first, second)


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M") if not t.second else t.strftime("%H:%M:%S")


def _check_local_time(t: time, what: str) -> None:
    if t.tzinfo is not None:
        raise ValueError(f"{what} must be a naive local (Europe/Warsaw) time, got {t!r}")
    if t.microsecond:
        raise ValueError(f"{what} must not have sub-second precision, got {t!r}")


def _check_layout(length_min: int, buffer_min: int, what: str) -> None:
    if length_min <= 0:
        raise ValueError(f"{what}: length_min must be positive, got {length_min}")
    if buffer_min < 0:
        raise ValueError(f"{what}: buffer_min must not be negative, got {buffer_min}")


def check_rule(rule: Rule) -> None:
    what = f"rule of expert {rule.expert_id} at branch {rule.branch_id}"
    if not 0 <= rule.weekday <= 6:
        raise ValueError(f"{what}: weekday must be 0..6, got {rule.weekday}")
    _check_local_time(rule.start, f"{what}: start")
    _check_local_time(rule.end, f"{what}: end")
    if rule.end <= rule.start:
        raise ValueError(f"{what}: end {_hhmm(rule.end)} must be after start {_hhmm(rule.start)}")
    _check_layout(rule.length_min, rule.buffer_min, what)
    if rule.valid_from is not None and rule.valid_to is not None:
        if rule.valid_to < rule.valid_from:
            raise ValueError(
                f"{what}: valid_to {rule.valid_to} is before valid_from {rule.valid_from}"
            )


def check_exception(exc: AvailabilityException) -> None:
    what = f"{exc.kind} exception of expert {exc.expert_id}"
    if exc.kind not in (ExceptionKind.OFF, ExceptionKind.EXTRA):
        raise ValueError(f"{what}: unknown kind {exc.kind!r}")
    if exc.end_date < exc.start_date:
        raise ValueError(f"{what}: end_date {exc.end_date} is before start_date {exc.start_date}")
    if (exc.start_time is None) != (exc.end_time is None):
        raise ValueError(f"{what}: give both start_time and end_time, or neither")
    if exc.start_time is not None and exc.end_time is not None:
        _check_local_time(exc.start_time, f"{what}: start_time")
        _check_local_time(exc.end_time, f"{what}: end_time")
        if exc.end_time <= exc.start_time:
            raise ValueError(f"{what}: end_time must be after start_time")
    if exc.kind is ExceptionKind.EXTRA:
        if exc.branch_id is None:
            raise ValueError(f"{what}: EXTRA needs a branch_id")
        if exc.start_time is None:
            raise ValueError(f"{what}: EXTRA needs start_time and end_time")
        _check_layout(exc.length_min, exc.buffer_min, what)


def _periods_overlap(a: Rule, b: Rule) -> bool:
    """Do the (inclusive, possibly open-ended) validity periods of two rules intersect?"""
    lo_a, hi_a = a.valid_from or date.min, a.valid_to or date.max
    lo_b, hi_b = b.valid_from or date.min, b.valid_to or date.max
    return lo_a <= hi_b and lo_b <= hi_a


def validate_rules(rules: Iterable[Rule]) -> None:
    """Raise if the rules are malformed or two rules of one expert overlap.

    Two rules of the same expert clash when they are on the same weekday, their ``[start, end)``
    windows overlap (touching is fine) and their validity periods intersect -- regardless of the
    branch, since a person cannot be in two branches at once (:class:`RuleOverlapError`).
    Malformed rules (end <= start, length_min <= 0, buffer_min < 0, weekday outside 0..6,
    valid_to < valid_from) raise a plain :class:`ValueError`.
    """
    groups: dict[tuple[int, int], list[Rule]] = defaultdict(list)
    for rule in rules:
        check_rule(rule)
        groups[(rule.expert_id, rule.weekday)].append(rule)
    for group in groups.values():
        group.sort(key=lambda r: (r.start, r.end, r.branch_id))
        # A handful of rules per expert and weekday: pairwise is simplest and plenty fast.
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b.start >= a.end:
                    break  # sorted by start: no later rule can overlap ``a`` either
                if _periods_overlap(a, b):
                    raise RuleOverlapError.between(a, b)


def validate_exceptions(exceptions: Iterable[AvailabilityException]) -> None:
    """Raise :class:`ValueError` for a malformed exception (see :class:`AvailabilityException`)."""
    for exc in exceptions:
        check_exception(exc)
