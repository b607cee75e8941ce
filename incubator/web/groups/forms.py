"""The founding-group forms: a new group, a member, a stage move, the registration, the legal
form. Choices are filled by the views; the rules are checked by the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

DATE_REQUIRED = _l("Enter a date.")


class GroupForm(FlaskForm):
    name = StringField(
        _l("Group name"),
        validators=[DataRequired(message=_l("Enter the group's name.")), Length(max=200)],
    )
    legal_form = SelectField(_l("Target legal form"), choices=[])
    branch_id = SelectField(_l("Office"), choices=[], coerce=int)
    guardian_id = SelectField(_l("Guardian"), choices=[], coerce=int)
    formed_on = DateField(_l("Formed on"), validators=[DataRequired(message=DATE_REQUIRED)])


class MemberForm(FlaskForm):
    """The selects are checked by `services.groups.add_member` (its message is specific)."""

    kind = SelectField(_l("Kind of member"), choices=[], validate_choice=False)
    user_id = SelectField(_l("Client account"), choices=[], validate_choice=False)
    full_name = StringField(_l("Full name (without an account)"), validators=[Length(max=160)])
    at_risk = SelectField(_l("At-risk category"), choices=[], validate_choice=False)
    name = StringField(_l("Legal person's name"), validators=[Length(max=200)])
    legal_type = SelectField(_l("Type of legal person"), choices=[], validate_choice=False)
    krs = StringField(_l("KRS number"), validators=[Length(max=20)])
    nip = StringField(_l("NIP"), validators=[Length(max=20)])
    founder = BooleanField(_l("Founder"), default=True)
    joined = DateField(_l("Joined on"), validators=[Optional()])


class MoveForm(FlaskForm):
    target = SelectField(_l("New stage"), choices=[])
    on = DateField(_l("Date it happened"), validators=[DataRequired(message=DATE_REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Length(max=500)])
    override_reason = TextAreaField(
        _l("Justification for moving on despite unmet requirements"),
        validators=[Length(max=1000)],
    )


class RegisterForm(FlaskForm):
    register = SelectField(_l("Register (KRS or ewidencja)"), choices=[])
    number = StringField(_l("Number in the register"), validators=[Length(max=40)])
    nip = StringField(_l("NIP"), validators=[Length(max=20)])
    regon = StringField(_l("REGON"), validators=[Length(max=20)])
    on = DateField(_l("Registered on"), validators=[DataRequired(message=DATE_REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Length(max=500)])
    override_reason = TextAreaField(
        _l("Justification for moving on despite unmet requirements"),
        validators=[Length(max=1000)],
    )


class LegalFormForm(FlaskForm):
    legal_form = SelectField(_l("New target legal form"), choices=[])
    on = DateField(_l("Changed on"), validators=[DataRequired(message=DATE_REQUIRED)])
    note = TextAreaField(_l("Note"), validators=[Length(max=500)])


class PublishForm(FlaskForm):
    """The registry's publication switch: ``1`` publishes, ``0`` takes it down."""

    publish = HiddenField()
