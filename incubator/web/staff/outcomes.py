"""Staff: recording what happened at a consultation, and the list of those still to record.

The expert marks every attendee "came" or "did not come" (no default: never automatic), the
actual length, a topic category and private notes; a manager may correct a recorded outcome.
The rules are `incubator.domain.outcomes`; the write is `services.outcomes.record_outcome`.
Another expert's consultation is "not found", as everywhere on the staff pages.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from ...clock import utcnow
from ...domain.errors import DomainError, NotFound
from ...domain.outcomes import MAX_DURATION, NOTES_MAX_LENGTH, check_may_record
from ...extensions import db
from ...models import Consultation
from ...services import outcomes
from ...services.consultations import get_visible, record_notes_viewed
from ..common import display
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from ..common.fields import choice
from .views import bp

TO_RECORD_LIMIT = 200  # the list shows at most this many (the count says how many in all)
CAME, DID_NOT_COME = "yes", "no"


class OutcomeForm(FlaskForm):
    """The fixed fields; the per-attendee radios are read from ``attended-<user id>``."""

    duration_min = StringField(_l("Actual length (minutes)"))
    topic_category = SelectField(_l("Topic category"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("Private notes"))


def _consultation(consultation_id: int) -> Consultation:
    try:
        return get_visible(db.session, consultation_id, current_actor())
    except NotFound:
        abort(404)


def _booked_minutes(c: Consultation) -> int:
    return int((c.end_dt - c.start_dt).total_seconds() // 60)


def _marks(c: Consultation) -> tuple[list[tuple[int, bool]], dict[int, str]]:
    """The radios as sent: (user id, came) for each answered one, and the raw answers."""
    raw = {a.user_id: request.form.get(f"attended-{a.user_id}", "") for a in c.attendees}
    marks = [(uid, value == CAME) for uid, value in raw.items() if value in (CAME, DID_NOT_COME)]
    return marks, raw


def _current(c: Consultation) -> dict[int, str]:
    """The recorded answers, for a correction (nothing preselected before the first record)."""
    return {
        a.user_id: "" if a.attended is None else (CAME if a.attended else DID_NOT_COME)
        for a in c.attendees
    }


def _parse_minutes(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _form(c: Consultation) -> OutcomeForm:
    form = OutcomeForm()
    categories = outcomes.topic_categories(db.session, include=c.topic_category_id)
    locale = str(get_locale())
    form.topic_category.choices = [choice("", _("Choose…"))] + [
        choice(cat.code, cat.name(locale)) for cat in categories
    ]
    if request.method == "GET":
        form.duration_min.data = str(c.duration_min or _booked_minutes(c))
        form.topic_category.data = c.topic_category.code if c.topic_category else ""
        form.notes.data = c.notes or ""
    return form


def _render(c: Consultation, form: OutcomeForm, answers: dict[int, str], error: str = ""):
    return render_template(
        "staff/outcome.html",
        c=c,
        form=form,
        answers=answers,
        error=error,
        came=CAME,
        did_not_come=DID_NOT_COME,
        max_duration=MAX_DURATION,
        notes_max=NOTES_MAX_LENGTH,
        when=f"{display.full_date(c.start_dt)}, {display.time_range(c.start_dt, c.end_dt)}",
        expert_name=display.expert_name(c.expert),
        status_label=display.status_label,
    )


def _refuse_early(c: Consultation, now: datetime) -> ResponseReturnValue | None:
    try:
        check_may_record(current_actor(), c, now)
    except DomainError as refusal:
        flash(message_for(refusal), "error")
        return redirect(url_for("staff.to_record"))
    return None


@bp.route("/konsultacje/<id:consultation_id>/przebieg", methods=["GET", "POST"])
def outcome(consultation_id: int) -> ResponseReturnValue:
    c = _consultation(consultation_id)
    now = utcnow()
    refused = _refuse_early(c, now)
    if refused is not None:
        return refused
    form = _form(c)
    if request.method == "GET":
        answers = _current(c)
        # The stored notes are in the form now: reading them is audited (not their text).
        record_notes_viewed(db.session, current_actor(), [c], now=now, via="page", ip=client_ip())
        return _render(c, form, answers)
    if not form.validate():  # only the CSRF token can fail here
        return _render(c, form, _marks(c)[1], _("The form has expired. Please try again.")), 400
    marks, answers = _marks(c)
    try:
        outcomes.record_outcome(
            db.session,
            current_actor(),
            c.id,
            marks,
            _parse_minutes(form.duration_min.data),
            form.topic_category.data or None,
            form.notes.data or "",
            now,
            ip=client_ip(),
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        message = message_for(error)
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:  # shown at the field too (duration, category, notes)
            field.errors = [message]
        c = _consultation(consultation_id)
        return _render(c, form, answers, message), status_for(error)
    flash(_("The outcome has been saved."), "success")
    return redirect(url_for("staff.to_record"))


@bp.get("/do-uzupelnienia")
def to_record() -> ResponseReturnValue:
    user = current_actor()
    now = utcnow()
    waiting = outcomes.awaiting_outcome(db.session, user, now, limit=TO_RECORD_LIMIT)
    total = (
        len(waiting)
        if len(waiting) < TO_RECORD_LIMIT
        else outcomes.count_awaiting_outcome(db.session, user, now)
    )
    return render_template(
        "staff/to_record.html",
        waiting=waiting,
        total=total,
        day_label=display.day_label,
        time_range=display.time_range,
        branch_label=display.branch_label,
        expert_name=display.expert_name,
    )
