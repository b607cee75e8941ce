"""Staff forms: find or enter a client, the day view filter, cancelling with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SearchField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..common.booking_forms import REASON_MAX
from ..common.fields import valid_email


class ClientSearchForm(FlaskForm):
    """GET form: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Name, phone or e-mail"),
        validators=[Optional(), Length(max=100)],
    )


class NewClientForm(FlaskForm):
    """A client entered during a phone call: a name and a phone are enough."""

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the client's full name.")), Length(max=160)],
    )
    phone = TelField(
        _l("Phone"),
        validators=[
            DataRequired(_l("Enter the client's phone number.")),
            Length(max=40),
            Regexp(
                r"^\+?[0-9 ()\-]{6,}$",
                message=_l("Enter a phone number using digits, spaces and an optional +."),
            ),
        ],
    )
    email = EmailField(
        _l("E-mail address (optional)"), validators=[Optional(), Length(max=254), valid_email]
    )
    rodo_read = BooleanField(
        _l("I have read the information on the processing of personal data (RODO) to the client."),
        validators=[
            DataRequired(_l("Read the information clause to the client and tick the box."))
        ],
    )
    create_anyway = BooleanField(_l("This is a different person: create a new client anyway."))


class DayForm(FlaskForm):
    """GET form of the day view."""

    class Meta:
        csrf = False

    branch = SelectField(_l("Office"), coerce=int, choices=[], validate_choice=False)
    date = DateField(_l("Day"), validators=[Optional()])


class StaffCancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the cancellation"),
        validators=[
            DataRequired(_l("Please give the reason for the cancellation.")),
            Length(max=REASON_MAX),
        ],
    )
