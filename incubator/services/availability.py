"""Experts' calendars: weekly hours per branch, days off and extra hours.

Load -> check (`incubator.domain.availability_rules` decides what makes sense and what overlaps)
-> write -> audit -> commit. The acting user and `now` are passed in. An expert manages only their
own calendar, a manager any expert's, a client nobody's. Every refusal is a `DomainError` with a
stable `code` and the form `field` it concerns (None: the form as a whole).

Nothing here cancels or moves a consultation. Consultations do not point at the rules they were
booked from, so ending weekly hours or taking a day off leaves existing bookings as they are; the
functions return the expert's active consultations that now fall outside their hours, so the page
can ask for them to be moved or cancelled.

Ending weekly hours keeps history: hours that have been in force get ``valid_to = yesterday``,
hours that have not started yet are deleted (`availability_rules.rule_has_started`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..domain import availability_rules as rules
from ..domain import days_off
from ..domain.availability_rules import REASON_MAX, ExceptionDraft, OtherHours, Overlap, RuleDraft
from ..domain.calendar import local_date, local_day_bounds
from ..domain.errors import NotAllowed, NotFound, UnknownBranch, UnknownExpert
from ..domain.slots import AvailabilityException as DomainException
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
from .transactions import lock_rows, write

PAST_EXCEPTIONS_SHOWN = 10


# --- results --------------------------------------------------------------------------------


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


def _lock(session: Session, expert: User) -> None:
    """One calendar change per expert at a time (a row lock on PostgreSQL)."""
    lock_rows(session, User, [expert.id])


def _add(
    session: Session, actor: User, row: Any, action: str, details: dict, now: datetime
) -> None:
    """Insert a new rule or exception and record it in the audit log (the caller commits)."""
    session.add(row)
    audit.record(session, actor=actor, action=action, target=row, details=details, now=now)


# --- reading --------------------------------------------------------------------------------


def served_branches(expert: User) -> list[Branch]:
    """The active branches the expert serves (the choices of the forms)."""
    profile = expert.expert_profile
    return [b for b in profile.branches if b.active] if profile is not None else []


def calendar(session: Session, actor: User, expert_id: int, *, now: datetime) -> Calendar:
    """The expert's weekly hours still in force or to come, and their days off and extra hours."""
    expert = get_expert(session, actor, expert_id)
    today = local_date(now)
    served = served_branches(expert)
    weekly = session.scalars(
        select(AvailabilityRule)
        .where(
            AvailabilityRule.expert_id == expert.id,
            or_(AvailabilityRule.valid_to_date.is_(None), AvailabilityRule.valid_to_date >= today),
        )
        .options(selectinload(AvailabilityRule.branch))
        .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.id)
    ).all()
    hours = [BranchHours(b, True, [r for r in weekly if r.branch_id == b.id]) for b in served]
    others: dict[int, Branch] = {
        r.branch_id: r.branch for r in weekly if r.branch_id not in {b.id for b in served}
    }
    for branch in sorted(others.values(), key=lambda b: b.name):
        hours.append(BranchHours(branch, False, [r for r in weekly if r.branch_id == branch.id]))
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
    """The expert's consultations, not cancelled and not over, in ``[start, end)``."""
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
    off = exception.to_domain()
    first, last = local_day_bounds(off.start_date, off.end_date)
    found = _active_consultations(session, off.expert_id, first, last, now)
    return [c for c in found if rules.hit_by_day_off(off, c.start_dt, c.end_dt, c.branch_id)]


def consultations_in_rule(
    session: Session, rule: AvailabilityRule, *, now: datetime
) -> list[Consultation]:
    """Active consultations from today on that were booked in these weekly hours."""
    hours = rule.to_domain()
    start, end = rules.rule_search_bounds(hours, local_date(now))
    found = _active_consultations(session, hours.expert_id, start, end, now)
    return [c for c in found if rules.booked_in_rule(hours, c.start_dt, c.branch_id)]


def rule_has_ended(rule: AvailabilityRule, *, now: datetime) -> bool:
    """The weekly hours stopped before today: there is nothing left to end."""
    return rules.rule_has_ended(rule.to_domain(), local_date(now))


# --- weekly hours ---------------------------------------------------------------------------


def _served_branch(session: Session, expert: User, branch_id: int | None) -> Branch:
    """The branch of new hours: given, active and one of the expert's."""
    if branch_id is None:
        raise rules.BranchRequired()
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.active:
        raise UnknownBranch(field="branch", branch_id=branch_id)
    profile = expert.expert_profile
    if profile is None or branch not in profile.branches:
        raise rules.BranchNotServed(branch_id=branch_id, branch_name=branch.name)
    return branch


