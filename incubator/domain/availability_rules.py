"""Whether a change to an expert's calendar makes sense: weekly hours, days off, extra hours.

Plain Python over plain data (`slots.Rule`, `slots.AvailabilityException`, dates and times):
no database and no clock, `today` is passed in. `incubator.services.availability` loads the rows,
asks these functions and writes; the refusals below carry the stable codes the web tables
(`incubator.web.common.errors`) are keyed by.

Overlaps are judged the way the slot engine judges them (`slots.validate_rules`): an expert cannot
be in two places at once, so hours at different branches clash too.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, TypeVar

from .calendar import (
    SUNDAY,
    WARSAW,
    daterange,
    is_closed_day,
    local_date,
    local_day_bounds,
    local_midnight,
)
from .errors import DomainError, InThePast
from .slots import (
    AvailabilityException,
    ExceptionKind,
    Rule,
    RuleOverlapError,
    validate_exceptions,
    validate_rules,
)

__all__ = [
    "BUFFER_MAX",
    "LENGTH_MAX",
    "LENGTH_MIN",
    "MAX_EXCEPTION_DAYS",
    "OPEN_WEEKDAYS",
    "REASON_MAX",
    "AvailabilityError",
    "BranchNotServed",
    "BranchRequired",
    "BufferOutOfRange",
    "ClosedWeekday",
    "DatesOutOfOrder",
    "EndNotAfterStart",
    "ExceptionDraft",
    "LengthOutOfRange",
    "NoOpenDay",
    "OtherHours",
    "Overlap",
    "RangeTooLong",
    "RuleDraft",
    "TimesRequired",
    "WindowTooShort",
    "booked_in_rule",
    "check_exception",
    "check_exception_dates",
    "check_rule",
    "check_window",
    "extra_clash",
    "find_clash",
    "hit_by_day_off",
    "rule_has_ended",
    "rule_has_started",
    "rule_search_bounds",
]

# The database's limits (models/availability.py check constraints).
LENGTH_MIN, LENGTH_MAX = 5, 480
BUFFER_MAX = 240
REASON_MAX = 200
MAX_EXCEPTION_DAYS = 366  # one day off or extra-hours entry spans at most a year
OPEN_WEEKDAYS = range(SUNDAY)  # Monday..Saturday: weekly hours are never on a Sunday

T = TypeVar("T")


# --- refusals -------------------------------------------------------------------------------


class AvailabilityError(DomainError):
    """Base of the refusals only calendar changes make; `field` names the input concerned."""

    code = "availability_error"


class BranchNotServed(AvailabilityError):
    """The branch exists but is not one of the expert's."""

    code = "branch_not_served"
    field = "branch"


class BranchRequired(AvailabilityError):
    code = "branch_required"
    field = "branch"


class ClosedWeekday(AvailabilityError):
    """No consultations on Sundays (or a weekday outside Monday..Saturday)."""

    code = "closed_weekday"
    field = "weekday"


class TimesRequired(AvailabilityError):
    code = "times_required"


class EndNotAfterStart(AvailabilityError):
    code = "end_not_after_start"


class LengthOutOfRange(AvailabilityError):
    code = "length_out_of_range"
    field = "length"


class BufferOutOfRange(AvailabilityError):
    code = "buffer_out_of_range"
    field = "buffer"


class WindowTooShort(AvailabilityError):
    """Not even one consultation fits between the start and the end."""

    code = "window_too_short"
    field = "length"


class DatesOutOfOrder(AvailabilityError):
    code = "dates_out_of_order"


class RangeTooLong(AvailabilityError):
    code = "range_too_long"
    field = "end_date"


class NoOpenDay(AvailabilityError):
    """Extra hours only on Sundays and public holidays, when the incubator is closed."""

    code = "no_open_day"
    field = "start_date"


@dataclass(frozen=True)
class OtherHours:
    """The expert's hours that new hours collide with (for the message)."""

    weekday: int
    start: time
    end: time
    branch_name: str
    valid_from: date | None = None
    valid_to: date | None = None
    on_date: date | None = None  # extra hours clash on a particular date

    @classmethod
    def of_rule(cls, rule: Rule, branch_name: str) -> OtherHours:
        return cls(rule.weekday, rule.start, rule.end, branch_name, rule.valid_from, rule.valid_to)


class Overlap(AvailabilityError):
    """The new hours overlap the expert's hours elsewhere: nobody can be in two places at once."""

    code = "overlap"

    def __init__(self, other: OtherHours, **params: Any) -> None:
        super().__init__(other=other, **params)
        self.other = other


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDraft:
    """Weekly hours as typed in: every <weekday> <start>-<end> at <branch>."""

    branch_id: int | None
    weekday: int
    start: time
    end: time
    length_min: int = 60
    buffer_min: int = 0
    valid_from: date | None = None  # None: from today
    valid_to: date | None = None  # None: until further notice


