"""The two tables that turn a refusal's stable code into an HTTP status and a sentence.

Every `DomainError` code has an entry in both (`tests/unit/test_error_tables.py` checks it), so a
page, the API and a flash message say the same thing for the same refusal. A message entry is a
lazy string, or a function of the error's parameters when the sentence depends on them. Views may
pass context the refusal cannot know, e.g. ``own=True`` when the person reading is the expert
whose hours are concerned, and ``today`` for dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...domain import passwords
from ...domain.errors import DomainError
from .event_errors import EVENT_MESSAGES, EVENT_STATUS
from .person_errors import PERSON_MESSAGES, PERSON_STATUS
from .record_errors import RECORD_MESSAGES, RECORD_STATUS, Message, Params
from .waitlist_errors import WAITLIST_MESSAGES, WAITLIST_STATUS

STATUS: dict[str, int] = {
    **RECORD_STATUS,
    **WAITLIST_STATUS,
    **EVENT_STATUS,
    **PERSON_STATUS,
    # shared by every area
    "error": 422,
    "invalid_input": 422,
    "not_found": 404,
    "forbidden": 403,
    "in_the_past": 422,
    "unknown_branch": 422,
    "unknown_expert": 422,
    "busy": 503,
    "database_unavailable": 503,
    # booking
    "booking_error": 422,
    "unknown_domain": 422,
    "unknown_client": 422,
    "too_short_notice": 422,
    "beyond_horizon": 422,
    "closed_day": 422,
    "not_a_slot": 422,
    "slot_taken": 409,
    "too_many_bookings": 409,
    "overlapping_booking": 409,
    "invalid_attendee": 422,
    "not_cancellable": 409,
    "too_late_to_cancel": 409,
    # consultation hours
    "availability_error": 422,
    "branch_not_served": 422,
    "branch_required": 422,
    "closed_weekday": 422,
    "times_required": 422,
    "end_not_after_start": 422,
    "length_out_of_range": 422,
    "buffer_out_of_range": 422,
    "window_too_short": 422,
    "dates_out_of_order": 422,
    "range_too_long": 422,
    "no_open_day": 422,
    "overlap": 409,
    "already_off": 409,
    # accounts
    "account_error": 422,
    "invalid_email": 422,
    "duplicate_email": 409,
    "weak_password": 422,
    "consent_required": 422,
    "cannot_deactivate_self": 403,
    "wrong_password": 422,
    "auth_failed": 401,
    "invalid_credentials": 401,
    "account_inactive": 401,
    "no_password": 401,
    "token_invalid": 400,
    "token_used": 400,
    "token_expired": 400,
    # printouts
    "nothing_to_print": 404,
}


PASSWORD_PROBLEM_MESSAGES = {
    passwords.TOO_SHORT: _l("The password is too short."),
    passwords.TOO_LONG: _l("The password is too long."),
    passwords.TOO_COMMON: _l(
        "This password is on a list of commonly used passwords. Please choose another."
    ),
    passwords.CONTAINS_EMAIL: _l("The password must not contain your e-mail address."),
    passwords.CONTAINS_NAME: _l("The password must not contain your name."),
    passwords.REPETITIVE: _l("The password uses too few different characters."),
    passwords.SEQUENTIAL: _l("The password is a simple sequence of letters or digits."),
    "same_as_current": _l("The new password must differ from the current one."),
}


def password_problem_messages(codes: Iterable[str]) -> list[str]:
    """Messages for the problem codes of `domain.passwords` (unknown codes get a generic one)."""
    generic = _l("Please choose a stronger password.")
    return [str(PASSWORD_PROBLEM_MESSAGES.get(code, generic)) for code in codes]


# --- messages whose wording depends on the parameters ---------------------------------------


# Reasons whose sentence needs no parameter (the field is clear from where it is shown).
_PLAIN_REASONS = {
    "reason_required": _l("Please give the reason for the cancellation."),
    "in_future": _l("The date cannot be in the future."),
    "abandon_reason": _l("Give the reason the group stops its work."),
    "code_format": _l("Use only lower-case letters, digits and hyphens (at most 40 characters)."),
    "not_in_list": _l("Choose one of the options in the list."),
    "none_chosen": _l("Choose at least one."),
    "registered": _l("The entity is registered: its legal form can no longer change."),
    "legal_person_in_association": _l(
        "An association's members are natural persons; a legal person may only support it."
    ),
    "already_member": _l("This person is already a member of the group."),
    "range_over": _l("These days are over already: choose days from today on."),
    "session_length": _l("A session must end after it starts and last at most 12 hours."),
    "session_in_past": _l("Sessions must be in the future."),
    "sessions_overlap": _l("Two sessions overlap: each must end before the next starts."),
    "place_required": _l("Choose an office or give the address of the venue."),
    "beyond_waitlist_horizon": _l(
        "Bookings do not go that far ahead yet: choose a start within the booking horizon."
    ),
}


_EVENT_REASONS = {
    "too_many": lambda p: _(
        "An event may have at most %(num)d sessions.", num=int(p.get("max", 60))
    ),
    "session_line": lambda p: _(
        "Line %(line)d of the sessions is not a date and time such as 2027-01-11 09:00-13:00.",
        line=int(p.get("line", 1)),
    ),
}


def _invalid_input(p: Params) -> str:
    """Say which input is wrong and how (for the API, the field is the parameter's name)."""
    field, reason = p.get("field") or "", p.get("reason", "")
    if reason in _PLAIN_REASONS:
        return str(_PLAIN_REASONS[reason])
    if not field:
        return _("Some of the values are not valid. Please check the form.")
    if field == "body":
        if reason == "malformed_json":
            return _("The request body is not valid JSON.")
        return _("The request body must be a JSON object.")
    if reason == "missing":
        return _("“%(field)s” is required.", field=field)
    if reason in ("not_an_id", "not_a_list_of_ids"):
        return _(
            "“%(field)s” must be a number (or a list of numbers) identifying a record.", field=field
        )
    if reason == "no_offset":
        return _(
            "“%(field)s” must include the UTC offset, e.g. 2026-03-30T09:00:00+02:00.",
            field=field,
        )
    if reason in _EVENT_REASONS:
        return _EVENT_REASONS[reason](p)
    if reason == "before_from":
        return _("The end date “%(field)s” is before the start date.", field=field)
    if reason == "range_too_long":
        return ngettext(
            "The date range may be at most %(num)d day long.",
            "The date range may be at most %(num)d days long.",
            int(p.get("max_days", 62)),
        )
    if reason == "too_long":
        return _("“%(field)s” is too long.", field=field)
    if reason == "not_a_flag":
        return _("“%(field)s” must be 1 or 0 (yes or no).", field=field)
    if reason == "too_short":
        return _(
            "“%(field)s” is too short: write at least %(min)d characters.",
            field=field,
            min=int(p.get("min", 1)),
        )
    if reason == "period_too_long":
        return ngettext(
            "A report may cover at most %(num)d year.",
            "A report may cover at most %(num)d years.",
            int(p.get("years", 30)),
        )
    if reason in ("malformed", "out_of_range") and field in ("from", "to", "date"):
        return _("“%(field)s” must be a date in the form YYYY-MM-DD.", field=field)
    if reason in ("malformed", "out_of_range"):
        return _(
            "“%(field)s” must be a date and time in ISO 8601 form, e.g. 2026-03-30T09:00:00+02:00.",
            field=field,
        )
    return _("“%(field)s” has an invalid value.", field=field)


def _not_found(p: Params) -> str:
    if "consultation_id" in p:
        return _("Consultation not found.")
    return _("This entry no longer exists. It may have been removed already.")


def _forbidden(p: Params) -> str:
    reason = p.get("reason")
    if reason == "not_guardian":
        return _("Only the group's guardian and the managers can change the group.")
    if reason == "override":
        return _("Only a manager may let a group go on with a founding requirement unmet.")
    if reason == "client_for_other":
        return _("You can only book consultations for yourself.")
    if reason == "other_experts_calendar":
        return _("Experts can only book into their own calendar.")
    if reason == "other_experts_hours":
        return _("You can only change your own consultation hours.")
    if reason == "not_advised":
        return _("Experts see the participant data only of the people they advise.")
    return _("You are not allowed to do this.")


def _in_the_past(p: Params) -> str:
    if p.get("field") == "valid_from":
        return _("The start date cannot be in the past. Leave it empty to start today.")
    if p.get("reason") == "extra_hours_start":
        return _("Extra hours cannot start in the past.")
    if p.get("field"):
        return _("These dates are already in the past.")
    return _("This time is in the past.")


def _unknown_branch(p: Params) -> str:
    if p.get("field"):  # a form's office list
        return _("Choose one of the offices from the list.")
    return _("Unknown office.")


def _unknown_expert(p: Params) -> str:
    if "domain" in p:
        return _("This expert does not give consultations in this area at this office.")
    return _("Unknown expert.")


def _unknown_client(p: Params) -> str:
    if p.get("reason") == "client_id_required":
        return _("Choose the client the consultation is for.")
    return _("Unknown client.")


def _too_short_notice(p: Params) -> str:
    return ngettext(
        "Consultations must be booked at least %(num)d hour in advance.",
        "Consultations must be booked at least %(num)d hours in advance.",
        int(p.get("hours", 24)),
    )


def _beyond_horizon(p: Params) -> str:
    return ngettext(
        "Consultations can be booked at most %(num)d day ahead.",
        "Consultations can be booked at most %(num)d days ahead.",
        int(p.get("days", 60)),
    )


def _too_many_bookings(p: Params) -> str:
    return ngettext(
        "You already have %(num)d upcoming consultation, the most allowed at once. "
        "Cancel it or wait until it has taken place.",
        "You already have %(num)d upcoming consultations, the most allowed at once. "
        "Cancel one or wait until one has taken place.",
        int(p.get("limit", 3)),
    )


def _too_late_to_cancel(p: Params) -> str:
    return ngettext(
        "On this website consultations can be cancelled or rescheduled up to %(num)d hour "
        "before they start. Later than that, please call the office.",
        "On this website consultations can be cancelled or rescheduled up to %(num)d hours "
        "before they start. Later than that, please call the office.",
        int(p.get("hours", 24)),
    )


def _branch_not_served(p: Params) -> str:
    branch = p.get("branch_name", "")
    if p.get("own"):
        return _(
            "You do not give consultations at %(branch)s. Choose one of your offices.",
            branch=branch,
        )
    return _(
        "This expert does not give consultations at %(branch)s. Choose one of their offices.",
        branch=branch,
    )


def _length_out_of_range(p: Params) -> str:
    return _(
        "A consultation must last from %(low)d to %(high)d minutes.",
        low=int(p.get("low", 5)),
        high=int(p.get("high", 480)),
    )


def _buffer_out_of_range(p: Params) -> str:
    return _("The break must be from 0 to %(high)d minutes.", high=int(p.get("high", 240)))


def _window_too_short(p: Params) -> str:
    return _(
        "These hours last only %(window)d min, so not even one %(length)d-minute "
        "consultation fits. Make the hours longer or the consultations shorter.",
        window=int(p.get("window_min", 0)),
        length=int(p.get("length_min", 0)),
    )


def _range_too_long(p: Params) -> str:
    return ngettext(
        "You can enter at most %(num)d day at once.",
        "You can enter at most %(num)d days at once.",
        int(p.get("max_days", 366)),
    )


def _overlap(p: Params) -> str:
    # The sentence names the other hours in words of the page (weekday phrases, dates).
    from .wording import overlap_message

    return overlap_message(p["other"], own=bool(p.get("own")), today=p["today"])


def _already_off(p: Params) -> str:
    from .wording import date_range

    if not p.get("first") or not p.get("last"):
        return _("This time off is already recorded: there is no need to add it again.")
    return _(
        "This time off is already recorded (%(dates)s): there is no need to add it again.",
        dates=date_range(p["first"], p["last"]),
    )


def _duplicate_email(p: Params) -> str:
    if p.get("own"):  # the person is registering themselves
        return _(
            "An account with this e-mail address already exists. Log in, or reset "
            "your password if you have forgotten it."
        )
    return _("An account with this e-mail address already exists.")


def _weak_password(p: Params) -> str:
    return " ".join(password_problem_messages(p.get("problems") or ["weak"]))


def _consent_required(p: Params) -> str:
    if p.get("reason") == "read_out":
        return _("Read the information clause to the client and tick the box.")
    return _("You must confirm that you have read the information.")


_INVALID_LINK = _l(
    "This link is not valid: it has already been used or it is incomplete. "
    "Please ask for a new one below."
)
_WRONG_LOGIN = _l("The e-mail address or password is incorrect.")


MESSAGES: dict[str, Message] = {
    **RECORD_MESSAGES,
    **WAITLIST_MESSAGES,
    **EVENT_MESSAGES,
    **PERSON_MESSAGES,
    # shared by every area
    "error": _l("The change could not be saved."),
    "invalid_input": _invalid_input,
    "not_found": _not_found,
    "forbidden": _forbidden,
    "in_the_past": _in_the_past,
    "unknown_branch": _unknown_branch,
    "unknown_expert": _unknown_expert,
    "busy": _l("The system is busy. Please try again in a moment."),
    "database_unavailable": _l(
        "The connection to the database was lost, so nothing was saved. "
        "Please try again in a moment."
    ),
    # booking
    "booking_error": _l("The booking could not be completed."),
    "unknown_domain": _l("Unknown consultation area."),
    "unknown_client": _unknown_client,
    "too_short_notice": _too_short_notice,
    "beyond_horizon": _beyond_horizon,
    "closed_day": _l("The incubator is closed on Sundays and public holidays."),
    "not_a_slot": _l("This time is not one of the expert's free consultation times."),
    "slot_taken": _l(
        "Sorry, this time has just been taken by someone else. Please choose another."
    ),
    "too_many_bookings": _too_many_bookings,
    "overlapping_booking": _l("You already have a consultation at this time."),
    "invalid_attendee": _l("Additional attendees must be members of the client's founding group."),
    "not_cancellable": _l(
        "This consultation has already been cancelled or has already taken place."
    ),
    "too_late_to_cancel": _too_late_to_cancel,
    # consultation hours
    "availability_error": _l("The change could not be saved."),
    "branch_not_served": _branch_not_served,
    "branch_required": _l("Choose the office."),
    "closed_weekday": _l(
        "The incubator is closed on Sundays. Choose a day from Monday to Saturday."
    ),
    "times_required": _l("Enter both times, or leave both empty to take whole days off."),
    "end_not_after_start": _l("The end time must be later than the start time."),
    "length_out_of_range": _length_out_of_range,
    "buffer_out_of_range": _buffer_out_of_range,
    "window_too_short": _window_too_short,
    "dates_out_of_order": _l("The end date must not be before the start date."),
    "range_too_long": _range_too_long,
    "no_open_day": _l(
        "The incubator is closed on Sundays and public holidays, so no consultation could "
        "be booked on these dates."
    ),
    "overlap": _overlap,
    "already_off": _already_off,
    # accounts
    "account_error": _l("Some of the values are not valid. Please check the form."),
    "invalid_email": _l("Enter a valid e-mail address."),
    "duplicate_email": _duplicate_email,
    "weak_password": _weak_password,
    "consent_required": _consent_required,
    "cannot_deactivate_self": _l("You cannot deactivate your own account."),
    "wrong_password": _l("The current password is incorrect."),
    "auth_failed": _WRONG_LOGIN,
    "invalid_credentials": _WRONG_LOGIN,
    "account_inactive": _l(
        "This account has been deactivated. Please contact the incubator's staff."
    ),
    "no_password": _l(
        "This account has no password yet. Use “Forgot your password?” "
        "to receive a link and set one."
    ),
    "token_invalid": _INVALID_LINK,
    "token_used": _INVALID_LINK,
    "token_expired": _l("This link has expired. Please ask for a new one below."),
    # printouts
    "nothing_to_print": _l("There are no consultations to print for this day."),
}


def status_for(error: DomainError) -> int:
    """The HTTP status a refusal is answered with."""
    return STATUS[error.code]


def message_for(error: DomainError, **context: Any) -> str:
    """The refusal as a sentence in the user's language.

    `context` is what only the page knows (``own``, ``today``); the error's own parameters win
    over it, since they describe the refusal itself.
    """
    entry = MESSAGES[error.code]
    if callable(entry):
        params: dict[str, Any] = {**context, **error.params}
        params.setdefault("field", error.field)
        return entry(params)
    return str(entry)
