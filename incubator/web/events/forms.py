"""Forms of the events pages. They check shape only; every rule is the services' and the
domain's (`services.events`, `domain.events`)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...domain.bounds import MAX_ID
from ...domain.calendar import WARSAW
from ...domain.errors import InvalidInput
from ...domain.events import MAX_CAPACITY, MAX_SESSIONS, SessionTimes

# "2027-01-11 09:00-13:00" or "11.01.2027 9:00–13:00": one session per line.
SESSION_LINE = re.compile(
    r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{4}))\s+"
    r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$"
)


class EventForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    title = StringField(
        _l("Title"), validators=[DataRequired(message=_l("Enter the title.")), Length(max=200)]
    )
    topic = StringField(_l("Topic (optional)"), validators=[Optional(), Length(max=300)])
    area = SelectField(_l("Area (optional)"), choices=[], validate_choice=False)
    branch = SelectField(_l("Office"), choices=[], validate_choice=False)
    venue = StringField(
        _l("Or an outside venue: its address"), validators=[Optional(), Length(max=300)]
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            DataRequired(message=_l("Enter the number of seats.")),
            NumberRange(min=1, max=MAX_CAPACITY),
        ],
    )
    trainers = SelectMultipleField(_l("Trainers"), choices=[], coerce=int, validate_choice=False)
    sessions = TextAreaField(
        _l("Sessions, one per line: date and time, e.g. 2027-01-11 09:00-13:00"),
        validators=[DataRequired(message=_l("Enter at least one session."))],
    )


class RegisterForm(FlaskForm):
    client = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    waitlist = BooleanField()


class CallOffForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (those registered are told it)"),
        validators=[DataRequired(), Length(max=300)],
    )


class ActionForm(FlaskForm):
    """Only the CSRF token."""


class HeadCountForm(FlaskForm):
    anonymous_count = IntegerField(
        _l("People who came without registering"),
        validators=[Optional(), NumberRange(min=0, max=10000)],
    )
    marks = HiddenField()


def parse_sessions(text: str) -> list[SessionTimes]:
    """Each non-empty line as a session in Warsaw time; a line that is not one says which."""
    found: list[SessionTimes] = []
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_SESSIONS:
        raise InvalidInput(field="sessions", reason="too_many", max=MAX_SESSIONS)
    for number, line in enumerate(lines, start=1):
        match = SESSION_LINE.match(line)
        if match is None:
            raise InvalidInput(field="sessions", reason="session_line", line=number)
        g = match.groups()
        year, month, day = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3])
        try:
            on = date(int(year), int(month), int(day))
            start = datetime.combine(on, time(int(g[6]), int(g[7])), tzinfo=WARSAW)
            end = datetime.combine(on, time(int(g[8]), int(g[9])), tzinfo=WARSAW)
        except ValueError:
            raise InvalidInput(field="sessions", reason="session_line", line=number) from None
        found.append(SessionTimes(start, end))
    return found
