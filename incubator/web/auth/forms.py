"""Forms for logging in, registering, the account page and passwords.

Fields check shape only (present, length, matching confirmation); the rules themselves (password
policy, e-mail syntax, duplicates) live in `services.accounts` and come back as errors on fields.
Fields other blueprints use too are in `web.common.fields`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from ...domain import passwords
from ...domain.people import NAME_MAX_LENGTH
from ..common.fields import (
    EMAIL_MAX_LENGTH,
    email_field,
    language_choices,
    phone_field,
)

PASSWORD_MAX = passwords.MAX_LENGTH


def _name_field() -> StringField:
    return StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=NAME_MAX_LENGTH)],
    )


def _language_field() -> SelectField:
    return SelectField(_l("Preferred language"), choices=language_choices(), default="pl")


def _new_password_fields(label=None) -> tuple[PasswordField, PasswordField]:
    new = PasswordField(
        label or _l("Password"),
        validators=[InputRequired(_l("Enter a password.")), Length(max=PASSWORD_MAX)],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The passwords do not match.")),
        ],
    )
    return new, confirm


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX_LENGTH),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
    )


class RegisterForm(FlaskForm):
    full_name = _name_field()
    email = email_field()
    phone = phone_field()
    password, password_confirm = _new_password_fields()
    preferred_language = _language_field()
    consent = BooleanField(
        _l("I have read the information on the processing of my personal data (RODO)."),
        validators=[DataRequired(_l("You must confirm that you have read the information."))],
    )


class AccountForm(FlaskForm):
    full_name = _name_field()
    phone = phone_field()
    preferred_language = _language_field()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
    )
    password, password_confirm = _new_password_fields(_l("New password"))


class ResetRequestForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, password_confirm = _new_password_fields(_l("New password"))
