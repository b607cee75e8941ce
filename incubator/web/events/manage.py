"""Managers create events: kind, title, office or outside venue, seats, trainers, sessions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.errors import DomainError, NotFound
from ...extensions import db
from ...models import EventKind
from ...services import directory, events
from ...services.notifications import NoticeSettings
from ..common.access import current_actor
from ..common.choices import branch_choices
from ..common.errors import message_for
from ..common.fields import choice
from .forms import CallOffForm, EventForm, parse_sessions
from .labels import kind_label
from .views import bp


def _fill(form: EventForm) -> None:
    locale = str(get_locale() or "pl")
    form.kind.choices = [choice(k.value, kind_label(k.value)) for k in EventKind]
    areas = directory.domains(db.session)
    form.area.choices = [choice("", "—"), *(choice(a.code, a.name(locale)) for a in areas)]
    form.branch.choices = [choice("", _("Outside venue")), *branch_choices()]
    experts = events.trainer_candidates(db.session)
    form.trainers.choices = [choice(e.id, e.full_name) for e in experts]


@bp.route("/nowe", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    actor = current_actor()
    if not actor.is_manager:
        abort(403)
    form = EventForm()
    _fill(form)
    error = None
    if form.validate_on_submit():
        try:
            branch = form.branch.data
            new_event = events.NewEvent(
                kind=form.kind.data or "",
                title=form.title.data or "",
                capacity=form.capacity.data or 0,
                sessions=parse_sessions(form.sessions.data or ""),
                trainer_ids=tuple(form.trainers.data or ()),
                branch_id=int(branch) if branch and branch.isdigit() and len(branch) < 10 else None,
                venue=form.venue.data or "",
                topic=form.topic.data or "",
                area_code=form.area.data or None,
            )
            event = events.create(db.session, new_event, actor=actor, now=utcnow())
        except DomainError as refusal:
            error = message_for(refusal)
        else:
            flash(_("The event is created: %(title)s.", title=event.title), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/new.html", form=form, error=error), 422 if error else 200


@bp.post("/<id:event_id>/odwolanie")
def call_off(event_id: int) -> ResponseReturnValue:
    actor = current_actor()
    if not actor.is_manager:
        abort(403)
    back = url_for("events.detail", event_id=event_id)
    form = CallOffForm()
    if not form.validate_on_submit():
        flash(_("Give the reason the event is called off (people are told it)."), "error")
        return redirect(back)
    try:
        event = events.cancel_event(
            db.session, event_id, actor=actor, reason=form.reason.data or "", now=utcnow(),
            notices=NoticeSettings.from_config(current_app.config),
        )  # fmt: skip
    except NotFound:
        abort(404)
    except DomainError as refusal:
        flash(message_for(refusal), "error")
        return redirect(back)
    flash(_("Called off: %(title)s. Everyone registered is told.", title=event.title), "success")
    return redirect(back)
