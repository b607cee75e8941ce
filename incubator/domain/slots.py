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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from .calendar import SUNDAY, WARSAW, daterange, is_closed_day
from .slot_checks import (
    RuleOverlapError,
    check_exception,
    check_rule,
    validate_exceptions,
    validate_rules,
)
from .slot_types import (
    WEEKDAY_NAMES,
    AvailabilityException,
    ExceptionKind,
    Interval,
    Rule,
    Slot,
)

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

_DAY_SECONDS = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


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
        check_rule(rule)
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
            check_exception(exc)
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
