"""People served by trainings and information meetings, beside advice (issue #14).

The same scope as the report of consultations (`report_scope.ReportScope`), read for events:

* **period**: a session that starts on a local day of the period (an event with sessions on
  both sides of a boundary serves in each period the people who came in it);
* **office** (with its filie unless excluded): the event's office (``events.branch_id``); an
  event held only at an outside address, with no office, is left out of an office's or a
  project's report and counted in the report of every office;
* **area**: the event's area; **expert**: events the expert trains at.

A session *took place* unless its event was cancelled before it started. A person is served by
an event when they hold a seat (registration ``registered``) and were ticked present at one or
more of its sessions that took place in scope; waiting, cancelled and absent people are not.
Head counts (``anonymous_count``) are summed over the sessions of information meetings.

Three statements: the people grouped by the forms that served them (advice by the same rule as
`reports`), the head counts and events and sessions held per kind, and per event form one UNION
ALL of the breakdowns (the same `_people_cte` as advice, so the age at first support and a
project's entry data are read the same way). `domain.support_forms` makes the figures.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..domain.calendar import local_day_bounds
from ..domain.counting import breakdowns
from ..domain.schemes import Scheme
from ..domain.support_forms import (
    ADVICE,
    EVENT_FORMS,
    FORMS,
    EventTally,
    ServedByForm,
    served_by_form,
)
from ..models import (
    Event,
    EventRegistration,
    EventSession,
    RegistrationStatus,
    SessionAttendance,
)
from ..models.event import event_trainers
from .report_scope import ReportScope
from .reports import HELD, A, C, _in_scope, _people_cte, dimension_parts

EV = Event.__table__
S = EventSession.__table__
R = EventRegistration.__table__
SA = SessionAttendance.__table__
T = event_trainers


def sessions_in_scope(scope: ReportScope) -> ColumnElement[bool]:
    """Sessions of the scope's events that started in its period and took place."""
    lo, hi = local_day_bounds(scope.first_day, scope.last_day)
    conditions = [
        S.c.start_dt >= lo,
        S.c.start_dt < hi,
        or_(EV.c.cancelled_at_dt.is_(None), S.c.start_dt < EV.c.cancelled_at_dt),
    ]
    if scope.branch_ids is not None:
        conditions.append(EV.c.branch_id.in_(scope.branch_ids))
    if scope.area_id is not None:
        conditions.append(EV.c.area_id == scope.area_id)
    if scope.expert_id is not None:
        trains = (T.c.event_id == EV.c.id) & (T.c.expert_id == scope.expert_id)
        conditions.append(exists().where(trains))
    return and_(*conditions)


def _present(scope: ReportScope):
    """(user_id, form, start_dt) of every person with a seat ticked present at a session in
    scope: the rows that make a person served by an event."""
    seat = and_(
        R.c.event_id == EV.c.id,
        R.c.user_id == SA.c.user_id,
        R.c.status == RegistrationStatus.REGISTERED.value,
    )
    return (
        select(SA.c.user_id, EV.c.kind.label("form"), S.c.start_dt)
        .select_from(SA.join(S, S.c.id == SA.c.session_id).join(EV, EV.c.id == S.c.event_id))
        .join(R, seat)
        .where(SA.c.attended.is_(True), sessions_in_scope(scope))
    )


def _combinations(session: Session, scope: ReportScope) -> dict[str | None, int]:
    """People grouped by the forms that served them: one 0/1 digit per form (`FORMS`)."""
    advice = (
        select(A.c.user_id, literal(ADVICE, String(30)).label("form"))
        .select_from(A.join(C, C.c.id == A.c.consultation_id))
        .where(A.c.attended.is_(True), C.c.status == HELD, _in_scope(scope))
    )
    present = _present(scope).subquery()
    events = select(present.c.user_id, present.c.form)
    rows = union_all(advice, events).subquery()
    per_person = (
        select(
            rows.c.user_id,
            *(func.max(case((rows.c.form == f, 1), else_=0)).label(f) for f in FORMS),
        )
        .group_by(rows.c.user_id)
        .subquery()
    )
    digits = [cast(per_person.c[f], String(1)) for f in FORMS]
    flags = digits[0]
    for digit in digits[1:]:
        flags = flags.concat(digit)
    query = select(flags, func.count()).select_from(per_person).group_by(flags)
    return {value: int(n) for value, n in session.execute(query)}


def _tallies(session: Session, scope: ReportScope) -> dict[str, dict[str, int]]:
    """Per kind: events and sessions held in scope and the sum of their head counts."""
    query = (
        select(
            EV.c.kind,
            func.count(func.distinct(EV.c.id)),
            func.count(S.c.id),
            func.coalesce(func.sum(S.c.anonymous_count), 0),
        )
        .select_from(S.join(EV, EV.c.id == S.c.event_id))
        .where(sessions_in_scope(scope))
        .group_by(EV.c.kind)
    )
    return {
        kind: {"events": int(events), "sessions": int(sessions), "head_count": int(heads)}
        for kind, events, sessions, heads in session.execute(query)
    }


def _breakdowns(session: Session, scope: ReportScope, scheme: Scheme, form: str) -> dict:
    """The scheme's breakdowns of the people one event form served, aged at their first
    session in scope."""
    present = _present(scope).subquery()
    served = (
        select(present.c.user_id, func.min(present.c.start_dt).label("first_dt"))
        .where(present.c.form == form)
        .group_by(present.c.user_id)
        .cte(f"served_{form}")
    )
    people = _people_cte(scope, served)
    grouped: dict[str, dict[str | None, int]] = defaultdict(dict)
    for dim, value, n in session.execute(union_all(*dimension_parts(people))):
        grouped[dim][value] = int(n or 0)
    by_age = {(None if v is None else int(v)): n for v, n in grouped.get("age", {}).items()}
    return breakdowns(scheme, grouped, by_age)


def forms_served(session: Session, scope: ReportScope, scheme: Scheme) -> ServedByForm:
    """People served per form of support in ``scope`` and across forms (each person once),
    with the head counts of information meetings beside them."""
    combos = _combinations(session, scope)
    counted = _tallies(session, scope)
    tallies = {}
    for form in EVENT_FORMS:
        figures = counted.get(form, {})
        tallies[form] = EventTally(
            head_count=figures.get("head_count", 0),
            events_held=figures.get("events", 0),
            sessions_held=figures.get("sessions", 0),
            breakdowns=_breakdowns(session, scope, scheme, form),
        )
    return served_by_form(combos, tallies)
