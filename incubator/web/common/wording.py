"""Words shared by pages and messages: weekday phrases, times, dates and validity periods.

`own` says whether the person reading is the expert themselves ("your hours") or a manager looking
after someone else's calendar ("the expert's hours").
"""

from __future__ import annotations

from datetime import date, time

from babel.dates import get_day_names
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...services.availability import OtherHours
from . import display

# "we wtorek", "w środę": Polish needs the whole phrase, not the bare day name.
WEEKDAY_ON = (
    _l("on Monday"),
    _l("on Tuesday"),
    _l("on Wednesday"),
    _l("on Thursday"),
    _l("on Friday"),
    _l("on Saturday"),
    _l("on Sunday"),
)


def weekday_name(weekday: int) -> str:
    """ "Poniedziałek" / "Monday", from the CLDR data of the page's language."""
    name = get_day_names("wide", locale=get_locale())[weekday]
    return name[:1].upper() + name[1:]


def hhmm(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def time_range(start: time | None, end: time | None) -> str:
    return f"{hhmm(start)}–{hhmm(end)}"


def long_date(value: date) -> str:
    return display.long_date(value)


def date_range(first: date, last: date) -> str:
    if first == last:
        return display.full_date(first)
    return f"{long_date(first)} – {long_date(last)}"


def validity(valid_from: date | None, valid_to: date | None, today: date) -> str:
    """When weekly hours apply; a start that has passed is not worth showing."""
    starts = valid_from if valid_from is not None and valid_from > today else None
    if starts is None and valid_to is None:
        return _("until further notice")
    if starts is None:
        return _("until %(date)s", date=long_date(valid_to))
    if valid_to is None:
        return _("from %(date)s", date=long_date(starts))
    return f"{long_date(starts)} – {long_date(valid_to)}"


def overlap_message(other: OtherHours, *, own: bool, today: date) -> str:
    day = str(WEEKDAY_ON[other.weekday])
    if other.on_date is not None:
        day = f"{day} {display.day_month(other.on_date)}"
    params = {
        "day": day,
        "start": hhmm(other.start),
        "end": hhmm(other.end),
        "branch": other.branch_name,
    }
    if own:
        message = _(
            "This time overlaps your hours %(day)s %(start)s–%(end)s at %(branch)s — "
            "you cannot be in two places at once.",
            **params,
        )
    else:
        message = _(
            "This time overlaps the expert's hours %(day)s %(start)s–%(end)s at %(branch)s — "
            "nobody can be in two places at once.",
            **params,
        )
    if other.on_date is None and (
        other.valid_to is not None or (other.valid_from is not None and other.valid_from > today)
    ):
        period = validity(other.valid_from, other.valid_to, today)
        applies = _("Those hours apply: %(period)s.", period=period)
        message = f"{message} {applies}"
    return message


def unused_time_warning(unused_min: int, per_day: int) -> str:
    return ngettext(
        "Note: these hours hold %(num)d consultation a day; the last %(unused)d min of the "
        "hours stay unused.",
        "Note: these hours hold %(num)d consultations a day; the last %(unused)d min of the "
        "hours stay unused.",
        per_day,
        unused=unused_min,
    )
