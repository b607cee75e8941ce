"""Words for the consultation-hours pages: weekday names, validity periods, refusals.

The service refuses with stable codes (`services.availability`); here they become sentences in the
user's language. `own` says whether the person reading is the expert themselves ("your hours") or
a manager looking after someone else's calendar ("the expert's hours").
"""

from __future__ import annotations

from datetime import date, time

from babel.dates import get_day_names
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...services.availability import AvailabilityError, OtherHours

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
    return format_date(value, "d MMMM yyyy")


def date_range(first: date, last: date) -> str:
    if first == last:
        return format_date(first, "EEEE, d MMMM yyyy")
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
        day = f"{day} {format_date(other.on_date, 'd MMMM')}"
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


def message_for(error: AvailabilityError, *, own: bool, today: date) -> str:
    """The refusal as a sentence (shown next to `error.field`, or above the form)."""
    p = error.params
    code = error.code
    field = error.field
    if code == "overlap":
        return overlap_message(error.other, own=own, today=today)  # type: ignore[attr-defined]
    if code == "unknown_branch":
        return _("Choose one of the offices from the list.")
    if code == "branch_not_served":
        if own:
            return _(
                "You do not give consultations at %(branch)s. Choose one of your offices.",
                branch=p.get("branch_name", ""),
            )
        return _(
            "This expert does not give consultations at %(branch)s. Choose one of their offices.",
            branch=p.get("branch_name", ""),
        )
    if code == "branch_required":
        return _("Choose the office.")
    if code == "closed_weekday":
        return _("The incubator is closed on Sundays. Choose a day from Monday to Saturday.")
    if code == "times_required":
        return _("Enter both times, or leave both empty to take whole days off.")
    if code == "end_not_after_start":
        return _("The end time must be later than the start time.")
    if code == "length_out_of_range":
        return _(
            "A consultation must last from %(low)d to %(high)d minutes.",
            low=int(p.get("low", 5)),
            high=int(p.get("high", 480)),
        )
    if code == "buffer_out_of_range":
        return _("The break must be from 0 to %(high)d minutes.", high=int(p.get("high", 240)))
    if code == "window_too_short":
        return _(
            "These hours last only %(window)d min, so not even one %(length)d-minute "
            "consultation fits. Make the hours longer or the consultations shorter.",
            window=int(p.get("window_min", 0)),
            length=int(p.get("length_min", 0)),
        )
    if code == "dates_out_of_order":
        return _("The end date must not be before the start date.")
    if code == "in_the_past":
        if field == "valid_from":
            return _("The start date cannot be in the past. Leave it empty to start today.")
        if p.get("reason") == "extra_hours_start":
            return _("Extra hours cannot start in the past.")
        return _("These dates are already in the past.")
    if code == "range_too_long":
        return ngettext(
            "You can enter at most %(num)d day at once.",
            "You can enter at most %(num)d days at once.",
            int(p.get("max_days", 366)),
        )
    if code == "no_open_day":
        return _(
            "The incubator is closed on Sundays and public holidays, so no consultation could "
            "be booked on these dates."
        )
    if code == "forbidden":
        return _("You can only change your own consultation hours.")
    if code == "not_found":
        return _("This entry no longer exists. It may have been removed already.")
    if code == "unknown_expert":
        return _("Unknown expert.")
    return _("The change could not be saved.")


def unused_time_warning(unused_min: int, per_day: int) -> str:
    return ngettext(
        "Note: these hours hold %(num)d consultation a day; the last %(unused)d min of the "
        "hours stay unused.",
        "Note: these hours hold %(num)d consultations a day; the last %(unused)d min of the "
        "hours stay unused.",
        per_day,
        unused=unused_min,
    )
