"""Staff: an expert's week and agenda, and the managers' overview of today across offices.

An expert sees only their own consultations (another expert's id is "not found", as their
consultations are); a manager chooses the expert. The week runs Monday to Sunday in Warsaw time.
Everything is read through `services.consultations.list_consultations`, which already keeps to
what the person asking may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from ...clock import utcnow
from ...domain.calendar import daterange, local_date
from ...extensions import db
from ...models import Branch, Consultation, User
from ...services import availability, directory, outcomes
from ...services.consultations import list_consultations
from ..common import display
from ..common.access import current_actor
from ..common.fields import choice
from .views import bp

AGENDA_DAYS = 60  # how far ahead the agenda looks
AGENDA_LIMIT = 150  # at most this many upcoming consultations on one page
NEXT_PER_OFFICE = 3  # the overview's "next ones" per office


class WeekFilterForm(FlaskForm):
    """GET form of the week and the agenda: whose (managers only), which office, which week."""

    class Meta:
        csrf = False

    expert = SelectField(_l("Expert"), coerce=int, choices=[], validate_choice=False)
    branch = SelectField(_l("Office"), coerce=int, choices=[], validate_choice=False)
    date = DateField(_l("Any day of the week"), validators=[Optional()])


@dataclass
class DaySection:
    day: date
    consultations: list[Consultation]


@dataclass
class OfficeToday:
    branch: Branch
    booked: int
    cancelled: int
    next_ones: list[Consultation]
    experts: list[User] = field(default_factory=list)


# --- who, where, when -----------------------------------------------------------------------


def _whose(user: User) -> User | None:
    """Whose consultations: an expert's own (anyone else's id is "not found"); a manager's
    choice in `?expert=` (None until chosen)."""
    raw = request.args.get("expert")
    requested = display.parse_id(raw)
    if user.is_expert:
        if raw not in (None, "") and requested != user.id:
            abort(404)
        return user
    if requested is None:
        return None
    expert = directory.get_expert(db.session, requested)
    if expert is None:
        abort(404)
    return expert


def _office_choices() -> list:
    options = [choice(0, _("All offices"))]
    for top in directory.branch_tree(db.session):
        options.append(choice(top.id, top.name))
        options.extend(choice(c.id, f"— {c.name}") for c in top.children)
    return options


def _filter_form(user: User, expert: User | None, branch_id: int | None, day: date) -> FlaskForm:
    form = WeekFilterForm(formdata=None, expert=expert.id if expert else None)
    form.branch.choices = _office_choices()
    form.branch.data = branch_id or 0
    form.date.data = day
    if user.is_manager:
        form.expert.choices = [
            choice(e.id, display.expert_name(e))
            for e in availability.manageable_experts(db.session, user)
        ]
        if expert is None:
            form.expert.choices.insert(0, choice(0, _("Choose the expert")))
    return form


def _args(user: User, expert: User | None, branch_id: int | None, **more: object) -> dict:
    """The query string that keeps the choices (an expert's own id is implied)."""
    args: dict[str, object] = {}
    if user.is_manager and expert is not None:
        args["expert"] = expert.id
    if branch_id:
        args["branch"] = branch_id
    return {**args, **more}


def _sections(consultations: list[Consultation], days: list[date]) -> list[DaySection]:
    by_day: dict[date, list[Consultation]] = {d: [] for d in days}
    for c in consultations:
        by_day.setdefault(local_date(c.start_dt), []).append(c)
    return [DaySection(d, by_day[d]) for d in sorted(by_day)]


def _common() -> dict:
    return {
        "now": utcnow(),  # a card offers the outcome form once its consultation has started
        "status_label": display.status_label,
        "time_range": display.time_range,
        "branch_label": display.branch_label,
        "expert_name": display.expert_name,
        "day_label": display.day_label,
    }


# --- the week -------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@bp.get("/tydzien")
def week() -> ResponseReturnValue:
    user = current_actor()
    expert = _whose(user)
    branch = directory.get_branch(db.session, display.parse_id(request.args.get("branch")))
    branch_id = branch.id if branch else None
    today = local_date(utcnow())
    raw_day = request.args.get("date")
    parsed = display.parse_day(raw_day)
    first = monday_of(parsed or today)
    last = first + timedelta(days=6)
    consultations = (
        list_consultations(
            db.session,
            user,
            expert_id=expert.id,
            branch_id=branch_id,
            date_from=first,
            date_to=last,
        )
        if expert is not None
        else []
    )

    def week_link(day: date) -> str:
        return url_for("staff.week", **_args(user, expert, branch_id, date=day.isoformat()))

    return render_template(
        "staff/week.html",
        form=_filter_form(user, expert, branch_id, first),
        bad_date=parsed is None and bool(raw_day),
        expert=expert,
        branch=branch,
        today=today,
        week_title=f"{display.day_month(first)} – {display.long_date(last)}",
        sections=_sections(consultations, list(daterange(first, last))),
        count=sum(1 for c in consultations if not c.is_cancelled),
        previous_url=week_link(first - timedelta(days=7)),
        next_url=week_link(first + timedelta(days=7)),
        this_week_url=week_link(today) if not first <= today <= last else None,
        agenda_url=url_for("staff.agenda", **_args(user, expert, branch_id)),
        **_common(),
    )


# --- the agenda -----------------------------------------------------------------------------


@bp.get("/agenda")
def agenda() -> ResponseReturnValue:
    user = current_actor()
    expert = _whose(user)
    branch = directory.get_branch(db.session, display.parse_id(request.args.get("branch")))
    branch_id = branch.id if branch else None
    today = local_date(utcnow())
    last = today + timedelta(days=AGENDA_DAYS - 1)
    consultations = (
        list_consultations(
            db.session,
            user,
            expert_id=expert.id,
            branch_id=branch_id,
            date_from=today,
            date_to=last,
            limit=AGENDA_LIMIT + 1,
        )
        if expert is not None
        else []
    )
    cut = len(consultations) > AGENDA_LIMIT
    consultations = consultations[:AGENDA_LIMIT]
    active = [c for c in consultations if not c.is_cancelled]
    return render_template(
        "staff/agenda.html",
        form=_filter_form(user, expert, branch_id, today),
        expert=expert,
        branch=branch,
        today=today,
        todays=[c for c in consultations if local_date(c.start_dt) == today],
        upcoming=_sections([c for c in active if local_date(c.start_dt) > today], []),
        cancelled=[c for c in consultations if c.is_cancelled and local_date(c.start_dt) > today],
        cut=cut,
        last_day=last,
        agenda_days=AGENDA_DAYS,
        week_url=url_for("staff.week", **_args(user, expert, branch_id)),
        to_record=outcomes.count_awaiting_outcome(db.session, user, utcnow()),
        **_common(),
    )


# --- the managers' overview of today --------------------------------------------------------


@bp.get("/przeglad")
def overview() -> ResponseReturnValue:
    user = current_actor()
    if not user.is_manager:
        return redirect(url_for("staff.agenda"))
    now = utcnow()
    today = local_date(now)
    todays = list_consultations(db.session, user, date_from=today, date_to=today)
    experts = availability.manageable_experts(db.session, user)
    offices = [
        _office_today(b, todays, experts, now)
        for top in directory.branch_tree(db.session)
        for b in (top, *top.children)
    ]
    return render_template(
        "staff/overview.html",
        today=today,
        today_title=display.full_date(today),
        offices=offices,
        total=sum(o.booked for o in offices),
        **_common(),
    )


def _office_today(
    branch: Branch, todays: list[Consultation], experts: list[User], now: datetime
) -> OfficeToday:
    here = [c for c in todays if c.branch_id == branch.id]
    active = [c for c in here if not c.is_cancelled]
    return OfficeToday(
        branch=branch,
        booked=len(active),
        cancelled=len(here) - len(active),
        next_ones=[c for c in active if c.end_dt > now][:NEXT_PER_OFFICE],
        experts=[
            e
            for e in experts
            if e.expert_profile is not None
            and any(b.id == branch.id for b in e.expert_profile.branches)
        ],
    )
