"""The events a person can attend, one event's page, registering and cancelling."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from ...clock import utcnow
from ...domain.errors import DomainError, NotFound
from ...domain.events import EventFull
from ...exports.event_entries import session_entries
from ...exports.ics import build_calendar, uid_domain
from ...extensions import db
from ...models import EventKind, RegistrationStatus
from ...services import clients, event_registrations, events
from ...services.notifications import NoticeSettings
from ..common import display
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for
from .forms import ActionForm, CallOffForm, RegisterForm
from .labels import kind_label, status_label

bp = Blueprint("events", __name__)


@bp.before_request
@login_required
def require_login() -> None:
    """Every page needs an account (clients register, staff manage)."""


def helpers() -> dict:
    return {
        "kind_label": kind_label,
        "status_label": status_label,
        "day_label": display.day_label,
        "full_date": display.full_date,
        "time_range": display.time_range,
        "branch_label": display.branch_label,
        "expert_name": display.expert_name,
        "action_form": ActionForm(),
        "now": utcnow(),
    }


@bp.get("/")
def index() -> ResponseReturnValue:
    kind = request.args.get("kind", "")
    wanted = kind if kind in set(EventKind) else None
    found = events.listing(db.session, now=utcnow(), kind=wanted)
    return render_template("events/index.html", events=found, kind=wanted or "", **helpers())


@bp.get("/<id:event_id>")
def detail(event_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        event = events.get(db.session, event_id)
    except NotFound:
        abort(404)
    mine = next(
        (
            r
            for r in event.registrations
            if r.user_id == actor.id and r.status != RegistrationStatus.CANCELLED
        ),
        None,
    )
    query = (request.args.get("q") or "").strip()[:100]
    matches = []
    if actor.is_staff and query:
        matches = clients.find_clients_to_book(
            db.session, actor=actor, query=query, now=utcnow(), ip=client_ip()
        )
    return render_template(
        "events/detail.html",
        event=event,
        mine=mine,
        query=query,
        matches=matches,
        form=RegisterForm(),
        call_off_form=CallOffForm(),
        **helpers(),
    )


@bp.post("/<id:event_id>/zapis")
def register(event_id: int) -> ResponseReturnValue:
    form = RegisterForm()
    back = url_for("events.detail", event_id=event_id)
    if not form.validate_on_submit():
        flash(_("Some of the values are not valid. Please check the form."), "error")
        return redirect(back)
    actor = current_actor()
    try:
        registration = event_registrations.register(
            db.session, event_id, actor=actor, now=utcnow(),
            user_id=form.client.data if actor.is_staff else None,
            waitlist=bool(form.waitlist.data),
        )  # fmt: skip
    except NotFound:
        abort(404)
    except EventFull as error:
        flash(message_for(error), "error")
        return redirect(back + "#waitlist")
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(back)
    if registration.status == RegistrationStatus.WAITLISTED:
        flash(_("On the waiting list: a freed seat goes to the first person waiting."), "success")
    else:
        flash(_("Registered: %(name)s.", name=registration.user.full_name), "success")
    return redirect(back)


@bp.post("/<id:event_id>/zapisy/<id:registration_id>/rezygnacja")
def cancel(event_id: int, registration_id: int) -> ResponseReturnValue:
    back = url_for("events.detail", event_id=event_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(back)
    try:
        event_registrations.cancel(
            db.session, event_id, registration_id, actor=current_actor(), now=utcnow(),
            notices=NoticeSettings.from_config(current_app.config),
        )  # fmt: skip
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(back)
    flash(_("The registration is cancelled."), "success")
    return redirect(back)


@bp.get("/<id:event_id>.ics")
def ics(event_id: int) -> ResponseReturnValue:
    """Every session of the event as one calendar file, in the reader's language."""
    try:
        event = events.get(db.session, event_id)
    except NotFound:
        abort(404)
    locale = current_actor().preferred_language
    data = build_calendar(
        session_entries(event.sessions, locale=locale),
        now=utcnow(),
        domain=uid_domain(current_app.config),
    )
    response = current_app.response_class(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="wydarzenie-{event.id}.ics"'
    return response
