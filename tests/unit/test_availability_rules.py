"""The calendar rules (`incubator.domain.availability_rules`) on plain data: no app, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from incubator.domain import availability_rules as rules
from incubator.domain.calendar import WARSAW
from incubator.domain.errors import InThePast
from incubator.domain.slots import AvailabilityException, ExceptionKind, Rule

OFF, EXTRA = ExceptionKind.OFF, ExceptionKind.EXTRA
TODAY = date(2026, 11, 23)  # a Monday
MON, TUE, SAT, SUN = date(2026, 11, 30), date(2026, 12, 1), date(2026, 11, 28), date(2026, 11, 29)
CHRISTMAS = {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}  # Thursday..Saturday
KLUCZE, SACZ, PIWNICZNA = 1, 2, 3
NAMES = {KLUCZE: "Klucze", SACZ: "Nowy Sącz", PIWNICZNA: "Piwniczna-Zdrój"}


def rule(weekday: int = 0, start: int = 9, end: int = 12, branch: int = KLUCZE, **kw) -> Rule:
    return Rule(
        expert_id=7, branch_id=branch, weekday=weekday, start=time(start), end=time(end), **kw
    )


def exception(kind: ExceptionKind, first: date, last: date | None = None, **kw):
    return AvailabilityException(
        expert_id=7, kind=kind, start_date=first, end_date=last or first, **kw
    )


def rule_draft(**kw) -> rules.RuleDraft:
    kw.setdefault("branch_id", SACZ)
    kw.setdefault("weekday", 2)
    kw.setdefault("start", time(13))
    kw.setdefault("end", time(15))
    return rules.RuleDraft(**kw)


def exception_draft(kind: ExceptionKind = OFF, **kw) -> rules.ExceptionDraft:
    kw.setdefault("start_date", MON)
    return rules.ExceptionDraft(kind=kind, **kw)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WARSAW)


# --- a window of consultations --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "length", "buffer", "per_day", "unused"),
    [
        (time(9), time(12), 60, 0, 3, 0),
        (time(9), time(12), 50, 10, 3, 0),
        (time(9), time(12), 45, 0, 4, 0),
        (time(9), time(11, 30), 60, 0, 2, 30),
        (time(9), time(12), 50, 0, 3, 30),
        (time(9), time(10), 60, 30, 1, 0),  # the buffer after the last one may run past the end
        (time(9), time(9, 5), 5, 0, 1, 0),
        (time(8), time(16), 480, 0, 1, 0),
        (time(8), time(16), 60, 240, 2, 0),
    ],
)
def test_window_holds(start, end, length, buffer, per_day, unused) -> None:
    found = rules.check_window(start, end, length, buffer, start_field="s", end_field="e")
    assert found == (per_day, unused)


@pytest.mark.parametrize(
    ("start", "end", "length", "buffer", "refusal", "field"),
    [
        (None, time(12), 60, 0, rules.TimesRequired, "s"),
        (time(9), None, 60, 0, rules.TimesRequired, "e"),
        (time(12), time(12), 60, 0, rules.EndNotAfterStart, "e"),
        (time(12), time(9), 60, 0, rules.EndNotAfterStart, "e"),
        (time(9), time(12), 4, 0, rules.LengthOutOfRange, "length"),
        (time(8), time(17), 481, 0, rules.LengthOutOfRange, "length"),
        (time(9), time(12), 60, -1, rules.BufferOutOfRange, "buffer"),
        (time(9), time(12), 60, 241, rules.BufferOutOfRange, "buffer"),
        (time(9), time(9, 30), 60, 0, rules.WindowTooShort, "length"),
    ],
)
def test_window_refused(start, end, length, buffer, refusal, field) -> None:
    with pytest.raises(refusal) as caught:
        rules.check_window(start, end, length, buffer, start_field="s", end_field="e")
    assert caught.value.field == field


# --- weekly hours ---------------------------------------------------------------------------


@pytest.mark.parametrize("weekday", range(6))
def test_hours_on_monday_to_saturday(weekday: int) -> None:
    new, per_day, unused = rules.check_rule(
        rule_draft(weekday=weekday), expert_id=7, branch_id=SACZ, today=TODAY
    )
    assert (new.weekday, new.branch_id, new.valid_from, new.valid_to) == (
        weekday,
        SACZ,
        TODAY,
        None,
    )
    assert (per_day, unused) == (2, 0)


@pytest.mark.parametrize("weekday", [6, 7, -1])
def test_no_hours_on_sunday(weekday: int) -> None:
    with pytest.raises(rules.ClosedWeekday) as caught:
        rules.check_rule(rule_draft(weekday=weekday), expert_id=7, branch_id=SACZ, today=TODAY)
    assert caught.value.field == "weekday"
    assert caught.value.params["weekday"] == weekday


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "refusal", "field"),
    [
        (date(2026, 11, 22), None, InThePast, "valid_from"),
        (None, date(2026, 11, 22), rules.DatesOutOfOrder, "valid_to"),
        (TUE, MON, rules.DatesOutOfOrder, "valid_to"),
    ],
)
def test_rule_dates_refused(valid_from, valid_to, refusal, field) -> None:
    draft = rule_draft(valid_from=valid_from, valid_to=valid_to)
    with pytest.raises(refusal) as caught:
        rules.check_rule(draft, expert_id=7, branch_id=SACZ, today=TODAY)
    assert caught.value.field == field


def test_rule_may_start_and_end_on_one_day() -> None:
    draft = rule_draft(valid_from=MON, valid_to=MON)
    new, _, _ = rules.check_rule(draft, expert_id=7, branch_id=SACZ, today=TODAY)
    assert (new.valid_from, new.valid_to) == (MON, MON)


@pytest.mark.parametrize(
    ("new", "clashes"),
    [
        (rule(0, 11, 13, SACZ), True),  # with Monday 09-12 at Klucze: a person is in one place
        (rule(0, 12, 14, SACZ), False),  # touching is fine
        (rule(0, 7, 9, KLUCZE), False),
        (rule(1, 9, 12, SACZ), False),  # another weekday
        (rule(0, 10, 11, SACZ, valid_from=date(2027, 1, 1)), False),  # after the old hours end
        (rule(0, 10, 11, SACZ, valid_from=date(2026, 12, 31)), True),
    ],
)
def test_weekly_hours_clash(new: Rule, clashes: bool) -> None:
    existing = [(rule(0, 9, 12, KLUCZE, valid_to=date(2026, 12, 31)), "row 1"), (rule(2), "row 2")]
    assert rules.find_clash(new, existing) == ("row 1" if clashes else None)


def test_clash_judges_new_hours_alone_when_old_ones_clash_already() -> None:
    old = [(rule(0, 9, 12), "a"), (rule(0, 10, 11, SACZ), "b"), (rule(3, 9, 12), "c")]
    assert rules.find_clash(rule(1, 9, 12), old) is None
    assert rules.find_clash(rule(3, 11, 13, SACZ), old) == "c"


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "ended", "started"),
    [
        (None, None, False, True),
        (date(2026, 1, 1), date(2026, 11, 22), True, True),
        (date(2026, 1, 1), TODAY, False, True),
        (TODAY, None, False, False),  # starts today: deleted rather than ended yesterday
        (MON, None, False, False),
    ],
)
def test_rule_ended_or_started(valid_from, valid_to, ended, started) -> None:
    hours = rule(valid_from=valid_from, valid_to=valid_to)
    assert rules.rule_has_ended(hours, TODAY) is ended
    assert rules.rule_has_started(hours, TODAY) is started


@pytest.mark.parametrize(
    ("start", "branch", "booked"),
    [
        (local(MON, 9), KLUCZE, True),
        (local(MON, 11, 30), KLUCZE, True),
        (local(MON, 12), KLUCZE, False),  # starts when the hours end
        (local(MON, 8, 30), KLUCZE, False),
        (local(MON, 9), SACZ, False),
        (local(TUE, 9), KLUCZE, False),
        # Across the change to summer time the hours stay 09:00 on the wall clock.
        (datetime(2027, 3, 22, 8, 0, tzinfo=UTC), KLUCZE, True),  # 09:00 CET
        (datetime(2027, 3, 29, 7, 0, tzinfo=UTC), KLUCZE, True),  # 09:00 CEST
        (datetime(2027, 3, 29, 6, 30, tzinfo=UTC), KLUCZE, False),  # 08:30 CEST
    ],
)
def test_booked_in_weekly_hours(start: datetime, branch: int, booked: bool) -> None:
    assert rules.booked_in_rule(rule(0, 9, 12, KLUCZE), start, branch) is booked


def test_booked_in_weekly_hours_only_while_they_are_valid() -> None:
    hours = rule(0, 9, 12, valid_from=MON)
    assert not rules.booked_in_rule(hours, local(TODAY, 9), KLUCZE)
    assert rules.booked_in_rule(hours, local(MON, 9), KLUCZE)


def test_search_bounds_from_today_or_from_the_start() -> None:
    assert rules.rule_search_bounds(rule(), TODAY) == (local(TODAY, 0), None)
    bounds = rules.rule_search_bounds(rule(valid_from=MON, valid_to=TUE), TODAY)
    assert bounds == (local(MON, 0), local(date(2026, 12, 2), 0))


# --- days off and extra hours: dates --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "first", "last", "refusal", "field"),
    [
        (OFF, TUE, MON, rules.DatesOutOfOrder, "end_date"),
        (OFF, date(2026, 11, 20), None, InThePast, "start_date"),
        (OFF, date(2026, 11, 1), date(2026, 11, 22), InThePast, "end_date"),
        (EXTRA, date(2026, 11, 20), MON, InThePast, "start_date"),
        (OFF, MON, date(2027, 12, 1), rules.RangeTooLong, "end_date"),  # 367 days
    ],
)
def test_exception_dates_refused(kind, first, last, refusal, field) -> None:
    draft = exception_draft(kind, start_date=first, end_date=last)
    with pytest.raises(refusal) as caught:
        rules.check_exception_dates(draft, today=TODAY)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kind", "first", "last", "end"),
    [
        (OFF, MON, None, MON),
        (OFF, date(2026, 11, 1), TODAY, TODAY),  # a day off that began earlier, still running
        (EXTRA, TODAY, None, TODAY),
        (OFF, MON, date(2027, 11, 30), date(2027, 11, 30)),  # 366 days
    ],
)
def test_exception_dates_accepted(kind, first, last, end) -> None:
    draft = exception_draft(kind, start_date=first, end_date=last)
    assert rules.check_exception_dates(draft, today=TODAY) == end


def test_extra_hours_in_the_past_name_their_reason() -> None:
    with pytest.raises(InThePast) as caught:
        rules.check_exception_dates(
            exception_draft(EXTRA, start_date=date(2026, 11, 20), end_date=MON), today=TODAY
        )
    assert caught.value.params["reason"] == "extra_hours_start"


# --- days off and extra hours: times --------------------------------------------------------


def check(draft: rules.ExceptionDraft, holidays=frozenset(), branch: int | None = SACZ):
    end = draft.end_date or draft.start_date
    return rules.check_exception(
        draft, expert_id=7, branch_id=branch, end_date=end, holidays=holidays
    )


@pytest.mark.parametrize(
    ("first", "last", "holidays"),
    [
        (SUN, None, frozenset()),
        (date(2026, 12, 24), date(2026, 12, 27), CHRISTMAS),  # Thursday..Sunday, all closed
    ],
)
def test_extra_hours_only_on_closed_days_refused(first, last, holidays) -> None:
    draft = exception_draft(
        EXTRA, start_date=first, end_date=last, start_time=time(9), end_time=time(12)
    )
    with pytest.raises(rules.NoOpenDay) as caught:
        check(draft, holidays)
    assert caught.value.field == "start_date"


@pytest.mark.parametrize(
    ("first", "last"), [(SAT, None), (SAT, SUN), (date(2026, 12, 23), date(2026, 12, 27))]
)
def test_extra_hours_with_an_open_day(first, last) -> None:
    draft = exception_draft(
        EXTRA, start_date=first, end_date=last, start_time=time(9), end_time=time(12)
    )
    extra = check(draft, CHRISTMAS)
    assert (extra.kind, extra.branch_id, extra.start_date) == (EXTRA, SACZ, first)


def test_extra_hours_are_a_window_of_consultations() -> None:
    draft = exception_draft(EXTRA, start_time=time(9), end_time=time(9, 30), length_min=60)
    with pytest.raises(rules.WindowTooShort):
        check(draft)
    with pytest.raises(rules.TimesRequired) as caught:
        check(exception_draft(EXTRA, start_time=time(9)))
    assert caught.value.field == "end_time"


@pytest.mark.parametrize(
    ("start", "end", "refusal", "field"),
    [
        (time(9), None, rules.TimesRequired, "end_time"),
        (None, time(12), rules.TimesRequired, "start_time"),
        (time(12), time(9), rules.EndNotAfterStart, "end_time"),
        (time(12), time(12), rules.EndNotAfterStart, "end_time"),
    ],
)
def test_day_off_times_refused(start, end, refusal, field) -> None:
    with pytest.raises(refusal) as caught:
        check(exception_draft(OFF, start_time=start, end_time=end))
    assert caught.value.field == field


def test_day_off_keeps_no_length_or_buffer() -> None:
    off = check(exception_draft(OFF, length_min=30, buffer_min=15), branch=None)
    assert (off.length_min, off.buffer_min, off.branch_id, off.whole_day) == (60, 0, None, True)


# --- extra hours against the hours elsewhere ------------------------------------------------


def extra(first: date = MON, last: date | None = None, start: int = 10, end: int = 11):
    return exception(EXTRA, first, last, branch_id=SACZ, start_time=time(start), end_time=time(end))


WEEKLY = [rule(0, 9, 12, KLUCZE, valid_from=date(2026, 1, 1)), rule(0, 13, 15, SACZ)]


@pytest.mark.parametrize(
    ("new", "exceptions", "clash"),
    [
        (extra(), [], True),  # Monday 10-11 at Nowy Sącz while at Klucze 09-12
        (extra(start=12, end=13), [], False),  # touching
        (extra(start=13, end=14), [], False),  # the same branch's own hours do not count
        (extra(TUE), [], False),
        (extra(date(2026, 12, 1), date(2026, 12, 7)), [], True),  # Monday the 7th
        (extra(), [exception(OFF, MON)], False),  # a day off frees the time
        (extra(), [exception(OFF, MON, branch_id=KLUCZE)], False),
        (extra(), [exception(OFF, MON, branch_id=PIWNICZNA)], True),
        (extra(), [exception(OFF, MON, start_time=time(10), end_time=time(11))], False),
        (extra(), [exception(OFF, MON, start_time=time(10), end_time=time(10, 30))], True),
        (extra(), [exception(OFF, TUE)], True),
    ],
)
def test_extra_hours_clash(new, exceptions, clash: bool) -> None:
    found = rules.extra_clash(new, WEEKLY, exceptions, NAMES, frozenset())
    assert (found is not None) is clash
    if found is not None:
        assert found == rules.OtherHours(
            0, time(9), time(12), "Klucze", date(2026, 1, 1), None, found.on_date
        )
        assert found.on_date is not None and found.on_date.weekday() == 0


def test_extra_hours_clash_with_other_extra_hours() -> None:
    elsewhere = exception(EXTRA, SAT, branch_id=PIWNICZNA, start_time=time(10), end_time=time(14))
    found = rules.extra_clash(extra(SAT), WEEKLY, [elsewhere], NAMES, frozenset())
    assert found == rules.OtherHours(5, time(10), time(14), "Piwniczna-Zdrój", on_date=SAT)
    same_branch = exception(EXTRA, SAT, branch_id=SACZ, start_time=time(10), end_time=time(14))
    assert rules.extra_clash(extra(SAT), WEEKLY, [same_branch], NAMES, frozenset()) is None


def test_extra_hours_skip_closed_days() -> None:
    assert rules.extra_clash(extra(MON), WEEKLY, [], NAMES, {MON}) is None
    found = rules.extra_clash(extra(MON, date(2026, 12, 7)), WEEKLY, [], NAMES, {MON})
    assert found is not None and found.on_date == date(2026, 12, 7)


# --- consultations inside a day off ---------------------------------------------------------


@pytest.mark.parametrize(
    ("off", "start", "end", "branch", "hit"),
    [
        (exception(OFF, MON), local(MON, 9), local(MON, 10), KLUCZE, True),
        (exception(OFF, MON), local(TUE, 9), local(TUE, 10), KLUCZE, False),
        (exception(OFF, MON, TUE), local(TUE, 9), local(TUE, 10), SACZ, True),
        (exception(OFF, MON, branch_id=SACZ), local(MON, 9), local(MON, 10), KLUCZE, False),
        (exception(OFF, MON, branch_id=SACZ), local(MON, 9), local(MON, 10), SACZ, True),
        (
            exception(OFF, MON, start_time=time(10), end_time=time(12)),
            local(MON, 9),
            local(MON, 10),
            KLUCZE,
            False,  # ends when the time off begins
        ),
        (
            exception(OFF, MON, start_time=time(10), end_time=time(12)),
            local(MON, 9, 30),
            local(MON, 10, 30),
            KLUCZE,
            True,
        ),
        (exception(EXTRA, MON, branch_id=KLUCZE), local(MON, 9), local(MON, 10), KLUCZE, False),
        # Hours off on the day clocks go forward (Sunday 28 March 2027) and the Monday after.
        (
            exception(
                OFF, date(2027, 3, 28), date(2027, 3, 29), start_time=time(9), end_time=time(10)
            ),
            datetime(2027, 3, 29, 7, 0, tzinfo=UTC),  # 09:00 CEST
            datetime(2027, 3, 29, 8, 0, tzinfo=UTC),
            KLUCZE,
            True,
        ),
        (
            exception(OFF, date(2027, 3, 29), start_time=time(9), end_time=time(10)),
            datetime(2027, 3, 29, 8, 0, tzinfo=UTC),  # 10:00 CEST
            datetime(2027, 3, 29, 9, 0, tzinfo=UTC),
            KLUCZE,
            False,
        ),
    ],
)
def test_consultation_inside_a_day_off(off, start, end, branch, hit: bool) -> None:
    assert rules.hit_by_day_off(off, start, end, branch) is hit
