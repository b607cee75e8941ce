"""Forms for logging in, registering, the account page and passwords.

Fields check shape only (present, length, matching confirmation); the rules themselves (password
policy, e-mail syntax, duplicates) live in `services.accounts` and come back as errors on fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ...domain import passwords
from ...services.accounts import InvalidEmail, normalise_email

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3 takes plain tuples
    SelectChoice = None  # type: ignore[assignment,misc]


def choice(value: str | int, label: str):
    """One option for a select or radio field (WTForms 3.3 deprecates bare tuples)."""
    if SelectChoice is None:  # pragma: no cover
        return (value, label)
    return SelectChoice(value, label)


PASSWORD_MAX = passwords.MAX_LENGTH


def language_choices() -> list:
    # Each language is named in itself, so a user can find theirs whatever the page language.
    return [choice("pl", "Polski"), choice("en", "English")]


def valid_email(form: FlaskForm, field: EmailField) -> None:
    """Same syntax check as the services, so the form shows the error next to the field."""
    if not field.data:
        return
    try:
        normalise_email(field.data)
    except InvalidEmail:
        raise ValidationError(
            _l("Enter a valid e-mail address, for example jan.kowalski@example.org.")
        ) from None


def email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            valid_email,
        ],
    )


def _name_field() -> StringField:
    return StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name.")), Length(max=160)],
    )


def phone_field() -> TelField:
    return TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(
                r"^\+?[0-9 ()\-]{6,}$",
                message=_l("Enter a phone number using digits, spaces and an optional +."),
            ),
        ],
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
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
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
