"""Consultation hours (`/personel/godziny`): experts keep their calendars, managers anyone's.

One page shows the weekly hours per office, the days off and extra hours, and three forms to add
them; removing goes through a confirmation page (a POST with a CSRF token). Every form posts to
its own URL and, if refused, the page is shown again with the messages next to the fields and
nothing saved. Business rules are the service's (`services.availability`).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from ...clock import utcnow
from ...domain.availability_rules import OPEN_WEEKDAYS
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotAllowed, NotFound, UnknownExpert
from ...extensions import db
from ...models import Consultation, ExceptionKind, User
from ...services import availability as av
from ..common import booking_flow as f
from ..common import display
from ..common import wording as m
from ..common.access import current_actor, staff_only
from ..common.errors import message_for
from ..common.fields import choice
from .forms import ChooseExpertForm, DayOffForm, ExtraHoursForm, RuleForm

bp = Blueprint("availability", __name__)

ALL_BRANCHES = 0  # the day-off form's "every office" option


bp.before_request(staff_only)


def _today() -> date:
    return local_date(utcnow())


def _expert_id() -> int | None:
    """Whose calendar: an expert's own; a manager's choice in `?expert=`."""
    user = current_actor()
    requested = f.parse_id(request.args.get("expert"))
    if user.is_expert:
        if request.args.get("expert") not in (None, "") and requested != user.id:
            abort(403)
        return user.id
    return requested


def _fail(error: DomainError) -> None:
    if isinstance(error, NotAllowed):
        abort(403)
    if isinstance(error, NotFound | UnknownExpert):
        abort(404)


def _expert_or_abort(expert_id: int | None) -> User:
    if expert_id is None:
        abort(404)
    try:
        return av.get_expert(db.session, current_actor(), expert_id)
    except DomainError as error:
        _fail(error)
        raise


def _page_url(expert_id: int, anchor: str | None = None) -> str:
    user = current_actor()
    args = {} if user.is_expert else {"expert": expert_id}
    return url_for("availability.index", _anchor=anchor, **args)


def _own(expert_id: int) -> bool:
    return current_actor().id == expert_id


# --- form choices ---------------------------------------------------------------------------


def _weekday_choices() -> list:
    return [choice(n, m.weekday_name(n)) for n in OPEN_WEEKDAYS]


def _prepare(
    expert: User,
    rule_form: RuleForm | None = None,
    off_form: DayOffForm | None = None,
    extra_form: ExtraHoursForm | None = None,
) -> tuple[RuleForm, DayOffForm, ExtraHoursForm]:
    """The three forms with their choices; fresh ones get sensible defaults."""
    profile = expert.expert_profile
    default_length = profile.default_length_min if profile is not None else 60
    branches = [choice(b.id, display.branch_label(b)) for b in av.served_branches(expert)]
    if rule_form is None:
        rule_form = RuleForm(formdata=None, prefix="rule", length=default_length, buffer=0)
    if off_form is None:
        off_form = DayOffForm(formdata=None, prefix="off", branch=ALL_BRANCHES)
    if extra_form is None:
        extra_form = ExtraHoursForm(formdata=None, prefix="extra", length=default_length, buffer=0)
    rule_form.branch.choices = branches
    rule_form.weekday.choices = _weekday_choices()
    off_form.branch.choices = [choice(ALL_BRANCHES, _("All offices")), *branches]
    extra_form.branch.choices = branches
    return rule_form, off_form, extra_form


def _render(
    expert_id: int | None,
    *,
    status: int = 200,
    rule_form: RuleForm | None = None,
    off_form: DayOffForm | None = None,
    extra_form: ExtraHoursForm | None = None,
) -> ResponseReturnValue:
    user = current_actor()
    chooser = None
    if user.is_manager:
        chooser = ChooseExpertForm(formdata=None, expert=expert_id)
        chooser.expert.choices = [
            choice(e.id, f.expert_name(e)) for e in av.manageable_experts(db.session, user)
        ]
    calendar = None
    if expert_id is not None:
        try:
            calendar = av.calendar(db.session, user, expert_id, now=utcnow())
        except DomainError as error:
            _fail(error)
            raise
        rule_form, off_form, extra_form = _prepare(calendar.expert, rule_form, off_form, extra_form)
    return (
        render_template(
            "availability/index.html",
            chooser=chooser,
            calendar=calendar,
            own=calendar is not None and calendar.expert.id == user.id,
            affected=_unique(c for found in calendar.affected.values() for c in found)
            if calendar
            else [],
            expert_args={} if user.is_expert or expert_id is None else {"expert": expert_id},
            rule_form=rule_form,
            off_form=off_form,
            extra_form=extra_form,
            today=_today(),
            m=m,
            expert_name=f.expert_name,
            consultation_time=_consultation_time,
            day_url=_day_url,
            ExceptionKind=ExceptionKind,
        ),
        status,
    )


def _unique(consultations) -> list[Consultation]:
    """Each consultation once (days off may overlap), soonest first."""
    by_id = {c.id: c for c in consultations}
    return sorted(by_id.values(), key=lambda c: (c.start_dt, c.id))


def _consultation_time(c: Consultation) -> str:
    return f"{f.day_label(c.start_dt)}, {f.time_range(c.start_dt, c.end_dt)}"


def _day_url(c: Consultation) -> str:
    return url_for("staff.day", branch=c.branch_id, date=local_date(c.start_dt).isoformat())


# --- the page -------------------------------------------------------------------------------


@bp.get("")
def index() -> ResponseReturnValue:
    return _render(_expert_id())


def _refused(form: FlaskForm, error: DomainError, expert_id: int) -> None:
    """Put the service's refusal next to its field (or above the form)."""
    _fail(error)
    message = message_for(error, own=_own(expert_id), today=_today())
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


