"""Availability and free-slot engine.

Pure functions over plain data: no Flask, no database and no clock (``now`` is a parameter),
so the rules about when an expert can be booked are testable in isolation.

Model
-----
* A :class:`Rule` is a weekly wall-clock window (Europe/Warsaw) of one expert at one branch.
* An :class:`AvailabilityException` either removes time (``OFF``) or adds a one-off window
  (``EXTRA``) on a range of dates.
* ``busy`` intervals (existing consultations, already widened by their buffers) block an
  expert at *every* branch: a person cannot be in two places at once.

Time handling
-------------
Slots are laid out in wall-clock time on each local date (a 09:00 rule is 09:00 in Warsaw in
winter and in summer) and then turned into instants. Wall times that do not exist (the spring
gap) are skipped, ambiguous ones (the autumn fold) use ``fold=0``, i.e. the first, summer-time
occurrence. A slot lasts ``length_min`` minutes of *elapsed* time, so on a DST-change night its
``end`` may show a wall time that differs from ``start + length`` on the clock face.

Internally everything is compared as integer/float POSIX seconds, which sidesteps Python's
rule that aware datetimes sharing a tzinfo are compared by wall time (ignoring ``fold``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import accumulate

from .calendar import SUNDAY, WARSAW, daterange, is_closed_day

__all__ = [
    "WEEKDAY_NAMES",
    "AvailabilityException",
    "ExceptionKind",
    "Interval",
    "Rule",
    "RuleOverlapError",
    "Slot",
    "free_slots",
    "validate_exceptions",
    "validate_rules",
]

WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

_DAY_SECONDS = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Rule:
    """Weekly availability of one expert at one branch (local Europe/Warsaw wall-clock)."""

    expert_id: int
    branch_id: int
    weekday: int  # 0 = Monday ... 6 = Sunday (like date.weekday())
    start: time
    end: time
    length_min: int = 60  # consultation length
    buffer_min: int = 0  # free time after each consultation
    valid_from: date | None = None  # inclusive
    valid_to: date | None = None  # inclusive

    def covers(self, d: date) -> bool:
        """True if the rule's validity period includes local date ``d`` (weekday not checked)."""
        return (self.valid_from is None or self.valid_from <= d) and (
            self.valid_to is None or d <= self.valid_to
        )


class ExceptionKind(StrEnum):
    OFF = "off"  # leave, sick day: removes availability
    EXTRA = "extra"  # extra hours at a branch


@dataclass(frozen=True)
class AvailabilityException:
    """One-off change of an expert's availability on the dates ``start_date..end_date``.

    ``OFF`` without times blocks whole days; with times it blocks ``[start_time, end_time)`` on
    each of the dates. ``branch_id=None`` on ``OFF`` means every branch. ``EXTRA`` needs a
    branch and both times and adds slots laid out exactly like a :class:`Rule`.
    """

    expert_id: int
    kind: ExceptionKind
    start_date: date  # inclusive
    end_date: date  # inclusive
    branch_id: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    length_min: int = 60
    buffer_min: int = 0

    @property
    def whole_day(self) -> bool:
        return self.start_time is None and self.end_time is None


@dataclass(frozen=True, order=True)
class Interval:
    """Half-open ``[start, end)`` between two aware datetimes (any tz, compared as instants)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable consultation. ``start`` is an aware Europe/Warsaw datetime."""

    start: datetime
    end: datetime  # start + length (elapsed time)
    expert_id: int
    branch_id: int
    buffer_min: int = field(default=0, compare=False)

    def occupied(self) -> Interval:
        """The interval this slot blocks once booked: the consultation plus its buffer.

        This is exactly what should be passed back to :func:`free_slots` as ``busy``.
        """
        until = (self.end.astimezone(UTC) + timedelta(minutes=self.buffer_min)).astimezone(WARSAW)
        return Interval(self.start, until)


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


# --------------------------------------------------------------------------- validation


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


def _check_rule(rule: Rule) -> None:
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


def _check_exception(exc: AvailabilityException) -> None:
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
        _check_rule(rule)
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
        _check_exception(exc)


# --------------------------------------------------------------------------- time helpers


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _epoch(dt: datetime) -> float:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {dt!r}")
    return dt.timestamp()