def add_rule(
    session: Session, actor: User, expert_id: int, draft: RuleDraft, *, now: datetime
) -> RuleAdded:
    """Add weekly hours, refused if they overlap the expert's hours at any branch."""
    with write(session):
        expert = get_expert(session, actor, expert_id)
        _lock(session, expert)
        branch = _served_branch(session, expert, draft.branch_id)
        new, per_day, unused = rules.check_rule(
            draft, expert_id=expert.id, branch_id=branch.id, today=local_date(now)
        )
        existing = session.scalars(
            select(AvailabilityRule)
            .where(AvailabilityRule.expert_id == expert.id)
            .options(selectinload(AvailabilityRule.branch))
        ).all()
        other = rules.find_clash(new, [(r.to_domain(), r) for r in existing])
        if other is not None:
            hours = OtherHours.of_rule(other.to_domain(), other.branch.name)
            raise Overlap(hours, rule_id=other.id)
        rule = AvailabilityRule.from_domain(new)
        _add(session, actor, rule, "availability.rule_add", _rule_details(rule), now)
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
    today = local_date(now)
    yesterday = today - timedelta(days=1)
    with write(session):
        rule = get_rule(session, actor, rule_id)
        _lock(session, rule.expert)
        if rules.rule_has_ended(rule.to_domain(), today):
            raise NotFound(rule_id=rule_id, reason="already_ended")
        affected = consultations_in_rule(session, rule, now=now)
        details = _rule_details(rule)
        deleted = not rules.rule_has_started(rule.to_domain(), today)
        if not deleted:
            rule.valid_to_date = yesterday
            details["valid_to"] = yesterday.isoformat()
        action = "availability.rule_delete" if deleted else "availability.rule_end"
        audit.record(session, actor=actor, action=action, target=rule, details=details, now=now)
        if deleted:
            session.delete(rule)
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
    draft = replace(draft, kind=ExceptionKind(draft.kind))  # callers may pass the plain string
    with write(session):
        expert = get_expert(session, actor, expert_id)
        _lock(session, expert)
        branch: Branch | None = None
        if draft.kind is ExceptionKind.EXTRA or draft.branch_id is not None:
            branch = _served_branch(session, expert, draft.branch_id)
        end_date = rules.check_exception_dates(draft, today=local_date(now))
        holidays = polish_holidays(draft.start_date, end_date)
        new = rules.check_exception(
            draft,
            expert_id=expert.id,
            branch_id=branch.id if branch else None,
            end_date=end_date,
            holidays=holidays,
        )
        if new.kind is ExceptionKind.EXTRA:
            other = _extra_clash(session, new, holidays)
            if other is not None:
                raise Overlap(other)
        else:
            _refuse_covered_day_off(session, new)
        exception = AvailabilityException(
            expert_id=new.expert_id,
            kind=new.kind.value,
            start_date=new.start_date,
            end_date=new.end_date,
            branch_id=new.branch_id,
            start_time=new.start_time,
            end_time=new.end_time,
            length_min=new.length_min,
            buffer_min=new.buffer_min,
            reason=draft.reason.strip()[:REASON_MAX],
        )
        details = _exception_details(exception)
        _add(session, actor, exception, "availability.exception_add", details, now)
        affected = consultations_during(session, exception, now=now)
    return ExceptionAdded(exception, affected)


def _refuse_covered_day_off(session: Session, new: DomainException) -> None:
    """`AlreadyOff` when a day off recorded earlier already covers all of `new`."""
    recorded = session.scalars(
        select(AvailabilityException).where(
            AvailabilityException.expert_id == new.expert_id,
            AvailabilityException.kind == ExceptionKind.OFF,
            AvailabilityException.start_date <= new.start_date,
            AvailabilityException.end_date >= new.end_date,
        )
    )
    covering = days_off.covering_day_off(new, ((e.to_domain(), e) for e in recorded))
    if covering is not None:
        raise days_off.AlreadyOff(first=covering.start_date, last=covering.end_date)


def _extra_clash(
    session: Session, extra: DomainException, holidays: frozenset[date]
) -> OtherHours | None:
    """Load the expert's hours and exceptions on the dates and ask `rules.extra_clash`."""
    weekly = session.scalars(
        select(AvailabilityRule)
        .where(AvailabilityRule.expert_id == extra.expert_id)
        .options(selectinload(AvailabilityRule.branch))
    ).all()
    exceptions = session.scalars(
        select(AvailabilityException)
        .where(
            AvailabilityException.expert_id == extra.expert_id,
            AvailabilityException.start_date <= extra.end_date,
            AvailabilityException.end_date >= extra.start_date,
        )
        .options(selectinload(AvailabilityException.branch))
    ).all()
    names = {r.branch_id: r.branch.name for r in weekly}
    names |= {e.branch_id: e.branch.name for e in exceptions if e.branch is not None}
    return rules.extra_clash(
        extra,
        [r.to_domain() for r in weekly],
        [e.to_domain() for e in exceptions],
        names,
        holidays,
    )


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
    with write(session):
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
    return exception


__all__ = [
    "BranchHours",
    "Calendar",
    "ExceptionAdded",
    "ExceptionDraft",
    "OtherHours",
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
    "rule_has_ended",
    "served_branches",
]
