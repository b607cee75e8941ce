"""Form fields several blueprints' forms share: options, e-mail, phone, language.

Fields check shape only; the rules themselves (e-mail syntax, names, phones) live in
`domain.people` and `services.accounts`, and the e-mail check here calls the same function the
services use, so the form shows the error next to the field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, TelField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ...domain.accounts import InvalidEmail
from ...domain.people import PHONE_MAX_LENGTH
from ...services.accounts import normalise_email

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms < 3.3 takes plain tuples
    SelectChoice = None  # type: ignore[assignment,misc]

EMAIL_MAX_LENGTH = 254


def choice(value: str | int, label: str):
    """One option for a select or radio field (WTForms 3.3 deprecates bare tuples)."""
    if SelectChoice is None:  # pragma: no cover
        return (value, label)
    return SelectChoice(value, label)


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


def email_field(label=None, required_message=None) -> EmailField:
    """An e-mail address; `required_message` when someone types another person's address."""
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(required_message or _l("Enter your e-mail address.")),
            Length(max=EMAIL_MAX_LENGTH),
            valid_email,
        ],
    )


def phone_field() -> TelField:
    return TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=PHONE_MAX_LENGTH),
            Regexp(
                r"^\+?[0-9 ()\-]{6,}$",
                message=_l("Enter a phone number using digits, spaces and an optional +."),
            ),
        ],
    )