@dataclass(frozen=True)
class ExceptionDraft:
    """A day off (``OFF``, whole days or some hours, one branch or all) or extra hours."""

    kind: ExceptionKind
    start_date: date
    end_date: date | None = None  # None: the start date only
    branch_id: int | None = None  # OFF: None = every branch; EXTRA: required
    start_time: time | None = None
    end_time: time | None = None
    length_min: int = 60
    buffer_min: int = 0
    reason: str = ""


# --- a window of consultations --------------------------------------------------------------


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def check_window(
    start: time | None,
    end: time | None,
    length_min: int,
    buffer_min: int,
    *,
    start_field: str,
    end_field: str,
) -> tuple[int, int]:
    """Check a window of consultations; (consultations per day, unused minutes at its end)."""
    if start is None:
        raise TimesRequired(field=start_field)
    if end is None:
        raise TimesRequired(field=end_field)
    if end <= start:
        raise EndNotAfterStart(field=end_field)
    if not LENGTH_MIN <= length_min <= LENGTH_MAX:
        raise LengthOutOfRange(low=LENGTH_MIN, high=LENGTH_MAX)
    if not 0 <= buffer_min <= BUFFER_MAX:
        raise BufferOutOfRange(high=BUFFER_MAX)
    window = _minutes(end) - _minutes(start)
    if length_min > window:
        raise WindowTooShort(window_min=window, length_min=length_min)
    # Slots start every length + buffer minutes while a whole consultation still fits.
    per_day = (window - length_min) // (length_min + buffer_min) + 1
    unused = max(0, window - per_day * (length_min + buffer_min))
    return per_day, unused


# --- weekly hours ---------------------------------------------------------------------------


def check_rule(
    draft: RuleDraft, *, expert_id: int, branch_id: int, today: date
) -> tuple[Rule, int, int]:
    """The weekly hours a draft describes, with (consultations per day, unused minutes).

    The branch has been checked by the caller (it needs the database). New hours start today at
    the earliest (an empty "valid from" means today), so they never collide with ended ones.
    """
    if draft.weekday not in OPEN_WEEKDAYS:
        raise ClosedWeekday(weekday=draft.weekday)
    per_day, unused = check_window(
        draft.start,
        draft.end,
        draft.length_min,
        draft.buffer_min,
        start_field="start",
        end_field="end",
    )
    valid_from = draft.valid_from or today
    if valid_from < today:
        raise InThePast(field="valid_from")
    if draft.valid_to is not None and draft.valid_to < valid_from:
        raise DatesOutOfOrder(field="valid_to")
    rule = Rule(
        expert_id=expert_id,
        branch_id=branch_id,
        weekday=draft.weekday,
        start=draft.start,
        end=draft.end,
        length_min=draft.length_min,
        buffer_min=draft.buffer_min,
        valid_from=valid_from,
        valid_to=draft.valid_to,
    )
    return rule, per_day, unused


def find_clash(new: Rule, existing: Sequence[tuple[Rule, T]]) -> T | None:
    """The tag of the existing rule that `new` overlaps, as `slots.validate_rules` judges it.

    `existing` pairs each rule with what the caller wants back (a row, an id).
    """
    try:
        validate_rules([*(r for r, _ in existing), new])
        return None
    except RuleOverlapError as error:
        pair = (error.first, error.second)
        if any(r is new for r in pair):
            other = pair[1] if pair[0] is new else pair[0]
            for rule, tag in existing:
                if rule is other:
                    return tag
    # Two older rules clash with each other (data from before this check): judge `new` alone.
    for rule, tag in existing:
        try:
            validate_rules([rule, new])
        except RuleOverlapError:
            return tag
    return None


def rule_has_ended(rule: Rule, today: date) -> bool:
    """The hours stopped before today (nothing left to end)."""
    return rule.valid_to is not None and rule.valid_to < today


def rule_has_started(rule: Rule, today: date) -> bool:
    """The hours have been in force: ending them keeps history (``valid_to = yesterday``);
    hours that have not started yet are deleted instead."""
    return not (rule.valid_from is not None and rule.valid_from >= today)


def rule_search_bounds(rule: Rule, today: date) -> tuple[datetime, datetime | None]:
    """``[start, end)`` instants in which consultations booked in `rule` from today on lie."""
    first = max(today, rule.valid_from or date.min)
    end = local_day_bounds(first, rule.valid_to)[1] if rule.valid_to else None
    return local_midnight(first), end


def booked_in_rule(rule: Rule, start: datetime, branch_id: int) -> bool:
    """A consultation starting at `start` at `branch_id` was booked in these weekly hours."""
    local = start.astimezone(WARSAW)
    return (
        branch_id == rule.branch_id
        and local.weekday() == rule.weekday
        and rule.covers(local.date())
        and rule.start <= local.time() < rule.end
    )


# --- days off and extra hours ---------------------------------------------------------------


def check_exception_dates(draft: ExceptionDraft, *, today: date) -> date:
    """Check the dates of a day off or extra hours; the last date (the first if none given)."""
    end_date = draft.end_date or draft.start_date
    if end_date < draft.start_date:
        raise DatesOutOfOrder(field="end_date")
    if end_date < today:
        raise InThePast(field="end_date" if draft.end_date else "start_date")
    if draft.kind is ExceptionKind.EXTRA and draft.start_date < today:
        raise InThePast(field="start_date", reason="extra_hours_start")
    if (end_date - draft.start_date).days + 1 > MAX_EXCEPTION_DAYS:
        raise RangeTooLong(max_days=MAX_EXCEPTION_DAYS)
    return end_date