def _uniform_offset(d: date) -> int | None:
    """UTC offset (seconds) valid for the whole local date ``d``, or None on a DST-change day."""
    first = datetime(d.year, d.month, d.day, tzinfo=WARSAW).utcoffset()
    last = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=WARSAW).utcoffset()
    if first is None or first != last:
        return None
    return int(first.total_seconds())


def _local_to_epoch(d: date, sec: int, *, strict: bool) -> int | None:
    """POSIX seconds of wall time ``sec`` after local midnight of ``d`` (slow, exact path).

    Ambiguous times resolve with ``fold=0``. With ``strict`` a non-existent time gives None;
    otherwise it is mapped the way zoneinfo does (pre-transition offset, i.e. a later instant).
    """
    naive = datetime(d.year, d.month, d.day) + timedelta(seconds=sec)
    aware = naive.replace(tzinfo=WARSAW)
    if strict and aware.astimezone(UTC).astimezone(WARSAW).replace(tzinfo=None) != naive:
        return None
    return int(aware.timestamp())


@dataclass(frozen=True)
class _Day:
    """A local date plus what is needed to turn its wall times into instants quickly."""

    local_date: date
    base: int  # POSIX seconds of the local midnight *as if it were UTC*
    offset: int | None  # see _uniform_offset

    @classmethod
    def of(cls, d: date) -> _Day:
        return cls(d, (d.toordinal() - _EPOCH_ORDINAL) * _DAY_SECONDS, _uniform_offset(d))

    def instant(self, sec: int, *, strict: bool = True) -> int | None:
        if self.offset is not None:
            return self.base + sec - self.offset
        return _local_to_epoch(self.local_date, sec, strict=strict)


