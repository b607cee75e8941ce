"""Property-based tests of the slot engine (hypothesis).

Random rules, exceptions, busy intervals, holidays and windows -- deliberately including the DST
weeks of 2026 and 2027 -- are checked against invariants that must hold for any input, and
against a slow, datetime-based reference model written independently of the integer fast path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.domain.slots import (
    WARSAW,
    AvailabilityException,
    ExceptionKind,
    Interval,
    Rule,
    RuleOverlapError,
    Slot,
    free_slots,
    validate_rules,
)

OFF, EXTRA = ExceptionKind.OFF, ExceptionKind.EXTRA
SUNDAY = 6

PROPERTY_SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Windows start near DST changes (2026-03-29, 2026-10-25, 2027-03-28, 2027-10-31), around
# holidays, or anywhere in 2026-2027.
ANCHORS = [
    date(2026, 3, 23),
    date(2026, 10, 19),
    date(2027, 3, 22),
    date(2027, 10, 25),
    date(2026, 11, 9),
    date(2026, 12, 21),
]


@dataclass(frozen=True)
class Scenario:
    rules: list[Rule]
    exceptions: list[AvailabilityException]
    busy: dict[int, list[Interval]]
    holidays: frozenset[date]
    window_start: date
    window_end: date
    now: datetime
    min_notice: timedelta
    horizon: timedelta
    branch_id: int | None = None
    expert_ids: frozenset[int] | None = None

    def run(self, **overrides: Any) -> list[Slot]:
        s = replace(self, **overrides)
        return free_slots(
            s.rules,
            s.exceptions,
            s.busy,
            s.holidays,
            s.window_start,
            s.window_end,
            s.now,
            min_notice=s.min_notice,
            horizon=s.horizon,
            branch_id=s.branch_id,
            expert_ids=s.expert_ids,
        )

    @property
    def dates(self) -> list[date]:
        n = (self.window_end - self.window_start).days
        return [self.window_start + timedelta(days=i) for i in range(n + 1)]


# --------------------------------------------------------------------------- strategies

experts = st.integers(1, 3)
branches = st.integers(1, 2)
lengths = st.sampled_from([15, 20, 30, 45, 60, 90])
buffers = st.sampled_from([0, 0, 5, 10, 15, 30])


@st.composite
def windows(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(
        st.one_of(
            st.builds(
                lambda a, n: a + timedelta(days=n), st.sampled_from(ANCHORS), st.integers(-6, 6)
            ),
            st.dates(date(2026, 1, 1), date(2027, 12, 20)),
        )
    )
    return start, start + timedelta(days=draw(st.sampled_from([6, 13, 20]) | st.integers(0, 20)))


@st.composite
def windows_of_day(draw: st.DrawFn) -> tuple[time, time]:
    """A wall-clock window on a 5-minute grid: mostly office hours, sometimes anywhere (DST)."""
    earliest_start = draw(st.sampled_from([6 * 60, 6 * 60, 6 * 60, 0]))
    start = draw(st.integers(earliest_start // 5, 20 * 12)) * 5
    end = min(
        start + draw(st.integers(12, 72) | st.integers(12, 72) | st.integers(1, 72)) * 5,
        23 * 60 + 55,
    )
    return time(start // 60, start % 60), time(end // 60, end % 60)


def _near(window: tuple[date, date]) -> st.SearchStrategy[date]:
    lo, hi = window
    return st.dates(lo - timedelta(days=7), hi + timedelta(days=7))


@st.composite
def rules_for(draw: st.DrawFn, window: tuple[date, date]) -> Rule:
    start, end = draw(windows_of_day())
    valid_from = draw(st.none() | st.none() | _near(window))
    valid_to = draw(st.none() | st.none() | _near(window))
    if valid_from and valid_to and valid_to < valid_from:
        valid_from, valid_to = valid_to, valid_from
    return Rule(
        draw(experts),
        draw(branches),
        draw(st.integers(0, 6)),
        start,
        end,
        draw(lengths),
        draw(buffers),
        valid_from,
        valid_to,
    )


@st.composite
def exceptions_for(draw: st.DrawFn, window: tuple[date, date]) -> AvailabilityException:
    kind = draw(st.sampled_from([OFF, OFF, EXTRA]))
    d1, d2 = sorted([draw(_near(window)), draw(_near(window))])
    if kind is EXTRA:
        t1, t2 = draw(windows_of_day())
        return AvailabilityException(
            draw(experts), EXTRA, d1, d2, draw(branches), t1, t2, draw(lengths), draw(buffers)
        )
    times: tuple[time | None, time | None] = draw(st.just((None, None)) | windows_of_day())
    return AvailabilityException(draw(experts), OFF, d1, d2, draw(st.none() | branches), *times)


def drop_overlapping(rules: list[Rule]) -> list[Rule]:
    """Keep each rule only if it is compatible with those kept so far (like saving one by one)."""
    kept: list[Rule] = []
    for rule in rules:
        try:
            validate_rules([*kept, rule])
        except RuleOverlapError:
            continue
        kept.append(rule)
    return kept


@st.composite
def scenarios(draw: st.DrawFn, *, validated: bool = True) -> Scenario:
    window = draw(windows())
    lo, hi = window
    midnight = datetime.combine(lo, time(0), tzinfo=WARSAW).astimezone(UTC)

    rules = draw(st.lists(rules_for(window), min_size=1, max_size=10))
    if validated:
        rules = drop_overlapping(rules)
    exceptions = draw(st.lists(exceptions_for(window), max_size=5))

    n_days = (hi - lo).days
    busy: dict[int, list[Interval]] = defaultdict(list)
    for expert, day, minute, minutes, tz in draw(
        st.lists(
            st.tuples(
                experts,
                st.integers(-1, n_days),
                st.integers(7 * 60, 19 * 60) | st.integers(-600, 1440),
                st.integers(1, 300),
                st.sampled_from([WARSAW, UTC]),
            ),
            max_size=12,
        )
    ):
        start = midnight + timedelta(days=day, minutes=minute)
        busy[expert].append(
            Interval(start.astimezone(tz), (start + timedelta(minutes=minutes)).astimezone(tz))
        )

    # Busy intervals and OFF windows aimed at generated rules, so that they actually bite.
    for i, week, shift, minutes, tz in draw(
        st.lists(
            st.tuples(
                st.integers(0, len(rules) - 1),
                st.integers(0, n_days // 7),
                st.integers(-90, 180),
                st.integers(5, 180),
                st.sampled_from([WARSAW, UTC]),
            ),
            max_size=8 if rules else 0,
        )
    ):
        rule = rules[i]
        d = lo + timedelta(days=(rule.weekday - lo.weekday()) % 7 + 7 * week)
        start = datetime.combine(d, rule.start, tzinfo=WARSAW).astimezone(UTC)
        start += timedelta(minutes=shift)
        end = start + timedelta(minutes=minutes)
        if draw(st.booleans()):
            busy[rule.expert_id].append(Interval(start.astimezone(tz), end.astimezone(tz)))
        else:
            s_local, e_local = start.astimezone(WARSAW), end.astimezone(WARSAW)
            if s_local.date() == e_local.date() == d and s_local.time() < e_local.time():
                exceptions.append(
                    AvailabilityException(
                        rule.expert_id,
                        OFF,
                        d,
                        d,
                        draw(st.none() | st.just(rule.branch_id)),
                        s_local.time(),
                        e_local.time(),
                    )
                )

    holidays = frozenset(
        lo + timedelta(days=i) for i in draw(st.sets(st.integers(0, n_days), max_size=3))
    )
    now = midnight + timedelta(minutes=draw(st.integers(-3 * 1440, 1440)))
    min_notice = timedelta(
        minutes=draw(st.sampled_from([0, 24 * 60, 24 * 60]) | st.integers(0, 2 * 1440))
    )
    horizon = timedelta(
        minutes=draw(
            st.just(60 * 1440) | st.just(60 * 1440) | st.just(60 * 1440) | st.integers(0, 30 * 1440)
        )
    )
    return Scenario(
        rules,
        exceptions,
        dict(busy),
        holidays,
        lo,
        hi,
        now.astimezone(draw(st.sampled_from([UTC, WARSAW]))),
        min_notice,
        horizon,
        draw(st.none() | st.none() | branches),
        draw(st.none() | st.none() | st.frozensets(experts, min_size=1)),
    )


# --------------------------------------------------------------------------- invariants


def ts(dt: datetime) -> float:
    return dt.timestamp()


def local(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=WARSAW)


def occupied_end(slot: Slot) -> float:
    return ts(slot.end) + slot.buffer_min * 60


def fits_source(
    slot: Slot,
    start: time,
    end: time,
    length_min: int,
    buffer_min: int,
) -> bool:
    """Is ``slot`` one of the grid slots of the wall-clock window ``start..end`` on its date?"""
    d = slot.start.date()
    if slot.buffer_min != buffer_min or ts(slot.end) - ts(slot.start) != length_min * 60:
        return False
    wall = slot.start.hour * 3600 + slot.start.minute * 60 + slot.start.second
    first = start.hour * 3600 + start.minute * 60
    last = end.hour * 3600 + end.minute * 60
    return (
        wall >= first
        and (wall - first) % ((length_min + buffer_min) * 60) == 0
        and wall + length_min * 60 <= last
        and ts(slot.end) <= ts(local(d, end))
    )


def check_invariants(sc: Scenario, slots: list[Slot]) -> None:
    keys = [(ts(s.start), s.expert_id, s.branch_id) for s in slots]
    assert keys == sorted(keys), "sorted by (start, expert_id, branch_id)"
    assert len(set(keys)) == len(keys), "no duplicates"

    # Notice and horizon are elapsed time, whatever the tz of ``now``.
    earliest, latest = (
        ts(sc.now) + sc.min_notice.total_seconds(),
        ts(sc.now) + sc.horizon.total_seconds(),
    )
    by_expert: dict[int, list[Slot]] = defaultdict(list)
    for s in slots:
        by_expert[s.expert_id].append(s)
        assert s.start.tzinfo is WARSAW and s.start.utcoffset() is not None
        d = s.start.date()
        assert sc.window_start <= d <= sc.window_end
        assert d.weekday() != SUNDAY and d not in sc.holidays
        assert earliest <= ts(s.start) <= latest
        if sc.branch_id is not None:
            assert s.branch_id == sc.branch_id
        if sc.expert_ids is not None:
            assert s.expert_id in sc.expert_ids
        a, b = ts(s.start), occupied_end(s)

        for busy in sc.busy.get(s.expert_id, ()):
            assert not (ts(busy.start) < b and ts(busy.end) > a), (s, busy)

        for x in sc.exceptions:
            if x.kind is not OFF or x.expert_id != s.expert_id:
                continue
            if not x.start_date <= d <= x.end_date or x.branch_id not in (None, s.branch_id):
                continue
            assert x.start_time is not None and x.end_time is not None, (s, x)  # whole day
            assert not (ts(local(d, x.start_time)) < b and ts(local(d, x.end_time)) > a), (s, x)

        from_rule = any(
            r.expert_id == s.expert_id
            and r.branch_id == s.branch_id
            and r.weekday == d.weekday()
            and r.covers(d)
            and fits_source(s, r.start, r.end, r.length_min, r.buffer_min)
            for r in sc.rules
        )
        from_extra = any(
            x.kind is EXTRA
            and x.expert_id == s.expert_id
            and x.branch_id == s.branch_id
            and x.start_date <= d <= x.end_date
            and x.start_time is not None
            and x.end_time is not None
            and fits_source(s, x.start_time, x.end_time, x.length_min, x.buffer_min)
            for x in sc.exceptions
        )
        assert from_rule or from_extra, s

    for own in by_expert.values():
        for prev, nxt in zip(own, own[1:], strict=False):
            assert occupied_end(prev) <= ts(nxt.start), (prev, nxt)


# --------------------------------------------------------------------------- reference model


def reference(sc: Scenario) -> list[tuple[float, float, int, int, int]]:
    """Slow, literal reading of the spec using aware datetimes throughout."""
    now = sc.now.astimezone(UTC)  # elapsed-time arithmetic, not wall-clock
    earliest, latest = now + sc.min_notice, now + sc.horizon

    def wanted(expert: int, branch: int) -> bool:
        return (sc.expert_ids is None or expert in sc.expert_ids) and (
            sc.branch_id is None or branch == sc.branch_id
        )

    Source = tuple[int, int, time, time, int, int, Callable[[date], bool]]
    sources: list[Source] = [
        (
            r.expert_id,
            r.branch_id,
            r.start,
            r.end,
            r.length_min,
            r.buffer_min,
            lambda d, r=r: d.weekday() == r.weekday and r.covers(d),
        )
        for r in sc.rules
    ]
    for x in sc.exceptions:
        if x.kind is EXTRA:
            assert x.branch_id is not None and x.start_time and x.end_time
            sources.append(
                (
                    x.expert_id,
                    x.branch_id,
                    x.start_time,
                    x.end_time,
                    x.length_min,
                    x.buffer_min,
                    lambda d, x=x: x.start_date <= d <= x.end_date,
                )
            )

    def off(expert: int, branch: int, d: date) -> list[AvailabilityException]:
        return [
            x
            for x in sc.exceptions
            if x.kind is OFF
            and x.expert_id == expert
            and x.start_date <= d <= x.end_date
            and x.branch_id in (None, branch)
        ]

    candidates: list[tuple[datetime, int, int, int, datetime, int]] = []
    for d in sc.dates:
        if d.weekday() == SUNDAY or d in sc.holidays:
            continue
        for priority, (expert, branch, t1, t2, length, buffer, applies) in enumerate(sources):
            if not wanted(expert, branch) or not applies(d):
                continue
            offs = off(expert, branch, d)
            if any(x.start_time is None for x in offs):
                continue
            wall, stop = datetime.combine(d, t1), datetime.combine(d, t2)
            while wall + timedelta(minutes=length) <= stop:
                begin = wall.replace(tzinfo=WARSAW)
                exists = begin.astimezone(UTC).astimezone(WARSAW).replace(tzinfo=None) == wall
                begin = begin.astimezone(UTC)
                end = begin + timedelta(minutes=length)
                occ = end + timedelta(minutes=buffer)
                if (
                    exists
                    and end <= stop.replace(tzinfo=WARSAW)
                    and earliest <= begin <= latest
                    and not any(b.start < occ and b.end > begin for b in sc.busy.get(expert, ()))
                    and not any(
                        local(d, x.start_time) < occ and local(d, x.end_time) > begin
                        for x in offs
                        if x.start_time is not None and x.end_time is not None
                    )
                ):
                    candidates.append((begin, priority, expert, branch, end, buffer))
                wall += timedelta(minutes=length + buffer)

    result = []
    free_from: dict[int, datetime] = {}
    for begin, _p, expert, branch, end, buffer in sorted(candidates):
        if expert not in free_from or begin >= free_from[expert]:
            result.append((ts(begin), ts(end), expert, branch, buffer))
            free_from[expert] = end + timedelta(minutes=buffer)
    return sorted(result, key=lambda r: (r[0], r[2], r[3]))


def as_rows(slots: Iterable[Slot]) -> list[tuple[float, float, int, int, int]]:
    return [(ts(s.start), ts(s.end), s.expert_id, s.branch_id, s.buffer_min) for s in slots]


# --------------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(scenarios())
def test_validated_rules_satisfy_invariants_and_reference(sc: Scenario) -> None:
    slots = sc.run()
    check_invariants(sc, slots)
    assert as_rows(slots) == reference(sc)


@PROPERTY_SETTINGS
@given(scenarios(validated=False))
def test_overlapping_rules_still_satisfy_invariants_and_reference(sc: Scenario) -> None:
    slots = sc.run()
    check_invariants(sc, slots)
    assert as_rows(slots) == reference(sc)


@PROPERTY_SETTINGS
@given(scenarios(), experts, branches)
def test_filters(sc: Scenario, expert: int, branch: int) -> None:
    everything = sc.run(expert_ids=None, branch_id=None)
    # Experts are independent, so the expert filter is a plain restriction ...
    assert sc.run(expert_ids={expert}, branch_id=None) == [
        s for s in everything if s.expert_id == expert
    ]
    # ... while a branch view may show slots that clash with another branch's (hidden) ones,
    # but never hides one of its own.
    here = sc.run(expert_ids=None, branch_id=branch)
    assert {s for s in everything if s.branch_id == branch} <= set(here)


@PROPERTY_SETTINGS
@given(scenarios())
def test_booking_a_returned_slot_removes_exactly_the_clashing_ones(sc: Scenario) -> None:
    slots = sc.run()
    if not slots:
        return
    booked = slots[len(slots) // 2]
    busy = {k: list(v) for k, v in sc.busy.items()}
    busy.setdefault(booked.expert_id, []).append(booked.occupied())
    after = sc.run(busy=busy)
    # Returned slots are pairwise bookable: booking one removes it and nothing else, and
    # nothing new appears.
    assert after == [s for s in slots if s != booked]
    check_invariants(replace(sc, busy=busy), after)
