"""Ticking who came to a session (trainers of the event, managers), and for an information
meeting the head count of people who came without registering."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.bounds import parse_id
from ...domain.errors import DomainError, NotAllowed, NotFound
from ...extensions import db
from ...models import EventKind, EventSession, RegistrationStatus
from ...services import event_attendance
from ..common.access import current_actor
from ..common.errors import message_for
from .forms import HeadCountForm
from .views import bp, helpers


def _session(event_id: int, session_id: int) -> EventSession:
    try:
        return event_attendance.session_to_record(
            db.session, event_id, session_id, actor=current_actor()
        )
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)


@bp.route("/<id:event_id>/sesje/<id:session_id>/obecnosc", methods=["GET", "POST"])
def attendance(event_id: int, session_id: int) -> ResponseReturnValue:
    """One rule for both methods: a malformed id then answers 404 to either (not 405)."""
    if request.method == "POST":
        return _save(event_id, session_id)
    found = _session(event_id, session_id)
    people = sorted(
        (r for r in found.event.registrations if r.status == RegistrationStatus.REGISTERED),
        key=lambda r: r.user.full_name,
    )
    marks = {a.user_id: a.attended for a in found.attendance}
    form = HeadCountForm(data={"anonymous_count": found.anonymous_count})
    return render_template(
        "events/attendance.html",
        s=found,
        event=found.event,
        people=people,
        marks=marks,
        form=form,
        is_meeting=found.event.kind == EventKind.INFORMATION_MEETING,
        started=found.start_dt <= utcnow(),
        **helpers(),
    )


def _save(event_id: int, session_id: int) -> ResponseReturnValue:
    found = _session(event_id, session_id)
    back = url_for("events.attendance", event_id=event_id, session_id=session_id)
    form = HeadCountForm()
    if not form.validate_on_submit():
        flash(_("Some of the values are not valid. Please check the form."), "error")
        return redirect(back)
    people = [parse_id(v) for v in request.form.getlist("person")]
    came = {parse_id(v) for v in request.form.getlist("came")}
    marks = {p: p in came for p in people if p is not None}
    actor, now = current_actor(), utcnow()
    try:
        event_attendance.record(db.session, found.id, marks, actor=actor, now=now)
        if found.event.kind == EventKind.INFORMATION_MEETING:
            count = form.anonymous_count.data or 0
            event_attendance.set_head_count(db.session, found.id, count, actor=actor, now=now)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(back)
    flash(_("Attendance saved: %(num)d came.", num=sum(marks.values())), "success")
    return redirect(back)
