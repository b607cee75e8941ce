"""Experts' calendars: weekly hours per branch, days off and extra hours.

Load -> check (`incubator.domain.slots` decides what overlaps) -> write -> audit -> commit. The
acting user and `now` are passed in. An expert manages only their own calendar, a manager any
expert's, a client nobody's. Every refusal is a `DomainError` with a stable `code` and the form
`field` it concerns (None: the form as a whole).

Nothing here cancels or moves a consultation. Consultations do not point at the rules they were
booked from, so ending weekly hours or taking a day off leaves existing bookings as they are; the
functions return the expert's active consultations that now fall outside their hours, so the page
can ask for them to be moved or cancelled.

Ending weekly hours keeps history: hours that have been in force (valid from before today) get
``valid_to = yesterday``; hours that have not started yet are deleted. New hours therefore start
today at the earliest (an empty "valid from" means today), so they never collide with ended ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain.calendar import (
    SUNDAY,
    WARSAW,
    daterange,
    is_closed_day,
    local_date,
    local_day_bounds,
    local_midnight,
)
from ..domain.errors import (
    DomainError,
    InThePast,
    NotAllowed,
    NotFound,
    UnknownBranch,
    UnknownExpert,
)
from ..domain.slots import AvailabilityException as DomainException
from ..domain.slots import Rule, RuleOverlapError, validate_exceptions, validate_rules
from ..models import (
    AvailabilityException,
    AvailabilityRule,
    Branch,
    Consultation,
    ConsultationStatus,
    ExceptionKind,
    Role,
    User,
)
from . import audit
from .calendar_days import polish_holidays
from .transactions import begin_write

# The database's limits (models/availability.py check constraints).
LENGTH_MIN, LENGTH_MAX = 5, 480
BUFFER_MAX = 240
REASON_MAX = 200
MAX_EXCEPTION_DAYS = 366  # one day off or extra-hours entry spans at most a year
PAST_EXCEPTIONS_SHOWN = 10


# --- errors ---------------------------------------------------------------------------------


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


class Overlap(AvailabilityError):
    """The new hours overlap the expert's hours elsewhere: nobody can be in two places at once."""

    code = "overlap"

    def __init__(self, other: OtherHours, **params: Any) -> None:
        super().__init__(other=other, **params)
        self.other = other


# --- inputs and results ---------------------------------------------------------------------


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


@dataclass(frozen=True)
class RuleAdded:
    rule: AvailabilityRule
    per_day: int  # consultations the window holds
    unused_min: int  # minutes at the end of the window that no consultation uses


@dataclass(frozen=True)
class RuleEnded:
    deleted: bool  # True: it had not started and was deleted; False: it ended yesterday
    affected: list[Consultation]  # active consultations booked in these hours from today on


@dataclass(frozen=True)
class ExceptionAdded:
    exception: AvailabilityException
    affected: list[Consultation]  # a day off: active consultations that fall inside it


@dataclass(frozen=True)
class BranchHours:
    branch: Branch
    served: bool  # still one of the expert's branches
    rules: list[AvailabilityRule]  # by weekday, then start


@dataclass(frozen=True)
class Calendar:
    expert: User
    branches: list[Branch]  # the active branches the expert serves (choices for the forms)
    hours: list[BranchHours]
    upcoming: list[AvailabilityException]  # not over yet, soonest first
    past: list[AvailabilityException]  # the latest few that are over, most recent first
    affected: dict[int, list[Consultation]]  # upcoming day off id -> consultations inside it


# --- permissions and look-ups ---------------------------------------------------------------


def can_manage_calendar(actor: User, expert_id: int) -> bool:
    """An expert their own calendar, a manager anyone's, a client nobody's."""
    return actor.is_manager or (actor.is_expert and actor.id == expert_id)


def manageable_experts(session: Session, actor: User) -> list[User]:
    """The experts whose calendars `actor` may manage, by name."""
    if actor.is_expert:
        return [actor]
    if not actor.is_manager:
        return []
    stmt = (
        select(User)
        .where(User.role == Role.EXPERT, User.active.is_(True))
        .options(selectinload(User.expert_profile))
        .order_by(User.full_name, User.id)
    )
    return [u for u in session.scalars(stmt) if u.expert_profile is not None]


def get_expert(session: Session, actor: User, expert_id: int) -> User:
    if not actor.is_staff:
        raise NotAllowed(reason="clients")
    if not can_manage_calendar(actor, expert_id):
        raise NotAllowed(reason="other_experts_hours")
    expert = session.get(User, expert_id)
    if expert is None or not expert.is_expert or expert.expert_profile is None:
        raise UnknownExpert(expert_id=expert_id)
    return expert


