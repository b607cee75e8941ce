"""Clients book for themselves, see their consultations, cancel and move them.

The booking flow (domain → office → expert → day → time → confirm) lives in
`web/common/booking_steps.py`, moving in `web/common/move_steps.py`; both are shared with the staff
pages, and staff who open these pages are sent to their own.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.errors import DomainError, NotFound
from ...extensions import db
from ...models import Consultation
from ...services import booking
from ...services.consultations import get_visible, list_consultations
from ..common import booking_flow as f
from ..common import booking_steps as steps
from ..common import display
from ..common import move_steps as moving
from ..common.access import current_actor
from ..common.errors import message_for
from .forms import CancelForm

bp = Blueprint("booking", __name__)


@bp.before_request
@login_required
def clients_only() -> Response | None:
    """Log in first; staff book through /personel, where they choose the client."""
    if not current_user.is_staff:
        return None
    if request.endpoint == "booking.done" and request.view_args:
        return redirect(url_for("staff.printout", **request.view_args))
    if request.endpoint in ("booking.reschedule", "booking.reschedule_confirm"):
        return redirect(url_for("staff.reschedule", **(request.view_args or {})))
    if request.endpoint == "booking.confirmation_pdf" and request.view_args:
        return redirect(url_for("staff.confirmation", **request.view_args))
    if request.endpoint == "booking.mine":
        return redirect(url_for("staff.day"))
    if request.endpoint == "booking.waitlist_page":
        return redirect(url_for("staff.waitlist_page"))
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
                notices=f.notices(),
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


def _move_flow() -> moving.MoveFlow:
    return moving.MoveFlow("booking", current_actor())


@bp.get("/moje-konsultacje/<id:consultation_id>/zmiana-terminu")
def reschedule(consultation_id: int) -> ResponseReturnValue:
    """Pick a new day, then a new time: same area and office, any expert."""
    return moving.choose(_move_flow(), consultation_id)


@bp.route(
    "/moje-konsultacje/<id:consultation_id>/zmiana-terminu/potwierdzenie",
    methods=["GET", "POST"],
)
def reschedule_confirm(consultation_id: int) -> ResponseReturnValue:
    return moving.confirm(_move_flow(), consultation_id)
