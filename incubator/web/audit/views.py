"""The audit trail's pages (mounted at /audyt): managers browse and filter it; nothing edits it.

The filters are read by `domain.audit_trail.parse_filters` (the API reads them the same way); a
bad one is shown next to its field with a 422, never a 500. The rows are
`services.audit_log.browse`'s: names and ids, never the data an entry is about.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from ...domain.calendar import WARSAW
from ...domain.errors import InvalidInput
from ...extensions import db
from ...services import audit_log
from ..common import display
from ..common.access import current_actor
from ..common.audit_labels import action_choices, action_label, details_text

bp = Blueprint("audit", __name__)

FILTERS = ("person_id", "actor_id", "action", "from", "to")
ROLE_LABELS = {"client": _l("Client"), "expert": _l("Expert"), "manager": _l("Manager")}


class AuditFilterForm(FlaskForm):
    """GET form: no CSRF token (it changes nothing). The values are checked by the domain."""

    class Meta:
        csrf = False

    person_id = StringField(_l("Person (id)"), render_kw={"inputmode": "numeric"})
    actor_id = StringField(_l("Done by (user id)"), render_kw={"inputmode": "numeric"})
    action = SelectField(_l("Action"), choices=[], default="", validate_choice=False)
    date_from = StringField(_l("From"), name="from", render_kw={"type": "date"})
    date_to = StringField(_l("To"), name="to", render_kw={"type": "date"})


@bp.before_request
@login_required
def require_manager() -> None:
    """Log in first, then managers only (403 for clients and experts)."""
    if not audit_log.may_browse(current_user):
        abort(403)


def _field_message(error: InvalidInput) -> str:
    reason = error.params.get("reason")
    if reason == "not_an_id":
        return _("Enter a number: the id of an account.")
    if reason in ("malformed", "out_of_range"):
        return _("Enter a date as YYYY-MM-DD.")
    if reason == "before_from":
        return _("The end date is before the start date.")
    if reason == "not_an_action":
        return _("Choose one of the actions in the list.")
    return _("This page of results does not exist.")


def _when(at: datetime) -> str:
    """Warsaw time to the second: "2 grudnia 2026, 09:00:05"."""
    return f"{display.long_date(at)}, {at.astimezone(WARSAW):%H:%M:%S}"


@bp.get("/")
def index() -> ResponseReturnValue:
    form = AuditFilterForm(request.args)
    form.action.choices = action_choices()
    args = {name: request.args.get(name, "") for name in (*FILTERS, "page")}
    try:
        _filters, result = audit_log.browse_query(db.session, current_actor(), args)
    except InvalidInput as error:
        fields = {"from": form.date_from, "to": form.date_to}
        field = fields.get(error.field or "") or getattr(form, error.field or "", None)
        message = _field_message(error)
        if field is not None:
            field.errors = [message]
        return render_template(
            "audit/index.html", form=form, result=None, page_error=message if field is None else ""
        ), 422
    return render_template(
        "audit/index.html",
        form=form,
        result=result,
        page_error="",
        filter_args={k: v for k, v in args.items() if v and k != "page"},
        when=_when,
        action_label=action_label,
        details_text=details_text,
        role_labels=ROLE_LABELS,
    )
