"""Clients book for themselves, see their consultations, cancel and move them.

The booking flow (domain → office → expert → day → time → confirm) lives in
`web/common/booking_steps.py` and is shared with the staff pages; staff who open these pages are
sent to their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.booking_rules import BookingPolicy, SlotTaken
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotFound
from ...domain.slots import Slot
from ...extensions import db
from ...models import Consultation
from ...services import booking, directory
from ...services.consultations import get_visible, list_consultations
from ..common import booking_flow as f
from ..common import booking_steps as steps
from ..common import display
from ..common.access import current_actor
from ..common.errors import message_for, status_for
from .forms import CancelForm, MoveForm

bp = Blueprint("booking", __name__)


@bp.before_request
@login_required
def clients_only() -> Response | None:
    """Log in first; staff book through /personel, where they choose the client."""
    if not current_user.is_staff:
        return None
    if request.endpoint == "booking.done" and request.view_args:
        return redirect(url_for("staff.printout", **request.view_args))
    if request.endpoint == "booking.mine":
        return redirect(url_for("staff.day"))
    return redirect(url_for("staff.book"))


def _flow() -> f.Flow:
    return f.Flow("booking", current_actor())


# --- booking ----------------------------------------------------------------------------------


@bp.get("/rezerwacja")
def new() -> ResponseReturnValue:
    return steps.domain_step(_flow())


@bp.get("/rezerwacja/oddzial")
def branch() -> ResponseReturnValue:
    return steps.branch_step(_flow())


@bp.get("/rezerwacja/ekspert")
def expert() -> ResponseReturnValue:
    return steps.expert_step(_flow())


@bp.get("/rezerwacja/dzien")
def date() -> ResponseReturnValue:
    return steps.date_step(_flow())


@bp.get("/rezerwacja/godzina")
def time() -> ResponseReturnValue:
    return steps.time_step(_flow())


@bp.route("/rezerwacja/potwierdzenie", methods=["GET", "POST"])
def confirm() -> ResponseReturnValue:
    return steps.confirm_step(_flow(), lambda c: url_for("booking.done", consultation_id=c.id))


@bp.get("/rezerwacja/<id:consultation_id>/gotowe")
def done(consultation_id: int) -> ResponseReturnValue:
    consultation = _visible(consultation_id)
    return render_template(
        "booking/done.html", c=consultation, **_confirmation_context(consultation)
    )


def _visible(consultation_id: int) -> Consultation:
    try:
        return get_visible(db.session, consultation_id, current_actor())
    except NotFound:
        abort(404)


def _confirmation_context(c: Consultation) -> dict:
    return {
        "when_date": display.full_date(c.start_dt),
        "when_time": f.time_range(c.start_dt, c.end_dt),
        "expert_name": f.expert_name(c.expert),
        "ics_url": display.ics_url(c),
        "cancel_hours": int(f.policy().cancel_notice.total_seconds() // 3600),
        "status_label": display.status_label,
    }


# --- my consultations -----------------------------------------------------------------------


@bp.get("/moje-konsultacje")
def mine() -> ResponseReturnValue:
    user, now, policy = current_actor(), utcnow(), f.policy()
    consultations = list_consultations(db.session, user)
    upcoming = [c for c in consultations if c.start_dt > now and c.is_active]
    past = [c for c in reversed(consultations) if c.start_dt <= now and c.is_active]
    cancelled = [c for c in reversed(consultations) if c.is_cancelled]
    refusals = {c.id: f.change_refusal(c, user, now, policy) for c in upcoming}
    return render_template(
        "booking/mine.html",
        upcoming=upcoming,
        past=past,
        cancelled=cancelled,
        refusals=refusals,
        message_for=message_for,
        is_too_late=f.is_too_late,
        status_label=display.status_label,
        time_range=f.time_range,
        expert_name=f.expert_name,
        branch_label=display.branch_label,
    )


@bp.route("/moje-konsultacje/<id:consultation_id>/odwolanie", methods=["GET", "POST"])
def cancel(consultation_id: int) -> ResponseReturnValue:
    consultation = _visible(consultation_id)
    refusal = f.change_refusal(consultation, current_actor(), utcnow(), f.policy())
    if refusal is not None:
        flash(message_for(refusal), "error")
        return redirect(url_for("booking.mine"))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            booking.cancel(
                db.session,
                consultation_id,
                actor=current_actor(),
                reason=form.reason.data or "",
                now=utcnow(),
                policy=f.policy(),
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            flash(_("The consultation has been cancelled."), "success")
        return redirect(url_for("booking.mine"))
    return render_template(
        "booking/cancel.html",
        c=consultation,
        form=form,
        when=display.full_date(consultation.start_dt),
        time_range=f.time_range(consultation.start_dt, consultation.end_dt),
        expert_name=f.expert_name(consultation.expert),
    )


def _movable(consultation_id: int) -> Consultation | Response:
    consultation = _visible(consultation_id)
    refusal = f.change_refusal(consultation, current_actor(), utcnow(), f.policy())
    if refusal is not None:
        flash(message_for(refusal), "error")
        return redirect(url_for("booking.mine"))
    return consultation


def _move_steps(current: str, consultation_id: int, day: str | None) -> list[f.StepLink]:
    keys = ["date", "time", "confirm"]
    urls = {
        "date": url_for("booking.reschedule", consultation_id=consultation_id),
        "time": url_for("booking.reschedule", consultation_id=consultation_id, date=day)
        if day
        else None,
    }
    position = keys.index(current)
    return [
        f.StepLink(
            key=key,
            label=str(f.STEP_LABELS[key]),
            number=n,
            url=urls.get(key) if n - 1 < position else None,
            current=key == current,
        )
        for n, key in enumerate(keys, start=1)
    ]


@bp.get("/moje-konsultacje/<id:consultation_id>/zmiana-terminu")
def reschedule(consultation_id: int) -> ResponseReturnValue:
    """Pick a new day, then a new time: same area and office, any expert."""
    consultation = _movable(consultation_id)
    if isinstance(consultation, Response):
        return consultation
    c = consultation
    day = f.parse_day(request.args.get("date"))
    move = _Move(c, utcnow(), f.policy(), f.expert_names(db.session, c.domain, c.branch))
    return move.date_page() if day is None else move.time_page(day)


@dataclass(frozen=True)
class _Move:
    """The two pages of moving a consultation: a new day, then a new time."""

    c: Consultation
    now: datetime
    policy: BookingPolicy
    names: Mapping[int, str]

    def confirm_url(self, **args: object) -> str:
        return url_for("booking.reschedule_confirm", consultation_id=self.c.id, **args)

    def context(self) -> dict[str, object]:
        c = self.c
        return {
            "c": c,
            "current_when": f"{display.full_date(c.start_dt)}, "
            f"{f.time_range(c.start_dt, c.end_dt)}",
            "expert_name": f.expert_name,
            "branch_label": display.branch_label,
            "step_total": 3,
        }

    def date_page(self) -> str:
        c = self.c
        window = f.day_window(
            db.session,
            domain=c.domain,
            branch=c.branch,
            expert=None,
            window_from=f.parse_day(request.args.get("from")),
            now=self.now,
            policy_=self.policy,
            day_url=lambda d: url_for(
                "booking.reschedule", consultation_id=c.id, date=d.isoformat()
            ),
            window_url=lambda d: url_for(
                "booking.reschedule", consultation_id=c.id, **{"from": d.isoformat()}
            ),
            exclude_consultation_id=c.id,
        )
        picker = f.picker_config(
            domain=c.domain,
            branch=c.branch,
            expert=None,
            names=self.names,
            confirm_url=self.confirm_url(),
        )
        return render_template(
            "booking/move_date.html",
            window=window,
            picker=picker,
            steps=_move_steps("date", c.id, None),
            step_number=1,
            **self.context(),
        )

    def time_page(self, day: date_) -> ResponseReturnValue:
        c = self.c
        found = f.listing(
            db.session,
            domain=c.domain,
            branch=c.branch,
            start_date=day,
            end_date=day,
            now=self.now,
            policy_=self.policy,
            exclude_consultation_id=c.id,
        )
        slots = [s for s in found if not (s.start == c.start_dt and s.expert_id == c.expert_id)]
        if not slots:
            flash(_("There are no free times on this day any more. Please choose another day."))
            return redirect(url_for("booking.reschedule", consultation_id=c.id))
        options = f.slot_options(
            db.session,
            slots,
            branch=c.branch,
            names=self.names,
            url_for_slot=lambda s: self.confirm_url(expert=s.expert_id, start=f.start_arg(s.start)),
        )
        return render_template(
            "booking/move_time.html",
            slots=options,
            day=f.day_label(day),
            steps=_move_steps("time", c.id, day.isoformat()),
            step_number=2,
            **self.context(),
        )


@bp.route(
    "/moje-konsultacje/<id:consultation_id>/zmiana-terminu/potwierdzenie",
    methods=["GET", "POST"],
)
def reschedule_confirm(consultation_id: int) -> ResponseReturnValue:
    consultation = _movable(consultation_id)
    if isinstance(consultation, Response):
        return consultation
    c = consultation
    source = request.form if request.method == "POST" else request.args
    start = f.parse_start(source.get("start"))
    expert_id = f.parse_id(source.get("expert"))
    if start is None or expert_id is None:
        flash(_("Choose a day and a time."), "error")
        return redirect(url_for("booking.reschedule", consultation_id=c.id))
    new_expert = directory.get_expert(db.session, expert_id)
    if new_expert is None:
        abort(404)
    new_slot = _checked_move(c, start, expert_id) if request.method == "GET" else None
    if isinstance(new_slot, Response):  # refused at once, as the submit would be
        return new_slot
    form = MoveForm(data={"expert": expert_id, "start": f.start_arg(start)})
    alternatives: list[f.SlotOption] = []
    status = 200
    if form.validate_on_submit():
        previous_start = c.start_dt
        try:
            booking.reschedule(
                db.session,
                c.id,
                actor=current_actor(),
                start=start,
                expert_id=expert_id,
                now=utcnow(),
                policy=f.policy(),
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(message_for(error), "error")
            status = status_for(error)
            if isinstance(error, SlotTaken):
                alternatives = _alternatives(c, error, previous_start)
        else:
            flash(_("The consultation has been moved to the new time."), "success")
            return redirect(url_for("booking.done", consultation_id=c.id))
    return (
        render_template(
            "booking/move_confirm.html",
            c=c,
            form=form,
            new_expert=f.expert_name(new_expert),
            new_when=f"{display.full_date(start)}, {_new_time(start, new_slot)}",
            current_when=f"{display.full_date(c.start_dt)}, {f.time_range(c.start_dt, c.end_dt)}",
            expert_name=f.expert_name,
            branch_label=display.branch_label,
            alternatives=alternatives,
            steps=_move_steps("confirm", c.id, f.start_arg(start)[:10]),
            step_number=3,
            step_total=3,
        ),
        status,
    )


def _new_time(start: datetime, slot: Slot | None) -> str:
    return steps.time_with_length(slot.start, slot.end) if slot else display.hhmm(start)


def _checked_move(c: Consultation, start: datetime, expert_id: int) -> Slot | Response:
    """The new slot, or back to choosing a time with the message moving would give."""
    try:
        return booking.check_move(
            db.session,
            c.id,
            actor=current_actor(),
            start=start,
            expert_id=expert_id,
            now=utcnow(),
            policy=f.policy(),
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(_move_refusal_url(c, start, error))


def _move_refusal_url(c: Consultation, start: datetime, error: DomainError) -> str:
    """Back to the new day's times, or to the days when the day itself cannot be booked."""
    if isinstance(error, steps.DAY_REFUSALS):
        return url_for("booking.reschedule", consultation_id=c.id)
    return url_for("booking.reschedule", consultation_id=c.id, date=local_date(start).isoformat())


def _alternatives(
    c: Consultation, taken: SlotTaken, previous_start: datetime
) -> list[f.SlotOption]:
    """The next free times offered when the chosen one was taken meanwhile."""
    return f.slot_options(
        db.session,
        [s for s in taken.next_slots if s.start != previous_start],
        branch=c.branch,
        url_for_slot=lambda s: url_for(
            "booking.reschedule_confirm",
            consultation_id=c.id,
            expert=s.expert_id,
            start=f.start_arg(s.start),
        ),
    )