def _submitted(form: FlaskForm, expert: User) -> bool:
    """Validate a posted form, after giving its selects the expert's choices."""
    if isinstance(form, RuleForm):
        _prepare(expert, rule_form=form)
    elif isinstance(form, DayOffForm):
        _prepare(expert, off_form=form)
    elif isinstance(form, ExtraHoursForm):
        _prepare(expert, extra_form=form)
    return form.validate_on_submit()


@bp.post("/reguly")
def add_rule() -> ResponseReturnValue:
    expert = _expert_or_abort(_expert_id())
    form = RuleForm(prefix="rule")
    if _submitted(form, expert):
        draft = av.RuleDraft(
            branch_id=form.branch.data or None,
            weekday=form.weekday.data if form.weekday.data is not None else -1,
            start=form.start.data,
            end=form.end.data,
            length_min=form.length.data,
            buffer_min=form.buffer.data or 0,
            valid_from=form.valid_from.data,
            valid_to=form.valid_to.data,
        )
        try:
            added = av.add_rule(db.session, current_actor(), expert.id, draft, now=utcnow())
        except DomainError as error:
            _refused(form, error, expert.id)
        else:
            rule = added.rule
            flash(
                _(
                    "Added hours %(day)s %(time)s at %(branch)s.",
                    day=m.WEEKDAY_ON[rule.weekday],
                    time=m.time_range(rule.start_time, rule.end_time),
                    branch=rule.branch.name,
                ),
                "success",
            )
            if added.unused_min:
                flash(m.unused_time_warning(added.unused_min, added.per_day), "warning")
            return redirect(_page_url(expert.id, "weekly-hours"))
    return _render(expert.id, status=422, rule_form=form)


def _exception_draft(form: DayOffForm | ExtraHoursForm) -> av.ExceptionDraft:
    extra = isinstance(form, ExtraHoursForm)
    return av.ExceptionDraft(
        kind=ExceptionKind.EXTRA if extra else ExceptionKind.OFF,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        branch_id=form.branch.data or None,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        length_min=form.length.data if extra else 60,
        buffer_min=(form.buffer.data or 0) if extra else 0,
        reason=form.reason.data or "",
    )


def _save_exception(form: DayOffForm | ExtraHoursForm, expert: User) -> av.ExceptionAdded | None:
    """Save a posted day off or extra hours; None if the form or the service refused it."""
    if not _submitted(form, expert):
        return None
    try:
        return av.add_exception(
            db.session, current_actor(), expert.id, _exception_draft(form), now=utcnow()
        )
    except DomainError as error:
        _refused(form, error, expert.id)
        return None


