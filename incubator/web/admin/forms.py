"""Managers' forms: the user list filter, a new staff account, (de)activation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange

from ...models import Role
from ..common.fields import choice, email_field, language_choices, phone_field


def role_choices(roles=tuple(Role)) -> list:
    labels = {Role.CLIENT: _l("Client"), Role.EXPERT: _l("Expert"), Role.MANAGER: _l("Manager")}
    return [choice(role.value, str(labels[role])) for role in roles]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; the template wraps it in a fieldset with a legend."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserFilterForm(FlaskForm):
    """GET form: no CSRF token (it changes nothing) and unknown values are simply ignored."""

    class Meta:
        csrf = False

    role = SelectField(_l("Role"), choices=[], default="")
    status = SelectField(
        _l("Status"),
        choices=[
            choice("", _l("All")),
            choice("active", _l("Active")),
            choice("inactive", _l("Deactivated")),
        ],
        default="",
    )
    q = SearchField(_l("Search"), validators=[Length(max=100)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [choice("", str(_l("All roles"))), *role_choices()]


class NewUserForm(FlaskForm):
    role = RadioField(
        _l("Role"),
        choices=[],
        default=Role.EXPERT.value,
        validators=[DataRequired(_l("Choose a role."))],
    )
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=160)]
    )
    email = email_field()
    phone = phone_field()
    preferred_language = SelectField(
        _l("Language of e-mails"), choices=language_choices(), default="pl"
    )
    title = StringField(_l("Title (e.g. dr, mec.)"), validators=[Length(max=40)])
    domains = MultiCheckboxField(_l("Consultation areas"), coerce=int, choices=[])
    branches = MultiCheckboxField(_l("Offices"), coerce=int, choices=[])
    default_length_min = IntegerField(
        _l("Usual consultation length (minutes)"),
        default=60,
        validators=[NumberRange(15, 480, message=_l("Enter a length between 15 and 480 minutes."))],
    )
    bio = TextAreaField(_l("Short description"), validators=[Length(max=2000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices((Role.EXPERT, Role.MANAGER))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.role.data == Role.EXPERT.value:
            if not self.domains.data:
                self.domains.errors = [*self.domains.errors, _l("Choose at least one area.")]
                ok = False
            if not self.branches.data:
                self.branches.errors = [*self.branches.errors, _l("Choose at least one office.")]
                ok = False
        return ok


class SetActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])
    next = HiddenField()
