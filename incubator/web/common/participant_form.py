"""The participant questionnaire form, shared by the staff page and the client's own page.

Every question is optional ("not given" is the first option); the sensitive questions offer
„odmowa podania informacji” (refused). Which questions a reader gets is the service's
`ParticipantRecord.fields`: the form drops the others, so an expert never sees the disability or
minority question. The rules (choices, dates, PESEL) are checked by `domain.participants`; the
form only shapes the input, and refusals come back as messages next to the field.
"""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from ...clock import utcnow
from ...domain import participants as rules
from ...domain.calendar import local_date
from ...domain.errors import DomainError
from ...extensions import db
from ...services import participants
from .client import client_ip
from .errors import message_for, status_for
from .fields import choice

LABELS: dict[str, Any] = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "non_binary": _l("Non-binary"),
    "refused": _l("Refused to answer"),
    "registered_unemployed": _l("Unemployed, registered at a labour office"),
    "long_term_unemployed": _l("Long-term unemployed"),
    "unregistered_unemployed": _l("Unemployed, not registered"),
    "inactive": _l("Economically inactive"),
    "employed": _l("Employed or self-employed"),
    "isced_0_2": _l("Primary or lower secondary (ISCED 0–2)"),
    "isced_3_4": _l("Upper secondary or post-secondary (ISCED 3–4)"),
    "isced_5_8": _l("Higher education (ISCED 5–8)"),
    "yes": _l("Yes"),
    "no": _l("No"),
    "rural": _l("Rural area"),
    "urban": _l("Urban area"),
}

MISSING_LABELS: dict[str, Any] = {
    "gender": _l("gender"),
    "age": _l("age"),
    "labour_status": _l("labour-market status"),
    "education": _l("education"),
}


def _select(label: Any) -> SelectField:
    return SelectField(label, choices=[], validate_choice=False, default="")


class ParticipantForm(FlaskForm):
    gender = _select(_l("Gender"))
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    birth_year = StringField(
        _l("Year of birth (if the date is not given)"), validators=[Length(max=4)]
    )
    labour_status = _select(_l("Labour-market status"))
    education = _select(_l("Education"))
    residence = _select(_l("Place of residence"))
    disability = _select(_l("Person with a disability"))
    minority = _select(_l("Member of a national or ethnic minority"))
    third_country = _select(_l("Third-country national"))
    foreign_background = _select(_l("Person of foreign background"))
    homeless = _select(_l("Homeless or excluded from housing"))
    pesel = StringField(_l("PESEL"), validators=[Length(max=11)])


def make_form(record, *, prefill: bool) -> ParticipantForm:
    """The form for what this reader may see; `prefill` fills it from the record (a GET)."""
    form = ParticipantForm()
    for name in rules.FIELDS:
        if name not in record.fields:
            del form[name]
            continue
        field = form[name]
        if name in rules.CHOICES:
            field.choices = [choice("", _l("— not given —"))] + [
                choice(value, LABELS[value]) for value in rules.CHOICES[name]
            ]
        if prefill:
            value = record.value(name)
            field.data = "" if value is None and name != "birth_date" else value
    return form


def raw_answers(form: ParticipantForm) -> dict[str, Any]:
    """The submitted answers, by question name (only the questions on the form)."""
    return {name: form[name].data for name in rules.FIELDS if name in form}


def show_refusal(form: ParticipantForm, error: DomainError) -> bool:
    """Put a refusal next to its field; False when the form has no such field."""
    name = error.field
    if name and name in form:
        form[name].errors = [*list(form[name].errors), message_for(error)]
        return True
    return False


def missing_text(missing: list[str]) -> str:
    return ", ".join(str(MISSING_LABELS[name]) for name in missing)


def submit(form: ParticipantForm, *, actor: Any, person_id: int) -> tuple[int, bool | None]:
    """Save the posted answers of ``person_id``'s record, as the staff page and the client's own
    page both do. Returns the status to answer with and whether anything changed (None when
    nothing was saved: a GET, a form error, or a refusal, whose message the form now carries)."""
    if not form.validate_on_submit():
        return (422 if request.method == "POST" else 200), None
    try:
        changed = participants.update(
            db.session,
            actor=actor,
            person_id=person_id,
            raw=raw_answers(form),
            today=local_date(utcnow()),
            now=utcnow(),
            ip=client_ip(),
        )
    except DomainError as error:
        if not show_refusal(form, error):
            flash(message_for(error), "error")
        return status_for(error), None
    return 200, changed
