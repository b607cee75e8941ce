"""Turn booking refusals (domain exceptions with stable codes) into messages in the user's
language. Used by both the pages (flash) and the JSON API (error.message)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..domain.booking_rules import BookingError


def message_for(error: BookingError) -> str:
    p = error.params
    code = error.code
    if code == "slot_taken":
        return _("Sorry, this time has just been taken by someone else. Please choose another.")
    if code == "not_a_slot":
        return _("This time is not one of the expert's free consultation times.")
    if code == "in_the_past":
        return _("This time is in the past.")
    if code == "too_short_notice":
        return ngettext(
            "Consultations must be booked at least %(num)d hour in advance.",
            "Consultations must be booked at least %(num)d hours in advance.",
            int(p.get("hours", 24)),
        )
    if code == "beyond_horizon":
        return ngettext(
            "Consultations can be booked at most %(num)d day ahead.",
            "Consultations can be booked at most %(num)d days ahead.",
            int(p.get("days", 60)),
        )
    if code == "closed_day":
        return _("The incubator is closed on Sundays and public holidays.")
    if code == "too_many_bookings":
        return ngettext(
            "You already have %(num)d upcoming consultation, the most allowed at once. "
            "Cancel it or wait until it has taken place.",
            "You already have %(num)d upcoming consultations, the most allowed at once. "
            "Cancel one or wait until one has taken place.",
            int(p.get("limit", 3)),
        )
    if code == "overlapping_booking":
        return _("You already have a consultation at this time.")
    if code == "too_late_to_cancel":
        return ngettext(
            "On this website consultations can be cancelled or rescheduled up to %(num)d hour "
            "before they start. Later than that, please call the office.",
            "On this website consultations can be cancelled or rescheduled up to %(num)d hours "
            "before they start. Later than that, please call the office.",
            int(p.get("hours", 24)),
        )
    if code == "not_cancellable":
        return _("This consultation has already been cancelled or has already taken place.")
    if code == "unknown_domain":
        return _("Unknown consultation area.")
    if code == "unknown_branch":
        return _("Unknown office.")
    if code == "unknown_expert":
        return _("This expert does not give consultations in this area at this office.")
    if code == "unknown_client":
        if p.get("reason") == "client_id_required":
            return _("Choose the client the consultation is for.")
        return _("Unknown client.")
    if code == "invalid_attendee":
        return _("Additional attendees must be members of the client's founding group.")
    if code == "not_found":
        return _("Consultation not found.")
    if code == "forbidden":
        if p.get("reason") == "client_for_other":
            return _("You can only book consultations for yourself.")
        if p.get("reason") == "other_experts_calendar":
            return _("Experts can only book into their own calendar.")
        return _("You are not allowed to do this.")
    if code == "invalid_input":
        return _invalid_input_message(p)
    if code == "busy":
        return _("The system is busy. Please try again in a moment.")
    return _("The booking could not be completed.")


def _invalid_input_message(p: dict) -> str:
    """Say which input is wrong and how (the field is the API's parameter name)."""
    field, reason = p.get("field", ""), p.get("reason", "")
    if reason == "reason_required":
        return _("Please give the reason for the cancellation.")
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
    if reason in ("malformed", "out_of_range") and field in ("from", "to"):
        return _("“%(field)s” must be a date in the form YYYY-MM-DD.", field=field)
    if reason in ("malformed", "out_of_range"):
        return _(
            "“%(field)s” must be a date and time in ISO 8601 form, e.g. 2026-03-30T09:00:00+02:00.",
            field=field,
        )
    return _("“%(field)s” has an invalid value.", field=field)
