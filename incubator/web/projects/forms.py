"""The project form: code, name, programme, contract, period, offices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ...domain.projects import CONTRACT_MAX, NAME_MAX
from ..common.booking_forms import MultiCheckboxField


class ProjectForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter a short code.")), Length(max=40)],
    )
    name = StringField(
        _l("Project name"),
        validators=[DataRequired(message=_l("Enter the project's name.")), Length(max=NAME_MAX)],
    )
    programme = SelectField(_l("Programme period"), choices=[])
    contract_number = StringField(
        _l("Grant agreement number"), validators=[Length(max=CONTRACT_MAX)]
    )
    start_date = DateField(_l("First day"), validators=[DataRequired(message=_l("Enter a date."))])
    end_date = DateField(_l("Last day"), validators=[DataRequired(message=_l("Enter a date."))])
    retention_until = DateField(
        _l("Keep the documentation until (optional)"), validators=[Optional()]
    )
    branches = MultiCheckboxField(_l("Offices covered"), coerce=int, choices=[])