def _layout(
    day: _Day, start: time, end: time, length_min: int, buffer_min: int
) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` POSIX seconds of the slots of one window on one day.

    Starts step by ``length + buffer`` in wall-clock time from ``start`` while
    ``wall start + length <= end``; non-existent wall times are skipped.
    """
    start_s, end_s = _seconds(start), _seconds(end)
    length_s, step_s = length_min * 60, (length_min + buffer_min) * 60
    if day.offset is not None:  # fast path: the whole day has one UTC offset
        shift = day.base - day.offset
        for s in range(start_s, end_s - length_s + 1, step_s):
            yield shift + s, shift + s + length_s
        return
    # DST-change day: resolve each wall time, and also keep the elapsed end inside the window.
    limit = day.instant(end_s, strict=False)
    assert limit is not None
    for s in range(start_s, end_s - length_s + 1, step_s):
        begin = day.instant(s)
        if begin is None or begin + length_s > limit:
            continue
        yield begin, begin + length_s


class _BusyIndex:
    """Busy intervals of one expert, answering "does [a, b) hit any of them?" in O(log n).

    Intervals are sorted by start; ``max_end[i]`` is the largest end among the first ``i + 1``.
    ``[a, b)`` overlaps something iff among the intervals starting before ``b`` the latest end
    is after ``a`` -- correct even when the busy intervals overlap or nest.
    """

    __slots__ = ("starts", "max_end")

    def __init__(self, intervals: Iterable[Interval]):
        pairs = sorted(
            (s, e) for s, e in ((_epoch(i.start), _epoch(i.end)) for i in intervals) if e > s
        )
        self.starts = [s for s, _ in pairs]
        self.max_end = list(accumulate((e for _, e in pairs), max))

    def hits(self, a: float, b: float) -> bool:
        i = bisect_left(self.starts, b)
        return i > 0 and self.max_end[i - 1] > a


# --------------------------------------------------------------------------- the engine


def _local_date_or(instant: float, fallback: date) -> date:
    """Local date of a POSIX instant, or ``fallback`` if it is beyond what datetime can hold."""
    try:
        return datetime.fromtimestamp(instant, WARSAW).date()
    except (OverflowError, OSError, ValueError):
        return fallback


def free_slots(
    rules: Iterable[Rule],
    exceptions: Iterable[AvailabilityException],
    busy: Mapping[int, Iterable[Interval]],
    holidays: Container[date],
    window_start: date,
    window_end: date,
    now: datetime,
    min_notice: timedelta = timedelta(hours=24),
    horizon: timedelta = timedelta(days=60),
    branch_id: int | None = None,
    expert_ids: Container[int] | None = None,
) -> list[Slot]:
    """Bookable slots on the local dates ``window_start..window_end`` (inclusive).

    * Sundays and dates in ``holidays`` have no slots at all (rules and EXTRA alike).
    * Rules whose weekday and validity match a date, and EXTRA exceptions covering it, are laid
      out from their start in steps of ``length + buffer`` while ``start + length <= end``.
    * OFF exceptions remove whole days, or slots whose ``[start, end + buffer)`` overlaps the
      OFF window; ``branch_id=None`` on OFF means every branch.
    * A slot whose ``[start, end + buffer)`` overlaps a busy interval of its expert is dropped,
      whatever the branch of either.
    * Only starts in ``[now + min_notice, now + horizon]`` are kept.
    * Slots of one expert never overlap, buffers included, so any subset of the result can be
      booked together. On a clash (e.g. an EXTRA window over a rule) the earlier start wins,
      then rules before EXTRAs, then input order. The ``branch_id``/``expert_ids`` filters are
      applied *before* that, so a branch view is not thinned out by slots at other branches.

    Malformed rules or exceptions raise :class:`ValueError`; overlapping rules do not (call
    :func:`validate_rules` when saving them). Result is sorted by (start, expert_id, branch_id).
    """
    now_s = _epoch(now)
    earliest = now_s + min_notice.total_seconds()
    latest = now_s + horizon.total_seconds()
    if latest < earliest:
        return []
    # Only look at local dates that can hold a slot between ``earliest`` and ``latest``.
    lo = max(window_start, _local_date_or(earliest, window_start))
    hi = min(window_end, _local_date_or(latest, window_end))
    if hi < lo:
        return []
    wanted = _Wanted(branch_id, expert_ids)
    by_weekday, priority = _rules_by_weekday(rules, wanted)
    found = _Exceptions.expand(exceptions, wanted, lo, hi, priority)
    busy_index = _BusyIndexes(busy)
    # (start, priority, expert, branch, end, buffer_s) per expert, before de-overlapping.
    candidates: dict[int, list[_Candidate]] = defaultdict(list)
    for d in daterange(lo, hi):
        if is_closed_day(d, holidays):
            continue
        sources = _sources_on(d, by_weekday, found.extras.get(d, ()))
        if sources:
            _lay_out_day(d, sources, found, busy_index, (earliest, latest), candidates)
    return _without_overlaps(candidates)


_Candidate = tuple[int, int, int, int, int, int]  # start, priority, expert, branch, end, buffer_s
_Source = tuple[int, int, int, time, time, int, int]  # priority, expert, branch, window, layout


@dataclass(frozen=True)
class _Wanted:
    """The branch / expert filters of a listing (applied before slots are de-overlapped)."""

    branch_id: int | None
    expert_ids: Container[int] | None

    def __call__(self, expert: int, branch: int | None) -> bool:
        if self.expert_ids is not None and expert not in self.expert_ids:
            return False
        return self.branch_id is None or branch is None or branch == self.branch_id


def _rules_by_weekday(
    rules: Iterable[Rule], wanted: _Wanted
) -> tuple[dict[int, list[tuple[int, Rule]]], int]:
    """Rules by weekday, remembering input order as the tie-break priority."""
    by_weekday: dict[int, list[tuple[int, Rule]]] = defaultdict(list)
    priority = 0
    for rule in rules:
        _check_rule(rule)
        if wanted(rule.expert_id, rule.branch_id) and rule.weekday != SUNDAY:
            by_weekday[rule.weekday].append((priority, rule))
        priority += 1
    return by_weekday, priority


@dataclass
class _Exceptions:
    """Exceptions expanded onto the dates of the (clipped) window."""

    extras: dict[date, list[tuple[int, AvailabilityException]]]
    off_days: dict[tuple[int, date], set[int | None]]  # (expert, day) -> branches (None: all)
    off_windows: dict[tuple[int, date], list[AvailabilityException]]

    @classmethod
    def expand(
        cls,
        exceptions: Iterable[AvailabilityException],
        wanted: _Wanted,
        lo: date,
        hi: date,
        priority: int,
    ) -> _Exceptions:
        found = cls(defaultdict(list), defaultdict(set), defaultdict(list))
        for exc in exceptions:
            _check_exception(exc)
            if not wanted(exc.expert_id, exc.branch_id):
                continue
            for d in daterange(max(lo, exc.start_date), min(hi, exc.end_date)):
                if exc.kind is ExceptionKind.EXTRA:
                    found.extras[d].append((priority, exc))
                elif exc.whole_day:
                    found.off_days[(exc.expert_id, d)].add(exc.branch_id)
                else:
                    found.off_windows[(exc.expert_id, d)].append(exc)
            priority += 1
        return found


class _BusyIndexes(dict[int, "_BusyIndex"]):
    """A `_BusyIndex` per expert, built on first use."""

    def __init__(self, busy: Mapping[int, Iterable[Interval]]):
        super().__init__()
        self._busy = busy

    def __missing__(self, expert: int) -> _BusyIndex:
        index = self[expert] = _BusyIndex(self._busy.get(expert, ()))
        return index


def _sources_on(
    d: date,
    by_weekday: Mapping[int, list[tuple[int, Rule]]],
    extras: Iterable[tuple[int, AvailabilityException]],
) -> list[_Source]:
    """The windows that give slots on `d`: the rules in force, then the extra hours."""
    sources: list[_Source] = [
        (p, r.expert_id, r.branch_id, r.start, r.end, r.length_min, r.buffer_min)
        for p, r in by_weekday.get(d.weekday(), ())
        if r.covers(d)
    ]
    for p, x in extras:
        assert x.branch_id is not None and x.start_time is not None
        assert x.end_time is not None
        sources.append(
            (p, x.expert_id, x.branch_id, x.start_time, x.end_time, x.length_min, x.buffer_min)
        )
    return sources


def _lay_out_day(
    d: date,
    sources: Iterable[_Source],
    found: _Exceptions,
    busy_index: _BusyIndexes,
    bounds: tuple[float, float],
    candidates: dict[int, list[_Candidate]],
) -> None:
    """Add the day's slots that are bookable (not off, not busy, within `bounds`)."""
    earliest, latest = bounds
    day = _Day.of(d)
    off_cache: dict[int, list[tuple[int | None, int, int]]] = {}
    for p, expert, branch, w_start, w_end, length_min, buffer_min in sources:
        off_branches = found.off_days.get((expert, d))
        if off_branches and (None in off_branches or branch in off_branches):
            continue
        offs = off_cache.get(expert)
        if offs is None:
            offs = off_cache[expert] = [
                (o.branch_id, *_off_window(day, o)) for o in found.off_windows.get((expert, d), ())
            ]
        busy_hits = busy_index[expert].hits
        buffer_s = buffer_min * 60
        bucket = candidates[expert]
        for begin, end in _layout(day, w_start, w_end, length_min, buffer_min):
            if begin < earliest or begin > latest:
                continue
            occupied_end = end + buffer_s
            if busy_hits(begin, occupied_end):
                continue
            if any(
                (ob is None or ob == branch) and begin < oe and occupied_end > os
                for ob, os, oe in offs
            ):
                continue
            bucket.append((begin, p, expert, branch, end, buffer_s))


def _without_overlaps(candidates: Mapping[int, list[_Candidate]]) -> list[Slot]:
    """Per expert, the earliest start wins, then the lower priority; sorted as `Slot`s."""
    chosen: list[tuple[int, int, int, int, int]] = []
    for bucket in candidates.values():
        bucket.sort()
        free_from = float("-inf")
        for begin, _p, expert, branch, end, buffer_s in bucket:
            if begin >= free_from:
                chosen.append((begin, expert, branch, end, buffer_s))
                free_from = end + buffer_s
    chosen.sort()
    return [
        Slot(
            datetime.fromtimestamp(begin, WARSAW),
            datetime.fromtimestamp(end, WARSAW),
            expert,
            branch,
            buffer_s // 60,
        )
        for begin, expert, branch, end, buffer_s in chosen
    ]


def _off_window(day: _Day, exc: AvailabilityException) -> tuple[int, int]:
    """POSIX seconds of a timed OFF window on ``day`` (lenient for DST-gap edges)."""
    assert exc.start_time is not None and exc.end_time is not None
    start = day.instant(_seconds(exc.start_time), strict=False)
    end = day.instant(_seconds(exc.end_time), strict=False)
    assert start is not None and end is not None
    return start, end
