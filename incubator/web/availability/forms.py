"""Forms of the consultation-hours page: weekly hours, a day off, extra hours.

They check shape only (present, a well-formed time or date, a number); whether the values make
sense together (end after start, a branch the expert serves, no overlap) is the service's
(`services.availability`), whose refusals come back as errors on these fields.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from ...domain import bounds
from ...domain.availability_rules import BUFFER_MAX, LENGTH_MAX, LENGTH_MIN, REASON_MAX


class LocalTimeField(TimeField):
    """``<input type="time">``; also accepts 9:30 and 9.30 (typed into a plain text box)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw = " ".join(valuelist).strip().replace(".", ":")
        if not raw:
            self.data = None
            return
        for fmt in ("%H:%M", "%H:%M:%S"):
            try:
                self.data = datetime.strptime(raw, fmt).time().replace(second=0)
                return
            except ValueError:
                continue
        self.data = None
        raise ValueError(_l("Enter a time as HH:MM, for example 09:30."))


class LocalDateField(DateField):
    """``<input type="date">`` (YYYY-MM-DD); also accepts 1.12.2026 typed by hand."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        raw = " ".join(valuelist).strip()
        if not raw:
            self.data = None
            return
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                self.data = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if bounds.is_accepted_date(self.data):
                return
        self.data = None
        raise ValueError(_l("Enter a date as YYYY-MM-DD, for example 2026-12-01."))


class MinutesField(IntegerField):
    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number of minutes.")) from None


def _length_field() -> MinutesField:
    return MinutesField(
        _l("Length (minutes)"),
        validators=[InputRequired(_l("Enter the length of a consultation in minutes."))],
        render_kw={"min": LENGTH_MIN, "max": LENGTH_MAX, "step": 5, "inputmode": "numeric"},
    )


def _buffer_field() -> MinutesField:
    return MinutesField(
        _l("Break (minutes)"),
        default=0,
        validators=[Optional()],
        render_kw={"min": 0, "max": BUFFER_MAX, "step": 5, "inputmode": "numeric"},
    )


class RuleForm(FlaskForm):
    """Every <weekday> from <start> to <end> at <branch>."""

    branch = SelectField(_l("Office"), coerce=int, choices=[], validate_choice=False)
    weekday = SelectField(_l("Day of the week"), coerce=int, choices=[], validate_choice=False)
    start = LocalTimeField(_l("From"), validators=[InputRequired(_l("Enter the start time."))])
    end = LocalTimeField(_l("To"), validators=[InputRequired(_l("Enter the end time."))])
    length = _length_field()
    buffer = _buffer_field()
    valid_from = LocalDateField(_l("Valid from"), validators=[Optional()])
    valid_to = LocalDateField(_l("Valid until"), validators=[Optional()])


class DayOffForm(FlaskForm):
    """Leave or a sick day: whole days, or only some hours; every office or one."""

    start_date = LocalDateField(
        _l("First day"), validators=[InputRequired(_l("Enter the first day."))]
    )
    end_date = LocalDateField(_l("Last day"), validators=[Optional()])
    start_time = LocalTimeField(_l("From"), validators=[Optional()])
    end_time = LocalTimeField(_l("To"), validators=[Optional()])
    branch = SelectField(_l("Office"), coerce=int, choices=[], validate_choice=False)
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=REASON_MAX)])


class ExtraHoursForm(FlaskForm):
    """Extra consultation hours at one office on a day or a range of days."""

    branch = SelectField(_l("Office"), coerce=int, choices=[], validate_choice=False)
    start_date = LocalDateField(
        _l("First day"), validators=[InputRequired(_l("Enter the first day."))]
    )
    end_date = LocalDateField(_l("Last day"), validators=[Optional()])
    start_time = LocalTimeField(_l("From"), validators=[InputRequired(_l("Enter the start time."))])
    end_time = LocalTimeField(_l("To"), validators=[InputRequired(_l("Enter the end time."))])
    length = _length_field()
    buffer = _buffer_field()
    reason = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=REASON_MAX)])


class ChooseExpertForm(FlaskForm):
    """Managers: whose calendar to show (a GET form)."""

    class Meta:
        csrf = False

    expert = SelectField(_l("Expert"), coerce=int, choices=[], validate_choice=False)