def get_rule(session: Session, actor: User, rule_id: int) -> AvailabilityRule:
    rule = session.get(AvailabilityRule, rule_id)
    if rule is None:
        raise NotFound(rule_id=rule_id)
    get_expert(session, actor, rule.expert_id)
    return rule


def get_exception(session: Session, actor: User, exception_id: int) -> AvailabilityException:
    exception = session.get(AvailabilityException, exception_id)
    if exception is None:
        raise NotFound(exception_id=exception_id)
    get_expert(session, actor, exception.expert_id)
    return exception


def _today(now: datetime) -> date:
    return local_date(now)


def _lock(session: Session, expert: User) -> None:
    """PostgreSQL: one calendar change per expert at a time (SQLite: BEGIN IMMEDIATE does it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(User.id).where(User.id == expert.id).with_for_update())


@contextmanager
def _unit_of_work(session: Session) -> Iterator[None]:
    """Roll back whatever a refused change left behind."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise


# --- reading --------------------------------------------------------------------------------


def calendar(session: Session, actor: User, expert_id: int, *, now: datetime) -> Calendar:
    """The expert's weekly hours still in force or to come, and their days off and extra hours."""
    expert = get_expert(session, actor, expert_id)
    today = _today(now)
    profile = expert.expert_profile
    assert profile is not None
    served = [b for b in profile.branches if b.active]
    rules = session.scalars(
        select(AvailabilityRule)
        .where(
            AvailabilityRule.expert_id == expert.id,
            or_(AvailabilityRule.valid_to_date.is_(None), AvailabilityRule.valid_to_date >= today),
        )
        .options(selectinload(AvailabilityRule.branch))
        .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.id)
    ).all()
    hours = [BranchHours(b, True, [r for r in rules if r.branch_id == b.id]) for b in served]
    others: dict[int, Branch] = {
        r.branch_id: r.branch for r in rules if r.branch_id not in {b.id for b in served}
    }
    for branch in sorted(others.values(), key=lambda b: b.name):
        hours.append(BranchHours(branch, False, [r for r in rules if r.branch_id == branch.id]))
    exceptions = session.scalars(
        select(AvailabilityException)
        .where(AvailabilityException.expert_id == expert.id)
        .options(selectinload(AvailabilityException.branch))
    ).all()
    upcoming = sorted(
        (e for e in exceptions if e.end_date >= today),
        key=lambda e: (e.start_date, e.start_time or time.min, e.id),
    )
    past = sorted(
        (e for e in exceptions if e.end_date < today),
        key=lambda e: (e.end_date, e.start_date, e.id),
        reverse=True,
    )[:PAST_EXCEPTIONS_SHOWN]
    affected = {
        e.id: found
        for e in upcoming
        if e.kind == ExceptionKind.OFF and (found := consultations_during(session, e, now=now))
    }
    return Calendar(expert, served, hours, upcoming, past, affected)


def _active_consultations(
    session: Session, expert_id: int, start: datetime, end: datetime | None, now: datetime
) -> list[Consultation]:
    stmt = (
        select(Consultation)
        .where(
            Consultation.expert_id == expert_id,
            Consultation.status != ConsultationStatus.CANCELLED,
            Consultation.end_dt > max(start, now),
        )
        .options(selectinload(Consultation.client), selectinload(Consultation.branch))
        .order_by(Consultation.start_dt, Consultation.id)
    )
    if end is not None:
        stmt = stmt.where(Consultation.start_dt < end)
    return list(session.scalars(stmt))


def consultations_during(
    session: Session, exception: AvailabilityException, *, now: datetime
) -> list[Consultation]:
    """The expert's active consultations, not over yet, that fall inside a day off."""
    if exception.kind != ExceptionKind.OFF:
        return []
    found = _active_consultations(
        session,
        exception.expert_id,
        *local_day_bounds(exception.start_date, exception.end_date),
        now,
    )
    result = []
    for c in found:
        if exception.branch_id is not None and c.branch_id != exception.branch_id:
            continue
        if exception.start_time is not None and exception.end_time is not None:
            day = local_date(c.start_dt)
            off_start = datetime.combine(day, exception.start_time, tzinfo=WARSAW)
            off_end = datetime.combine(day, exception.end_time, tzinfo=WARSAW)
            if not (c.start_dt < off_end and c.end_dt > off_start):
                continue
        result.append(c)
    return result


