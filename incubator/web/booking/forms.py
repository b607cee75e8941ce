"""Forms of the clients' booking pages: cancel, confirm a new time.

They check shape only; every booking rule is the service's (`services.booking`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..common.booking_forms import REASON_MAX


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=REASON_MAX)])


class MoveForm(FlaskForm):
    """Confirm moving a consultation to the chosen slot."""

    expert = HiddenField(validators=[DataRequired()])
    start = HiddenField(validators=[DataRequired()])
