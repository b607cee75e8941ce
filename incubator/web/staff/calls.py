"""Staff: the list of people to phone — reminders and changes for people without e-mail,
waitlist offers, and addresses the mail server refused (services/call_list.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from ...clock import utcnow
from ...domain.errors import NotFound
from ...domain.notifications import NoticeKind
from ...extensions import db
from ...services import call_list
from ..common import display
from ..common.access import current_actor
from .views import bp

REASONS = {
    NoticeKind.REMINDER: _l("Remind of the consultation tomorrow"),
    NoticeKind.MOVED: _l("Tell them the consultation was moved"),
    NoticeKind.CANCELLED: _l("Tell them the consultation was cancelled"),
    NoticeKind.WAITLIST_OFFER: _l("Offer a free time from the waiting list"),
    NoticeKind.EVENT_SEAT: _l("Tell them a seat at the training or meeting is theirs"),
    NoticeKind.EVENT_CANCELLED: _l("Tell them the training or meeting is called off"),
    NoticeKind.EMAIL_FAILED: _l("The e-mail could not be delivered; tell them by phone"),
}


class DoneForm(FlaskForm):
    """Only the CSRF token: ticking a call off."""


@bp.get("/do-zadzwonienia")
def calls() -> ResponseReturnValue:
    user = current_actor()
    return render_template(
        "staff/calls.html",
        waiting=call_list.open_tasks(db.session, user),
        done=call_list.recently_done(db.session, user),
        reasons=REASONS,
        form=DoneForm(),
        day_label=display.day_label,
        time_range=display.time_range,
        branch_label=display.branch_label,
        expert_name=display.expert_name,
    )


@bp.post("/do-zadzwonienia/<id:task_id>/zrobione")
def call_done(task_id: int) -> ResponseReturnValue:
    if not DoneForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("staff.calls"))
    try:
        task = call_list.mark_done(db.session, task_id, actor=current_actor(), now=utcnow())
    except NotFound:
        abort(404)
    flash(_("Marked as called: %(name)s.", name=task.user.full_name), "success")
    return redirect(url_for("staff.calls"))
