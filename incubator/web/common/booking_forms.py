"""Form pieces the booking pages of clients and staff share: the last step's confirmation.

They check shape only; every booking rule is the service's (`services.booking`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

TOPIC_MAX = 300
REASON_MAX = 300


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; the template wraps it in a fieldset with a legend."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ConfirmForm(FlaskForm):
    """The last step: the chosen slot travels in hidden fields, the client adds a topic."""

    domain = HiddenField(validators=[DataRequired()])
    branch = HiddenField(validators=[DataRequired()])
    expert = HiddenField(validators=[DataRequired()])
    start = HiddenField(validators=[DataRequired()])
    topic = TextAreaField(
        _l("What would you like to talk about? (optional)"),
        validators=[Optional(), Length(max=TOPIC_MAX)],
    )
    attendees = MultiCheckboxField(
        _l("Who else from your founding group will come?"), coerce=int, choices=[]
    )


class MoveForm(FlaskForm):
    """Confirm moving a consultation to the chosen slot."""

    expert = HiddenField(validators=[DataRequired()])
    start = HiddenField(validators=[DataRequired()])