def check_exception(
    draft: ExceptionDraft,
    *,
    expert_id: int,
    branch_id: int | None,
    end_date: date,
    holidays: Container[date],
) -> AvailabilityException:
    """The day off or extra hours a draft describes (dates already checked, see above).

    Extra hours are a window of consultations on a day the incubator is closed otherwise
    (`holidays`: the public holidays from the start to `end_date`). A day off takes whole days
    or both times; its length and buffer are unused and stored as 60 and 0.
    """
    length_min, buffer_min = draft.length_min, draft.buffer_min
    if draft.kind is ExceptionKind.EXTRA:
        check_window(
            draft.start_time,
            draft.end_time,
            length_min,
            buffer_min,
            start_field="start_time",
            end_field="end_time",
        )
        if all(is_closed_day(d, holidays) for d in daterange(draft.start_date, end_date)):
            raise NoOpenDay()
    else:
        if (draft.start_time is None) != (draft.end_time is None):
            raise TimesRequired(field="end_time" if draft.end_time is None else "start_time")
        if draft.start_time is not None and draft.end_time is not None:
            if draft.end_time <= draft.start_time:
                raise EndNotAfterStart(field="end_time")
        length_min, buffer_min = 60, 0
    exception = AvailabilityException(
        expert_id=expert_id,
        kind=draft.kind,
        start_date=draft.start_date,
        end_date=end_date,
        branch_id=branch_id,
        start_time=draft.start_time,
        end_time=draft.end_time,
        length_min=length_min,
        buffer_min=buffer_min,
    )
    try:  # the slot engine's own check, as a safety net for anything missed above
        validate_exceptions([exception])
    except ValueError as error:  # pragma: no cover - every case is checked above
        raise AvailabilityError(str(error)) from None
    return exception


def _freed(
    offs: Iterable[AvailabilityException], day: date, branch_id: int, lo: time, hi: time
) -> bool:
    """A day off frees ``lo..hi`` on `day` at `branch_id`."""
    return any(
        o.start_date <= day <= o.end_date
        and (o.branch_id is None or o.branch_id == branch_id)
        and (o.start_time is None or (o.start_time <= lo and hi <= o.end_time))  # type: ignore[operator]
        for o in offs
    )


def extra_clash(
    extra: AvailabilityException,
    rules: Iterable[Rule],
    exceptions: Iterable[AvailabilityException],
    branch_names: Mapping[int, str],
    holidays: Container[date],
) -> OtherHours | None:
    """The expert's hours at another branch that `extra` hours would overlap, or None.

    Weekly hours and other extra hours count, except where a day off frees the overlapping time;
    days the incubator is closed (`holidays` covers the extra hours' dates) are skipped.
    """
    assert extra.start_time is not None and extra.end_time is not None
    elsewhere = [r for r in rules if r.branch_id != extra.branch_id]
    offs = [e for e in exceptions if e.kind is ExceptionKind.OFF]
    extras = [
        e
        for e in exceptions
        if e.kind is ExceptionKind.EXTRA
        and e.branch_id is not None
        and e.branch_id != extra.branch_id
        and e.start_time is not None
        and e.end_time is not None
    ]
    for day in daterange(extra.start_date, extra.end_date):
        if is_closed_day(day, holidays):
            continue
        windows: list[tuple[time, time, int, date | None, date | None]] = [
            (r.start, r.end, r.branch_id, r.valid_from, r.valid_to)
            for r in elsewhere
            if r.weekday == day.weekday() and r.covers(day)
        ]
        windows += [
            (x.start_time, x.end_time, x.branch_id, None, None)  # type: ignore[misc]
            for x in extras
            if x.start_date <= day <= x.end_date
        ]
        for w_start, w_end, w_branch, valid_from, valid_to in windows:
            lo, hi = max(extra.start_time, w_start), min(extra.end_time, w_end)
            if lo < hi and not _freed(offs, day, w_branch, lo, hi):
                name = branch_names[w_branch]
                return OtherHours(day.weekday(), w_start, w_end, name, valid_from, valid_to, day)
    return None


def hit_by_day_off(
    off: AvailabilityException, start: datetime, end: datetime, branch_id: int
) -> bool:
    """A consultation ``[start, end)`` at `branch_id` falls inside the day off `off`."""
    if off.kind is not ExceptionKind.OFF:
        return False
    first, last = local_day_bounds(off.start_date, off.end_date)
    if not (start < last and end > first):
        return False
    if off.branch_id is not None and branch_id != off.branch_id:
        return False
    if off.start_time is not None and off.end_time is not None:
        day = local_date(start)
        off_start = datetime.combine(day, off.start_time, tzinfo=WARSAW)
        off_end = datetime.combine(day, off.end_time, tzinfo=WARSAW)
        return start < off_end and end > off_start
    return True