def consultations_in_rule(
    session: Session, rule: AvailabilityRule, *, now: datetime
) -> list[Consultation]:
    """Active consultations from today on that were booked in these weekly hours."""
    first = max(_today(now), rule.valid_from_date or date.min)
    end = local_day_bounds(first, rule.valid_to_date)[1] if rule.valid_to_date else None
    found = _active_consultations(session, rule.expert_id, local_midnight(first), end, now)
    result = []
    for c in found:
        local = c.start_dt.astimezone(WARSAW)
        if (
            c.branch_id == rule.branch_id
            and local.weekday() == rule.weekday
            and rule.start_time <= local.time() < rule.end_time
        ):
            result.append(c)
    return result


# --- checks shared by rules and extra hours -------------------------------------------------


def _served_branch(session: Session, expert: User, branch_id: int | None) -> Branch:
    if branch_id is None:
        raise BranchRequired()
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.active:
        raise UnknownBranch(field="branch", branch_id=branch_id)
    profile = expert.expert_profile
    if profile is None or branch not in profile.branches:
        raise BranchNotServed(branch_id=branch_id, branch_name=branch.name)
    return branch


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _check_window(
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


def _clash(new: Rule, existing: Sequence[tuple[Rule, AvailabilityRule]]) -> AvailabilityRule | None:
    """The existing rule that `new` overlaps, as `domain.slots.validate_rules` judges it."""
    try:
        validate_rules([*(r for r, _ in existing), new])
        return None
    except RuleOverlapError as error:
        pair = (error.first, error.second)
        if any(r is new for r in pair):
            other = pair[1] if pair[0] is new else pair[0]
            for rule, row in existing:
                if rule is other:
                    return row
    # Two older rules clash with each other (data from before this check): judge `new` alone.
    for rule, row in existing:
        try:
            validate_rules([rule, new])
        except RuleOverlapError:
            return row
    return None


# --- weekly hours ---------------------------------------------------------------------------


def add_rule(
    session: Session, actor: User, expert_id: int, draft: RuleDraft, *, now: datetime
) -> RuleAdded:
    """Add weekly hours, refused if they overlap the expert's hours at any branch."""
    today = _today(now)
    with _unit_of_work(session):
        begin_write(session)
        expert = get_expert(session, actor, expert_id)
        _lock(session, expert)
        branch = _served_branch(session, expert, draft.branch_id)
        if not 0 <= draft.weekday < SUNDAY:
            raise ClosedWeekday(weekday=draft.weekday)
        per_day, unused = _check_window(
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
        new = Rule(
            expert_id=expert.id,
            branch_id=branch.id,
            weekday=draft.weekday,
            start=draft.start,
            end=draft.end,
            length_min=draft.length_min,
            buffer_min=draft.buffer_min,
            valid_from=valid_from,
            valid_to=draft.valid_to,
        )
        rows = session.scalars(
            select(AvailabilityRule)
            .where(AvailabilityRule.expert_id == expert.id)
            .options(selectinload(AvailabilityRule.branch))
        ).all()
        other = _clash(new, [(r.to_domain(), r) for r in rows])
        if other is not None:
            raise Overlap(
                OtherHours(
                    weekday=other.weekday,
                    start=other.start_time,
                    end=other.end_time,
                    branch_name=other.branch.name,
                    valid_from=other.valid_from_date,
                    valid_to=other.valid_to_date,
                ),
                rule_id=other.id,
            )
        rule = AvailabilityRule(
            expert_id=expert.id,
            branch_id=branch.id,
            weekday=new.weekday,
            start_time=new.start,
            end_time=new.end,
            length_min=new.length_min,
            buffer_min=new.buffer_min,
            valid_from_date=new.valid_from,
            valid_to_date=new.valid_to,
        )
        session.add(rule)
        audit.record(
            session,
            actor=actor,
            action="availability.rule_add",
            target=rule,
            details=_rule_details(rule),
            now=now,
        )
        session.commit()
    return RuleAdded(rule, per_day, unused)


def _rule_details(rule: AvailabilityRule) -> dict[str, Any]:
    return {
        "expert_id": rule.expert_id,
        "branch_id": rule.branch_id,
        "weekday": rule.weekday,
        "start": rule.start_time.strftime("%H:%M"),
        "end": rule.end_time.strftime("%H:%M"),
        "length_min": rule.length_min,
        "buffer_min": rule.buffer_min,
        "valid_from": rule.valid_from_date.isoformat() if rule.valid_from_date else None,
        "valid_to": rule.valid_to_date.isoformat() if rule.valid_to_date else None,
    }


def end_rule(session: Session, actor: User, rule_id: int, *, now: datetime) -> RuleEnded:
    """Stop weekly hours from today: end them yesterday if they were in force, else delete."""
    today = _today(now)
    yesterday = today - timedelta(days=1)
    with _unit_of_work(session):
        begin_write(session)
        rule = get_rule(session, actor, rule_id)
        _lock(session, rule.expert)
        if rule.valid_to_date is not None and rule.valid_to_date < today:
            raise NotFound(rule_id=rule_id, reason="already_ended")
        affected = consultations_in_rule(session, rule, now=now)
        details = _rule_details(rule)
        deleted = rule.valid_from_date is not None and rule.valid_from_date >= today
        if deleted:
            audit.record(
                session,
                actor=actor,
                action="availability.rule_delete",
                target=rule,
                details=details,
                now=now,
            )
            session.delete(rule)
        else:
            rule.valid_to_date = yesterday
            audit.record(
                session,
                actor=actor,
                action="availability.rule_end",
                target=rule,
                details={**details, "valid_to": yesterday.isoformat()},
                now=now,
            )
        session.commit()
    return RuleEnded(deleted, affected)


# --- days off and extra hours ---------------------------------------------------------------


def add_exception(
    session: Session, actor: User, expert_id: int, draft: ExceptionDraft, *, now: datetime
) -> ExceptionAdded:
    """Add a day off (leave, sick day) or extra hours on a date range.

    A day off never cancels anything: the consultations inside it are returned. Extra hours are
    refused if they overlap the expert's hours at another branch on one of the dates (unless a
    day off frees that time there).
    """
    today = _today(now)
    kind = ExceptionKind(draft.kind)
    end_date = draft.end_date or draft.start_date
    with _unit_of_work(session):
        begin_write(session)
        expert = get_expert(session, actor, expert_id)
        _lock(session, expert)
        branch: Branch | None = None
        if kind is ExceptionKind.EXTRA or draft.branch_id is not None:
            branch = _served_branch(session, expert, draft.branch_id)
        if end_date < draft.start_date:
            raise DatesOutOfOrder(field="end_date")
        if end_date < today:
            raise InThePast(field="end_date" if draft.end_date else "start_date")
        if kind is ExceptionKind.EXTRA and draft.start_date < today:
            raise InThePast(field="start_date", reason="extra_hours_start")
        days = (end_date - draft.start_date).days + 1
        if days > MAX_EXCEPTION_DAYS:
            raise RangeTooLong(max_days=MAX_EXCEPTION_DAYS)
        length_min, buffer_min = draft.length_min, draft.buffer_min
        if kind is ExceptionKind.EXTRA:
            _check_window(
                draft.start_time,
                draft.end_time,
                length_min,
                buffer_min,
                start_field="start_time",
                end_field="end_time",
            )
            closed = polish_holidays(draft.start_date, end_date)
            if all(is_closed_day(d, closed) for d in daterange(draft.start_date, end_date)):
                raise NoOpenDay()
        else:
            if (draft.start_time is None) != (draft.end_time is None):
                raise TimesRequired(field="end_time" if draft.end_time is None else "start_time")
            if draft.start_time is not None and draft.end_time is not None:
                if draft.end_time <= draft.start_time:
                    raise EndNotAfterStart(field="end_time")
            # Not used by a day off; kept within the column's limits.
            length_min, buffer_min = 60, 0
        # The slot engine's own check, as a safety net for anything missed above.
        try:
            validate_exceptions(
                [
                    DomainException(
                        expert_id=expert.id,
                        kind=kind,
                        start_date=draft.start_date,
                        end_date=end_date,
                        branch_id=branch.id if branch else None,
                        start_time=draft.start_time,
                        end_time=draft.end_time,
                        length_min=length_min,
                        buffer_min=buffer_min,
                    )
                ]
            )
        except ValueError as error:  # pragma: no cover - every case is checked above
            raise AvailabilityError(str(error)) from None
        if kind is ExceptionKind.EXTRA:
            assert branch is not None and draft.start_time and draft.end_time
            other = _extra_clash(
                session,
                expert,
                branch,
                draft.start_date,
                end_date,
                draft.start_time,
                draft.end_time,
            )
            if other is not None:
                raise Overlap(other)
        exception = AvailabilityException(
            expert_id=expert.id,
            kind=kind.value,
            start_date=draft.start_date,
            end_date=end_date,
            branch_id=branch.id if branch else None,
            start_time=draft.start_time,
            end_time=draft.end_time,
            length_min=length_min,
            buffer_min=buffer_min,
            reason=draft.reason.strip()[:REASON_MAX],
        )
        session.add(exception)
        audit.record(
            session,
            actor=actor,
            action="availability.exception_add",
            target=exception,
            details=_exception_details(exception),
            now=now,
        )
        session.commit()
        affected = consultations_during(session, exception, now=now)
    return ExceptionAdded(exception, affected)


def _extra_clash(
    session: Session,
    expert: User,
    branch: Branch,
    first: date,
    last: date,
    start: time,
    end: time,
) -> OtherHours | None:
    """The expert's hours at another branch that extra hours on `first..last` would overlap.

    Weekly hours and other extra hours count, except where a day off frees the overlapping time.
    """
    rules = session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.expert_id == expert.id, AvailabilityRule.branch_id != branch.id)
        .options(selectinload(AvailabilityRule.branch))
    ).all()
    exceptions = session.scalars(
        select(AvailabilityException)
        .where(
            AvailabilityException.expert_id == expert.id,
            AvailabilityException.start_date <= last,
            AvailabilityException.end_date >= first,
        )
        .options(selectinload(AvailabilityException.branch))
    ).all()
    offs = [e for e in exceptions if e.kind == ExceptionKind.OFF]
    extras = [e for e in exceptions if e.kind == ExceptionKind.EXTRA and e.branch_id != branch.id]
    closed = polish_holidays(first, last)

    def freed(day: date, branch_id: int, lo: time, hi: time) -> bool:
        return any(
            o.start_date <= day <= o.end_date
            and (o.branch_id is None or o.branch_id == branch_id)
            and (o.start_time is None or (o.start_time <= lo and o.end_time >= hi))
            for o in offs
        )

    for day in daterange(first, last):
        if is_closed_day(day, closed):
            continue
        windows: list[tuple[time, time, Branch, AvailabilityRule | None]] = [
            (r.start_time, r.end_time, r.branch, r)
            for r in rules
            if r.weekday == day.weekday() and r.to_domain().covers(day)
        ]
        windows += [
            (x.start_time, x.end_time, x.branch, None)
            for x in extras
            if x.start_date <= day <= x.end_date and x.start_time and x.end_time and x.branch
        ]
        for w_start, w_end, w_branch, rule in windows:
            lo, hi = max(start, w_start), min(end, w_end)
            if lo < hi and not freed(day, w_branch.id, lo, hi):
                return OtherHours(
                    weekday=day.weekday(),
                    start=w_start,
                    end=w_end,
                    branch_name=w_branch.name,
                    valid_from=rule.valid_from_date if rule else None,
                    valid_to=rule.valid_to_date if rule else None,
                    on_date=day,
                )
    return None


