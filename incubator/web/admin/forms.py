"""Managers' forms: the user list filter, a new staff account, (de)activation, merging."""

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


class LenientIntegerField(IntegerField):
    """A whole number, or None for anything else (empty, "abc"), without a message of its own:
    the form says in one sentence what it expects, and only when the field applies."""

    def process_formdata(self, valuelist) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if raw.isdigit() and len(raw) <= 6 else None


class AccountForm(FlaskForm):
    """A staff member's account as a manager fills it in; the expert-only fields count only when
    `expert_fields_apply()` (one message per field, none about fields that do not apply)."""

    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter the full name.")), Length(max=160)]
    )
    email = email_field(required_message=_l("Enter the person's e-mail address."))
    phone = phone_field()
    preferred_language = SelectField(
        _l("Language of e-mails"), choices=language_choices(), default="pl"
    )
    title = StringField(_l("Title (e.g. dr, mec.)"), validators=[Length(max=40)])
    domains = MultiCheckboxField(_l("Consultation areas"), coerce=int, choices=[])
    branches = MultiCheckboxField(_l("Offices"), coerce=int, choices=[])
    default_length_min = LenientIntegerField(_l("Usual consultation length (minutes)"), default=60)
    bio = TextAreaField(_l("Short description"), validators=[Length(max=2000)])

    EXPERT_ONLY = ("title", "domains", "branches", "default_length_min", "bio")

    def expert_fields_apply(self) -> bool:
        return True

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.expert_fields_apply():
            for name in self.EXPERT_ONLY:  # ignored: nothing is stored from them
                self[name].errors = []
        else:
            if not self.domains.data:
                self.domains.errors = [*self.domains.errors, _l("Choose at least one area.")]
            if not self.branches.data:
                self.branches.errors = [*self.branches.errors, _l("Choose at least one office.")]
            length = self.default_length_min.data
            if length is None or not 15 <= length <= 480:
                self.default_length_min.errors = [_l("Enter a length between 15 and 480 minutes.")]
        return not any(field.errors for field in self)


class NewUserForm(AccountForm):
    role = RadioField(
        _l("Role"),
        choices=[],
        default=Role.EXPERT.value,
        validators=[DataRequired(_l("Choose a role."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices((Role.EXPERT, Role.MANAGER))

    def expert_fields_apply(self) -> bool:
        return self.role.data == Role.EXPERT.value


class EditUserForm(AccountForm):
    """Someone's account; the role is not changed here, so the expert fields apply to experts."""

    def __init__(self, *args, is_expert: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_expert = is_expert

    def expert_fields_apply(self) -> bool:
        return self.is_expert


class SetActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"])])
    next = HiddenField()


class MergeChooseForm(FlaskForm):
    """GET form: the two records to merge (it changes nothing until confirmed)."""

    class Meta:
        csrf = False

    keep = IntegerField(
        _l("Number of the record to keep"),
        validators=[
            DataRequired(_l("Enter the number of the record to keep.")),
            NumberRange(min=1, max=2**31 - 1, message=_l("Enter a record number.")),
        ],
    )
    drop = IntegerField(
        _l("Number of the record to merge into it"),
        validators=[
            DataRequired(_l("Enter the number of the record to merge.")),
            NumberRange(min=1, max=2**31 - 1, message=_l("Enter a record number.")),
        ],
    )


class MergeConfirmForm(FlaskForm):
    keep = HiddenField()
    drop = HiddenField()
