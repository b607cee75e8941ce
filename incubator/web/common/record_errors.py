"""The refusals of recording what happened and counting it (issue #11): outcomes, reports,
funded projects and the participant record, for the tables in `errors`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

Params = Mapping[str, Any]
Message = Any | Callable[[Params], str]  # a lazy string, or a function of the parameters


def _implausible_birth_year(p: Params) -> str:
    return _(
        "The year of birth must be between %(low)d and %(high)d.",
        low=int(p.get("low", 1900)),
        high=int(p.get("high", 2100)),
    )


def _pesel_mismatch(p: Params) -> str:
    if p.get("what") == "gender":
        return _("The PESEL number does not match the gender given.")
    return _("The PESEL number does not match the date of birth given.")


def _invalid_duration(p: Params) -> str:
    return _(
        "The length must be a whole number of minutes from %(min)d to %(max)d.",
        min=int(p.get("min", 1)),
        max=int(p.get("max", 480)),
    )


def _notes_too_long(p: Params) -> str:
    return _("The notes may be at most %(num)d characters long.", num=int(p.get("max", 5000)))


# register identifiers of founding groups (issue #12, incubator.domain.identifiers)
def _invalid_krs(p: Params) -> str:
    if p.get("reason") == "not_digits":
        return _("A KRS number consists of digits only, e.g. 0000380128.")
    return _("A KRS number has 10 digits (with the leading zeros), e.g. 0000380128.")


def _invalid_nip(p: Params) -> str:
    if p.get("reason") == "not_digits":
        return _(
            "A NIP number consists of digits only; a PL prefix, spaces and dashes are allowed."
        )
    if p.get("reason") == "length":
        return _("A NIP number has 10 digits.")
    return _("This NIP number is not valid: its check digit does not match. Check the 10 digits.")


def _invalid_regon(p: Params) -> str:
    if p.get("reason") == "not_digits":
        return _("A REGON number consists of digits only.")
    if p.get("reason") == "length":
        return _("A REGON number has 9 or 14 digits.")
    return _("This REGON number is not valid: its check digit does not match. Check the digits.")


def _requirements_unmet(p: Params) -> str:
    return _(
        "The group does not meet the founding requirements yet (%(num)d unmet): see the list. "
        "A manager may go on with a written justification.",
        num=int(p.get("count", 1)),
    )


RECORD_STATUS: dict[str, int] = {
    # outcomes (issue #11)
    "outcome_error": 422,
    "not_started": 422,
    "consultation_cancelled": 422,
    "not_an_attendee": 422,
    "attendance_incomplete": 422,
    "invalid_duration": 422,
    "unknown_topic_category": 422,
    "notes_too_long": 422,
    # reports (issue #11)
    "period_order": 422,
    "unknown_project": 422,
    "outside_project": 422,
    "invalid_scheme": 503,
    "project_code_taken": 409,
    "project_period_order": 422,
    # the participant record
    "participant_error": 422,
    "invalid_answer": 422,
    "birth_date_in_future": 422,
    "implausible_birth_year": 422,
    "birth_year_mismatch": 422,
    "invalid_pesel": 422,
    "pesel_mismatch": 422,
    "merge_error": 422,
    "merge_same_person": 422,
    "merge_staff_account": 422,
    # register identifiers (issue #12)
    "invalid_krs": 422,
    "invalid_nip": 422,
    "invalid_regon": 422,
    "stage_not_on_path": 422,
    "stage_backwards": 422,
    "same_stage": 409,
    "date_before_formed": 422,
    "requirements_unmet": 422,
    "krs_taken": 409,
}


RECORD_MESSAGES: dict[str, Message] = {
    # outcomes (issue #11)
    "outcome_error": _l("The outcome could not be saved."),
    "not_started": _l("This consultation has not started yet, so its outcome cannot be recorded."),
    "consultation_cancelled": _l("This consultation was cancelled, so it has no outcome."),
    "not_an_attendee": _l("This person is not an attendee of this consultation."),
    "attendance_incomplete": _l("Mark for every attendee whether they came or not."),
    "invalid_duration": _invalid_duration,
    "unknown_topic_category": _l("Choose a topic category from the list."),
    "notes_too_long": _notes_too_long,
    # reports (issue #11)
    "period_order": _l("The first day of the period must not be after its last day."),
    "unknown_project": _l("There is no such project. Choose one from the list."),
    "outside_project": _l(
        "The chosen period or office lies outside the project. Choose dates and offices the "
        "project covers."
    ),
    "project_code_taken": _l("Another project already has this code. Choose a different one."),
    "project_period_order": _l("The project's last day must not be before its first day."),
    "invalid_scheme": _l(
        "The report categories file (breakdown_schemes.json) is wrong; the administrator has "
        "to correct it."
    ),
    # the participant record
    "participant_error": _l("Some of the answers are not valid. Please check the form."),
    "invalid_answer": _l("Choose one of the answers from the list."),
    "birth_date_in_future": _l("The date of birth cannot be in the future."),
    "implausible_birth_year": _implausible_birth_year,
    "birth_year_mismatch": _l("The year of birth does not match the date of birth."),
    "invalid_pesel": _l("This PESEL number is not valid: check the 11 digits."),
    "pesel_mismatch": _pesel_mismatch,
    "merge_error": _l("These records cannot be merged."),
    "merge_same_person": _l("Choose two different records: a record cannot be merged with itself."),
    "merge_staff_account": _l(
        "Only clients' records can be merged. Staff accounts are managed in the users list."
    ),
    # register identifiers (issue #12)
    "invalid_krs": _invalid_krs,
    "invalid_nip": _invalid_nip,
    "invalid_regon": _invalid_regon,
    # founding groups (issue #12)
    "stage_not_on_path": _l("This stage is not on the path of the group's legal form."),
    "stage_backwards": _l(
        "A group moves forward on its path; to start again, mark it abandoned and reopen it."
    ),
    "same_stage": _l("The group is already at this stage."),
    "date_before_formed": _l("The date cannot be before the day the group was formed."),
    "requirements_unmet": _requirements_unmet,
    "krs_taken": _l("Another group already has this KRS number."),
}