def _exception_details(exception: AvailabilityException) -> dict[str, Any]:
    return {
        "expert_id": exception.expert_id,
        "kind": exception.kind,
        "start_date": exception.start_date.isoformat(),
        "end_date": exception.end_date.isoformat(),
        "branch_id": exception.branch_id,
        "start_time": exception.start_time.strftime("%H:%M") if exception.start_time else None,
        "end_time": exception.end_time.strftime("%H:%M") if exception.end_time else None,
    }


def delete_exception(
    session: Session, actor: User, exception_id: int, *, now: datetime
) -> AvailabilityException:
    """Remove a day off or extra hours (the weekly hours apply again on those dates)."""
    with _unit_of_work(session):
        begin_write(session)
        exception = get_exception(session, actor, exception_id)
        _lock(session, exception.expert)
        audit.record(
            session,
            actor=actor,
            action="availability.exception_delete",
            target=exception,
            details=_exception_details(exception),
            now=now,
        )
        session.delete(exception)
        session.commit()
    return exception


__all__ = [
    "AvailabilityError",
    "BranchHours",
    "Calendar",
    "ExceptionAdded",
    "ExceptionDraft",
    "Overlap",
    "RuleAdded",
    "RuleDraft",
    "RuleEnded",
    "add_exception",
    "add_rule",
    "calendar",
    "can_manage_calendar",
    "consultations_during",
    "consultations_in_rule",
    "delete_exception",
    "end_rule",
    "get_exception",
    "get_expert",
    "get_rule",
    "manageable_experts",
]
