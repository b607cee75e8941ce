"""Example-based tests of the pure availability engine (no Flask, no database)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta

import pytest

from incubator.domain.calendar import WARSAW
from incubator.domain.slots import (
    AvailabilityException,
    ExceptionKind,
    Interval,
    Rule,
    RuleOverlapError,
    Slot,
    _Day,
    _layout,
    free_slots,
    validate_exceptions,
    validate_rules,
)

OFF, EXTRA = ExceptionKind.OFF, ExceptionKind.EXTRA
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEDNESDAY = date(2026, 6, 3)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=WARSAW)


def run(
    rules: Iterable[Rule],
    window_start: date,
    window_end: date | None = None,
    *,
    exceptions: Iterable[AvailabilityException] = (),
    busy: Mapping[int, Iterable[Interval]] | None = None,
    holidays: Container[date] = frozenset(),
    now: datetime = LONG_AGO,
    min_notice: timedelta = timedelta(hours=24),
    horizon: timedelta = timedelta(days=3650),
    branch_id: int | None = None,
    expert_ids: Container[int] | None = None,
) -> list[Slot]:
    """free_slots with test-friendly defaults (clock far in the past, horizon ten years)."""
    return free_slots(
        rules,
        exceptions,
        busy or {},
        holidays,
        window_start,
        window_end or window_start,
        now,
        min_notice=min_notice,
        horizon=horizon,
        branch_id=branch_id,
        expert_ids=expert_ids,
    )


def starts(slots: Iterable[Slot]) -> list[str]:
    return [s.start.strftime("%H:%M") for s in slots]


def weekly(weekdays: Iterable[int], start: time, end: time, **kw: int) -> list[Rule]:
    expert_id = kw.pop("expert_id", 1)
    branch_id = kw.pop("branch_id", 1)
    return [Rule(expert_id, branch_id, wd, start, end, **kw) for wd in weekdays]


# --------------------------------------------------------------------------- layout table


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(Rule(1, 1, WED, time(9), time(12)), ["09:00", "10:00", "11:00"], id="plain"),
        pytest.param(
            Rule(1, 1, WED, time(9), time(12), length_min=45, buffer_min=15),
            ["09:00", "10:00", "11:00"],
            id="45+15",
        ),
        pytest.param(
            Rule(1, 1, WED, time(9), time(12), length_min=60, buffer_min=15),
            ["09:00", "10:15"],
            id="60+15-last-does-not-fit",
        ),
        pytest.param(
            Rule(1, 1, WED, time(8, 15), time(10, 45), length_min=30, buffer_min=15),
            ["08:15", "09:00", "09:45"],
            id="30+15-odd-start",
        ),
        pytest.param(
            Rule(1, 1, WED, time(9), time(11, 59)), ["09:00", "10:00"], id="end-one-minute-short"
        ),
        pytest.param(
            Rule(1, 1, WED, time(9), time(12), length_min=180), ["09:00"], id="exactly-one"
        ),
        pytest.param(Rule(1, 1, WED, time(9), time(9, 30)), [], id="window-shorter-than-length"),
        pytest.param(Rule(1, 1, THU, time(9), time(12)), [], id="other-weekday"),
        pytest.param(
            Rule(1, 1, WED, time(9), time(10), valid_from=WEDNESDAY, valid_to=WEDNESDAY),
            ["09:00"],
            id="validity-inclusive-both-ends",
        ),
        pytest.param(
            Rule(1, 1, WED, time(9), time(10), valid_from=WEDNESDAY + timedelta(days=1)),
            [],
            id="not-yet-valid",
        ),
        pytest.param(
            Rule(1, 1, WED, time(9), time(10), valid_to=WEDNESDAY - timedelta(days=1)),
            [],
            id="no-longer-valid",
        ),
        pytest.param(
            Rule(1, 1, WED, time(18), time(23, 59), length_min=90),
            ["18:00", "19:30", "21:00"],  # 22:30 + 90 min would end at midnight
            id="late-evening",
        ),
    ],
)
def test_rule_layout(rule: Rule, expected: list[str]) -> None:
    slots = run([rule], WEDNESDAY)
    assert starts(slots) == expected
    for s in slots:
        assert s.end - s.start == timedelta(minutes=rule.length_min)
        assert (s.expert_id, s.branch_id, s.buffer_min) == (1, 1, rule.buffer_min)
        assert s.start.tzinfo is WARSAW


def test_result_is_sorted_by_start_expert_branch() -> None:
    rules = [
        Rule(3, 1, WED, time(9), time(11)),
        Rule(2, 2, WED, time(9), time(11)),
        Rule(2, 1, THU, time(9), time(11)),
        Rule(1, 2, WED, time(10), time(11)),
    ]
    slots = run(rules, WEDNESDAY, WEDNESDAY + timedelta(days=1))
    keys = [(s.start, s.expert_id, s.branch_id) for s in slots]
    assert keys == sorted(keys)
    assert [(s.start.hour, s.expert_id) for s in slots][:4] == [(9, 2), (9, 3), (10, 1), (10, 2)]


# --------------------------------------------------------------------------- DST


MON_TO_SAT = weekly(range(MON, SUN), time(9), time(12))


@pytest.mark.parametrize(
    ("window", "before", "after"),
    [
        pytest.param((date(2026, 3, 23), date(2026, 4, 4)), date(2026, 3, 28), date(2026, 3, 30),
                     id="spring-2026"),
        pytest.param((date(2026, 10, 19), date(2026, 10, 31)), date(2026, 10, 24),
                     date(2026, 10, 26), id="autumn-2026"),
    ],
)  # fmt: skip
def test_dst_weeks_keep_wall_clock(window: tuple[date, date], before: date, after: date) -> None:
    slots = run(MON_TO_SAT, *window)
    by_day = Counter(s.start.date() for s in slots)
    days = [window[0] + timedelta(days=n) for n in range((window[1] - window[0]).days + 1)]
    assert by_day == {d: 3 for d in days if d.weekday() != SUN}
    assert all(s.start.time() == time(9 + i % 3) for i, s in enumerate(slots))
    instants = [s.start.timestamp() for s in slots]
    assert len(set(instants)) == len(instants)
    assert instants == sorted(instants)

    first_before = next(s for s in slots if s.start.date() == before)
    first_after = next(s for s in slots if s.start.date() == after)
    assert first_before.start.hour == first_after.start.hour == 9
    spring = before.month == 3
    assert first_before.start.utcoffset() == (HOUR if spring else 2 * HOUR)
    assert first_after.start.utcoffset() == (2 * HOUR if spring else HOUR)
    assert first_after.start.timestamp() - first_before.start.timestamp() == (
        2 * 86400 - 3600 if spring else 2 * 86400 + 3600
    )


def test_spring_2026_explicit_offsets() -> None:
    slots = run(MON_TO_SAT, date(2026, 3, 28), date(2026, 3, 30))
    saturday, monday = slots[0], slots[3]
    assert saturday.start.isoformat() == "2026-03-28T09:00:00+01:00"
    assert monday.start.isoformat() == "2026-03-30T09:00:00+02:00"
    assert saturday.start.astimezone(UTC).hour == 8
    assert monday.start.astimezone(UTC).hour == 7


def test_dst_weeks_2027() -> None:
    for lo, hi in [(date(2027, 3, 22), date(2027, 4, 3)), (date(2027, 10, 25), date(2027, 11, 6))]:
        slots = run(MON_TO_SAT, lo, hi)
        assert len(slots) == 3 * 12
        assert {s.start.time() for s in slots} == {time(9), time(10), time(11)}
        assert len({s.start.timestamp() for s in slots}) == len(slots)


# The transitions in Europe/Warsaw happen on Sundays, which free_slots skips, so the
# per-slot resolution for DST-change days is exercised directly on the layout helper.


def _wall(instants: Iterable[tuple[int, int]]) -> list[tuple[str, str]]:
    return [
        (
            datetime.fromtimestamp(a, WARSAW).strftime("%H:%M%z"),
            datetime.fromtimestamp(b, WARSAW).strftime("%H:%M%z"),
        )
        for a, b in instants
    ]


def test_layout_skips_spring_gap() -> None:
    day = _Day.of(date(2026, 3, 29))
    assert day.offset is None
    got = _wall(_layout(day, time(1), time(4), 30, 0))
    assert got == [
        ("01:00+0100", "01:30+0100"),
        ("01:30+0100", "03:00+0200"),  # 30 elapsed minutes
        ("03:00+0200", "03:30+0200"),
        ("03:30+0200", "04:00+0200"),
    ]


def test_layout_autumn_fold_uses_first_occurrence_and_never_repeats() -> None:
    day = _Day.of(date(2026, 10, 25))
    assert day.offset is None
    got = list(_layout(day, time(1), time(4), 60, 0))
    assert _wall(got) == [
        ("01:00+0200", "02:00+0200"),
        ("02:00+0200", "02:00+0100"),  # fold=0 start, one elapsed hour later
        ("03:00+0100", "04:00+0100"),
    ]
    assert len({a for a, _ in got}) == len(got)


def test_layout_on_ordinary_day_uses_fast_path() -> None:
    assert _Day.of(date(2026, 3, 28)).offset == 3600
    assert _Day.of(date(2026, 3, 30)).offset == 7200


# --------------------------------------------------------------------------- closed days


def test_holiday_from_set_has_no_slots() -> None:
    rules = weekly(range(MON, SUN), time(9), time(12))
    slots = run(rules, date(2026, 11, 10), date(2026, 11, 12), holidays={date(2026, 11, 11)})
    assert {s.start.date() for s in slots} == {date(2026, 11, 10), date(2026, 11, 12)}


def test_wigilia_given_via_set() -> None:
    rules = weekly(range(MON, SUN), time(9), time(12))
    wigilia = date(2025, 12, 24)
    assert run(rules, wigilia) != []  # it is only closed because we say so
    assert run(rules, wigilia, holidays={wigilia}) == []


def test_holidays_package_object_works_as_container() -> None:
    holidays = pytest.importorskip("holidays")
    pl = holidays.country_holidays("PL", years=[2025, 2026])
    rules = weekly(range(MON, SUN), time(9), time(12))
    slots = run(rules, date(2025, 12, 22), date(2025, 12, 31), holidays=pl)
    assert {s.start.date() for s in slots} == {
        date(2025, 12, 22),
        date(2025, 12, 23),
        date(2025, 12, 27),
        date(2025, 12, 29),
        date(2025, 12, 30),
        date(2025, 12, 31),
    }


def test_sunday_never_has_slots() -> None:
    sunday = date(2026, 6, 7)
    rules = [Rule(1, 1, SUN, time(9), time(12))]
    extra = AvailabilityException(1, EXTRA, sunday, sunday, 1, time(9), time(12))
    assert run(rules, sunday, exceptions=[extra]) == []


def test_extra_on_holiday_is_ignored() -> None:
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1, time(9), time(12))
    assert run([], WEDNESDAY, exceptions=[extra], holidays={WEDNESDAY}) == []


# --------------------------------------------------------------------------- notice / horizon


RULE_WED = Rule(1, 1, WED, time(9), time(12))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(WEDNESDAY, 9) - timedelta(hours=24), ["09:00", "10:00", "11:00"]),
        (at(WEDNESDAY, 9) - timedelta(hours=24) + timedelta(seconds=1), ["10:00", "11:00"]),
        (at(WEDNESDAY, 11) - timedelta(hours=24), ["11:00"]),
        (at(WEDNESDAY, 11, 1) - timedelta(hours=24), []),
    ],
    ids=["exactly-24h", "one-second-late", "only-last", "all-too-soon"],
)
def test_min_notice_edge(now: datetime, expected: list[str]) -> None:
    assert starts(run([RULE_WED], WEDNESDAY, now=now)) == expected


def test_min_notice_is_elapsed_time_and_now_tz_is_irrelevant() -> None:
    now = at(WEDNESDAY, 8).astimezone(UTC)  # 06:00 UTC
    assert starts(run([RULE_WED], WEDNESDAY, now=now, min_notice=2 * HOUR)) == ["10:00", "11:00"]


@pytest.mark.parametrize(
    ("horizon", "expected"),
    [
        (timedelta(days=2), ["09:00", "10:00", "11:00"]),
        (timedelta(days=2) - timedelta(seconds=1), ["09:00", "10:00"]),
        (timedelta(days=2) - timedelta(hours=2), ["09:00"]),
        (timedelta(days=1), []),
    ],
    ids=["last-exactly-at-horizon", "one-second-short", "two-hours-short", "too-short"],
)
def test_horizon_edge(horizon: timedelta, expected: list[str]) -> None:
    now = at(WEDNESDAY, 11) - timedelta(days=2)
    got = run([RULE_WED], WEDNESDAY, now=now, min_notice=timedelta(0), horizon=horizon)
    assert starts(got) == expected


def test_default_horizon_is_sixty_days() -> None:
    tuesday = date(2026, 6, 2)
    now = at(tuesday, 9)
    assert (tuesday + timedelta(days=60)).weekday() == SAT
    rules = weekly(range(MON, SUN), time(9), time(10))
    slots = free_slots(rules, [], {}, set(), tuesday, tuesday + timedelta(days=90), now)
    assert slots[0].start == at(tuesday + timedelta(days=1), 9)  # default notice: 24 h
    assert slots[-1].start == at(tuesday + timedelta(days=60), 9)


def test_window_end_before_start_is_empty() -> None:
    assert run([RULE_WED], WEDNESDAY, WEDNESDAY - timedelta(days=1)) == []


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        run([RULE_WED], WEDNESDAY, now=datetime(2026, 1, 1))


# --------------------------------------------------------------------------- OFF


def off(
    d1: date, d2: date | None = None, t1: time | None = None, t2: time | None = None, **kw: int
) -> AvailabilityException:
    return AvailabilityException(
        kw.get("expert_id", 1), OFF, d1, d2 or d1, kw.get("branch_id"), t1, t2
    )


TWO_BRANCHES = [Rule(1, 1, WED, time(9), time(12)), Rule(1, 2, WED, time(13), time(15))]


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        pytest.param(off(WEDNESDAY), [], id="whole-day-all-branches"),
        pytest.param(off(WEDNESDAY, branch_id=1), ["13:00", "14:00"], id="whole-day-branch-1"),
        pytest.param(
            off(WEDNESDAY, branch_id=2), ["09:00", "10:00", "11:00"], id="whole-day-branch-2"
        ),
        pytest.param(off(WEDNESDAY, branch_id=3), ["09:00", "10:00", "11:00", "13:00", "14:00"],
                     id="whole-day-unrelated-branch"),
        pytest.param(off(WEDNESDAY - timedelta(days=3), WEDNESDAY + timedelta(days=3)), [],
                     id="whole-day-range"),
        pytest.param(off(WEDNESDAY + timedelta(days=1)),
                     ["09:00", "10:00", "11:00", "13:00", "14:00"], id="other-day"),
        pytest.param(off(WEDNESDAY, expert_id=2), ["09:00", "10:00", "11:00", "13:00", "14:00"],
                     id="other-expert"),
        pytest.param(off(WEDNESDAY, None, time(10), time(11)), ["09:00", "11:00", "13:00", "14:00"],
                     id="partial-exact"),
        pytest.param(off(WEDNESDAY, None, time(10, 30), time(13, 1)), ["09:00", "14:00"],
                     id="partial-spanning-branches"),
        pytest.param(off(WEDNESDAY, None, time(10, 30), time(13, 1), branch_id=2),
                     ["09:00", "10:00", "11:00", "14:00"], id="partial-branch-scoped"),
        pytest.param(off(WEDNESDAY, None, time(12), time(13)),
                     ["09:00", "10:00", "11:00", "13:00", "14:00"], id="partial-touching"),
    ],
)  # fmt: skip
def test_off_exceptions(exception: AvailabilityException, expected: list[str]) -> None:
    assert starts(run(TWO_BRANCHES, WEDNESDAY, exceptions=[exception])) == expected


def test_partial_off_respects_slot_buffer() -> None:
    rule = Rule(1, 1, WED, time(9), time(12), length_min=45, buffer_min=15)
    touching = off(WEDNESDAY, None, time(10), time(10, 30))  # 09:00 slot occupied until 10:00
    assert starts(run([rule], WEDNESDAY, exceptions=[touching])) == ["09:00", "11:00"]
    in_buffer = off(WEDNESDAY, None, time(9, 50), time(9, 55))
    assert starts(run([rule], WEDNESDAY, exceptions=[in_buffer])) == ["10:00", "11:00"]


def test_off_removes_extra_too() -> None:
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1, time(15), time(17))
    assert starts(run([], WEDNESDAY, exceptions=[extra])) == ["15:00", "16:00"]
    assert run([], WEDNESDAY, exceptions=[extra, off(WEDNESDAY)]) == []


# --------------------------------------------------------------------------- EXTRA


def test_extra_adds_slots_at_its_branch_over_a_date_range() -> None:
    friday = date(2026, 6, 5)
    extra = AvailabilityException(
        7, EXTRA, WEDNESDAY, friday, 4, time(16), time(18), length_min=30, buffer_min=10
    )
    slots = run([], WEDNESDAY, friday, exceptions=[extra])
    assert [(s.start.day, s.start.strftime("%H:%M")) for s in slots] == [
        (d, hm) for d in (3, 4, 5) for hm in ("16:00", "16:40", "17:20")
    ]
    assert {(s.expert_id, s.branch_id, s.buffer_min) for s in slots} == {(7, 4, 10)}


def test_extra_overlapping_rule_keeps_earlier_slot_and_never_overlaps() -> None:
    rule = Rule(1, 1, WED, time(9), time(12))
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 2, time(9, 30), time(14))
    slots = run([rule], WEDNESDAY, exceptions=[extra])
    assert [(s.start.strftime("%H:%M"), s.branch_id) for s in slots] == [
        ("09:00", 1),
        ("10:00", 1),
        ("11:00", 1),
        ("12:30", 2),  # 09:30, 10:30, 11:30 clash with the rule's slots
    ]


def test_earlier_extra_wins_over_later_rule_slot() -> None:
    rule = Rule(1, 1, WED, time(10), time(12))
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 2, time(9, 30), time(11))
    slots = run([rule], WEDNESDAY, exceptions=[extra])
    assert [(s.start.strftime("%H:%M"), s.branch_id) for s in slots] == [
        ("09:30", 2),
        ("11:00", 1),  # 10:00 would overlap 09:30-10:30; 10:30 no longer fits the extra
    ]


def test_extra_on_saturday() -> None:
    saturday = date(2026, 6, 6)
    extra = AvailabilityException(1, EXTRA, saturday, saturday, 1, time(10), time(12))
    assert starts(run([], saturday, exceptions=[extra])) == ["10:00", "11:00"]


def test_same_start_rule_wins_over_extra() -> None:
    rule = Rule(1, 1, WED, time(9), time(10))
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 2, time(9), time(10))
    [slot] = run([rule], WEDNESDAY, exceptions=[extra])
    assert slot.branch_id == 1


def test_extra_slot_freed_when_clashing_rule_slot_is_busy() -> None:
    rule = Rule(1, 1, WED, time(9), time(10))
    extra = AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 2, time(9, 30), time(10, 30))
    busy = {1: [Interval(at(WEDNESDAY, 9), at(WEDNESDAY, 9, 30))]}
    assert starts(run([rule], WEDNESDAY, exceptions=[extra], busy=busy)) == ["09:30"]


def test_buffer_spill_into_next_rule_is_not_offered_twice() -> None:
    rules = [
        Rule(1, 1, WED, time(9), time(10), buffer_min=15),
        Rule(1, 2, WED, time(10), time(12)),
    ]
    validate_rules(rules)  # touching windows are fine
    slots = run(rules, WEDNESDAY)
    assert [(s.start.strftime("%H:%M"), s.branch_id) for s in slots] == [
        ("09:00", 1),
        ("11:00", 2),  # 10:00 would start inside the 09:00 slot's buffer
    ]


# --------------------------------------------------------------------------- busy


def test_busy_with_buffer_blocks_overlapping_slots() -> None:
    # An existing 10:00 consultation with a 15 minute buffer is busy 10:00-11:15.
    busy = {1: [Interval(at(WEDNESDAY, 10), at(WEDNESDAY, 11, 15))]}
    assert starts(run([RULE_WED], WEDNESDAY, busy=busy)) == ["09:00"]


def test_busy_touching_is_fine() -> None:
    busy = {
        1: [
            Interval(at(WEDNESDAY, 8), at(WEDNESDAY, 9)),
            Interval(at(WEDNESDAY, 12), at(WEDNESDAY, 13)),
        ]
    }
    assert starts(run([RULE_WED], WEDNESDAY, busy=busy)) == ["09:00", "10:00", "11:00"]


def test_slot_buffer_counts_against_busy() -> None:
    rule = Rule(1, 1, WED, time(9), time(12), length_min=45, buffer_min=15)
    busy = {1: [Interval(at(WEDNESDAY, 9, 50), at(WEDNESDAY, 9, 55))]}
    assert starts(run([rule], WEDNESDAY, busy=busy)) == ["10:00", "11:00"]


def test_busy_in_utc_is_compared_as_instant() -> None:
    start = at(WEDNESDAY, 10).astimezone(UTC)  # 08:00 UTC in summer
    busy = {1: [Interval(start, start + timedelta(minutes=1))]}
    assert starts(run([RULE_WED], WEDNESDAY, busy=busy)) == ["09:00", "11:00"]


def test_busy_of_another_expert_does_not_block() -> None:
    busy = {2: [Interval(at(WEDNESDAY, 0), at(WEDNESDAY, 23))]}
    assert starts(run([RULE_WED], WEDNESDAY, busy=busy)) == ["09:00", "10:00", "11:00"]


def test_busy_blocks_every_branch() -> None:
    # A consultation at branch 1 running 10:00-13:30 (with buffer) also blocks branch 2.
    busy = {1: [Interval(at(WEDNESDAY, 10), at(WEDNESDAY, 13, 30))]}
    got = run(TWO_BRANCHES, WEDNESDAY, busy=busy)
    assert [(s.start.strftime("%H:%M"), s.branch_id) for s in got] == [("09:00", 1), ("14:00", 2)]


def test_nested_and_unsorted_busy_intervals() -> None:
    busy = {
        1: [
            Interval(at(WEDNESDAY, 9, 30), at(WEDNESDAY, 9, 40)),
            Interval(at(WEDNESDAY, 8), at(WEDNESDAY, 10, 30)),  # long one, contains the above
            Interval(at(WEDNESDAY, 8, 30), at(WEDNESDAY, 8, 45)),
            Interval(at(WEDNESDAY, 11), at(WEDNESDAY, 11)),  # empty: ignored
        ]
    }
    assert starts(run([RULE_WED], WEDNESDAY, busy=busy)) == ["11:00"]


def test_naive_busy_is_rejected() -> None:
    busy = {1: [Interval(datetime(2026, 6, 3, 10), datetime(2026, 6, 3, 11))]}
    with pytest.raises(ValueError, match="aware"):
        run([RULE_WED], WEDNESDAY, busy=busy)


def test_slot_occupied_includes_buffer() -> None:
    slot = Slot(at(WEDNESDAY, 9), at(WEDNESDAY, 9, 45), 1, 1, buffer_min=15)
    assert slot.occupied() == Interval(at(WEDNESDAY, 9), at(WEDNESDAY, 10))


# --------------------------------------------------------------------------- filters


FILTER_RULES = [
    Rule(1, 1, WED, time(9), time(10)),
    Rule(1, 2, WED, time(11), time(12)),
    Rule(2, 1, WED, time(9), time(10)),
    Rule(3, 2, WED, time(9), time(10)),
]


@pytest.mark.parametrize(
    ("branch_id", "expert_ids", "expected"),
    [
        (None, None, [(1, 1), (2, 1), (3, 2), (1, 2)]),
        (1, None, [(1, 1), (2, 1)]),
        (2, None, [(3, 2), (1, 2)]),
        (None, {1}, [(1, 1), (1, 2)]),
        (None, [2, 3], [(2, 1), (3, 2)]),
        (2, {1}, [(1, 2)]),
        (3, None, []),
        (None, set(), []),
    ],
)
def test_filters(
    branch_id: int | None, expert_ids: Container[int] | None, expected: list[tuple[int, int]]
) -> None:
    slots = run(FILTER_RULES, WEDNESDAY, branch_id=branch_id, expert_ids=expert_ids)
    assert [(s.expert_id, s.branch_id) for s in slots] == expected


def test_branch_filter_still_honours_busy_elsewhere() -> None:
    busy = {1: [Interval(at(WEDNESDAY, 11), at(WEDNESDAY, 12))]}
    assert run(FILTER_RULES, WEDNESDAY, branch_id=2, expert_ids={1}, busy=busy) == []


# --------------------------------------------------------------------------- validation


def test_overlap_across_two_branches_raises_with_useful_message() -> None:
    rules = [Rule(5, 1, TUE, time(10), time(12)), Rule(5, 2, TUE, time(11), time(13))]
    with pytest.raises(RuleOverlapError) as info:
        validate_rules(rules)
    message = str(info.value)
    for needle in ("Tuesday", "10:00", "12:00", "11:00", "13:00", "branch 1", "branch 2"):
        assert needle in message
    assert {info.value.first, info.value.second} == set(rules)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(12)), Rule(5, 2, TUE, time(13), time(16))],
            id="two-branches-apart",
        ),
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(12)), Rule(5, 2, TUE, time(12), time(16))],
            id="two-branches-touching",
        ),
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(12)), Rule(5, 2, WED, time(9), time(12))],
            id="different-weekdays",
        ),
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(12)), Rule(6, 1, TUE, time(9), time(12))],
            id="different-experts",
        ),
        pytest.param(
            [
                Rule(5, 1, TUE, time(9), time(12), valid_to=date(2026, 6, 30)),
                Rule(5, 2, TUE, time(9), time(12), valid_from=date(2026, 7, 1)),
            ],
            id="consecutive-validity",
        ),
        pytest.param([], id="empty"),
    ],
)
def test_valid_rule_sets_pass(rules: list[Rule]) -> None:
    validate_rules(rules)


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(12)), Rule(5, 1, TUE, time(9), time(12))],
            id="duplicate",
        ),
        pytest.param(
            [Rule(5, 1, TUE, time(9), time(17)), Rule(5, 2, TUE, time(10), time(11))],
            id="nested",
        ),
        pytest.param(
            [
                Rule(5, 1, TUE, time(9), time(12), valid_to=date(2026, 7, 1)),
                Rule(5, 2, TUE, time(11), time(12), valid_from=date(2026, 7, 1)),
            ],
            id="validity-shares-one-day",
        ),
        pytest.param(
            [
                Rule(5, 1, TUE, time(8), time(9)),
                Rule(5, 1, TUE, time(9), time(10)),
                Rule(5, 2, TUE, time(7), time(11), valid_from=date(2030, 1, 1)),
            ],
            id="open-ended-validity",
        ),
    ],
)
def test_overlapping_rule_sets_raise(rules: list[Rule]) -> None:
    with pytest.raises(RuleOverlapError):
        validate_rules(rules)


BACKWARDS_VALIDITY = Rule(
    1, 1, MON, time(9), time(12), valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 31)
)


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        (Rule(1, 1, MON, time(12), time(12)), "after start"),
        (Rule(1, 1, MON, time(12), time(9)), "after start"),
        (Rule(1, 1, MON, time(9), time(12), length_min=0), "length_min"),
        (Rule(1, 1, MON, time(9), time(12), buffer_min=-1), "buffer_min"),
        (Rule(1, 1, 7, time(9), time(12)), "weekday"),
        (Rule(1, 1, -1, time(9), time(12)), "weekday"),
        (BACKWARDS_VALIDITY, "valid_to"),
        (Rule(1, 1, MON, time(9, tzinfo=UTC), time(12)), "naive"),
    ],
)  # fmt: skip
def test_malformed_rules(rule: Rule, match: str) -> None:
    with pytest.raises(ValueError, match=match) as info:
        validate_rules([rule])
    assert not isinstance(info.value, RuleOverlapError)
    with pytest.raises(ValueError, match=match):
        run([rule], WEDNESDAY)  # free_slots refuses them too (length 0 would never end)


@pytest.mark.parametrize(
    ("exception", "match"),
    [
        (AvailabilityException(1, OFF, WEDNESDAY, WEDNESDAY - timedelta(days=1)), "end_date"),
        (AvailabilityException(1, OFF, WEDNESDAY, WEDNESDAY, None, time(9)), "both"),
        (AvailabilityException(1, OFF, WEDNESDAY, WEDNESDAY, None, None, time(9)), "both"),
        (AvailabilityException(1, OFF, WEDNESDAY, WEDNESDAY, None, time(9), time(9)), "after"),
        (AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, None, time(9), time(10)), "branch"),
        (AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1), "start_time"),
        (
            AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1, time(9), time(10), 0),
            "length_min",
        ),
        (
            AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1, time(9), time(10), 60, -5),
            "buffer_min",
        ),
    ],
)
def test_malformed_exceptions(exception: AvailabilityException, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        validate_exceptions([exception])
    with pytest.raises(ValueError, match=match):
        run([], WEDNESDAY, exceptions=[exception])


def test_well_formed_exceptions_pass() -> None:
    validate_exceptions(
        [
            off(WEDNESDAY),
            off(WEDNESDAY, WEDNESDAY + timedelta(days=4), time(9), time(10), branch_id=3),
            AvailabilityException(1, EXTRA, WEDNESDAY, WEDNESDAY, 1, time(9), time(10)),
        ]
    )


def test_exception_kind_is_a_str_enum() -> None:
    assert ExceptionKind("off") is OFF
    assert EXTRA == "extra"


def test_module_stays_pure() -> None:
    import ast
    import inspect

    import incubator.domain.slots as module

    tree = ast.parse(inspect.getsource(module))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            # A relative import is resolved against the package, so `..models` cannot hide.
            base = "incubator.domain".rsplit(".", node.level - 1)[0] if node.level else ""
            imported.add(".".join(p for p in (base, node.module or "") if p))
    outside = {name for name in imported if not name.startswith("incubator.domain.")}
    assert {name.split(".")[0] for name in outside} <= {
        "__future__", "bisect", "collections", "dataclasses", "datetime", "enum", "itertools",
        "zoneinfo",
    }  # fmt: skip