@bp.post("/wolne")
def add_day_off() -> ResponseReturnValue:
    expert = _expert_or_abort(_expert_id())
    form = DayOffForm(prefix="off")
    added = _save_exception(form, expert)
    if added is None:
        return _render(expert.id, status=422, off_form=form)
    x = added.exception
    flash(_("Time off added: %(dates)s.", dates=m.date_range(x.start_date, x.end_date)), "success")
    if not added.affected:
        return redirect(_page_url(expert.id, "exceptions"))
    flash(
        ngettext(
            "%(num)d consultation is booked in this time off. It has not been "
            "cancelled: move or cancel it (see the list below).",
            "%(num)d consultations are booked in this time off. They have not been "
            "cancelled: move or cancel them (see the list below).",
            len(added.affected),
        ),
        "warning",
    )
    return redirect(_page_url(expert.id, "affected"))


@bp.post("/dodatkowe")
def add_extra_hours() -> ResponseReturnValue:
    expert = _expert_or_abort(_expert_id())
    form = ExtraHoursForm(prefix="extra")
    added = _save_exception(form, expert)
    if added is None:
        return _render(expert.id, status=422, extra_form=form)
    x = added.exception
    flash(
        _(
            "Extra hours added: %(dates)s, %(time)s at %(branch)s.",
            dates=m.date_range(x.start_date, x.end_date),
            time=m.time_range(x.start_time, x.end_time),
            branch=x.branch.name if x.branch else "",
        ),
        "success",
    )
    return redirect(_page_url(expert.id, "exceptions"))


# --- removing -------------------------------------------------------------------------------


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation is the button itself."""


@bp.route("/reguly/<id:rule_id>/usun", methods=["GET", "POST"])
def remove_rule(rule_id: int) -> ResponseReturnValue:
    try:
        rule = av.get_rule(db.session, current_actor(), rule_id)
    except DomainError as error:
        _fail(error)
        raise
    if av.rule_has_ended(rule, now=utcnow()):
        abort(404)
    today = _today()
    expert_id = rule.expert_id
    back = _page_url(expert_id, "weekly-hours")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            ended = av.end_rule(db.session, current_actor(), rule_id, now=utcnow())
        except DomainError as error:
            _fail(error)
            flash(message_for(error, own=_own(expert_id), today=today), "error")
            return redirect(back)
        flash(_("The weekly hours have been removed."), "success")
        if ended.affected:
            flash(
                ngettext(
                    "%(num)d consultation booked in these hours stays booked: move or cancel it.",
                    "%(num)d consultations booked in these hours stay booked: move or cancel them.",
                    len(ended.affected),
                ),
                "warning",
            )
        return redirect(back)
    return render_template(
        "availability/remove_rule.html",
        form=form,
        rule=rule,
        expert=rule.expert,
        own=_own(expert_id),
        affected=av.consultations_in_rule(db.session, rule, now=utcnow()),
        back=back,
        today=today,
        m=m,
        expert_name=f.expert_name,
        consultation_time=_consultation_time,
        day_url=_day_url,
    )


@bp.route("/wyjatki/<id:exception_id>/usun", methods=["GET", "POST"])
def remove_exception(exception_id: int) -> ResponseReturnValue:
    try:
        exception = av.get_exception(db.session, current_actor(), exception_id)
    except DomainError as error:
        _fail(error)
        raise
    expert_id, kind = exception.expert_id, exception.kind
    back = _page_url(expert_id, "exceptions")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            av.delete_exception(db.session, current_actor(), exception_id, now=utcnow())
        except DomainError as error:
            _fail(error)
            flash(message_for(error, own=_own(expert_id), today=_today()), "error")
            return redirect(back)
        if kind == ExceptionKind.OFF:
            flash(_("The time off has been removed."), "success")
        else:
            flash(_("The extra hours have been removed."), "success")
        return redirect(back)
    return render_template(
        "availability/remove_exception.html",
        form=form,
        x=exception,
        expert=exception.expert,
        own=_own(expert_id),
        back=back,
        m=m,
        expert_name=f.expert_name,
        ExceptionKind=ExceptionKind,
    )
