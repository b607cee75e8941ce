"""The words of the subject access PDF: section headings, field names and the stable codes of the
document (statuses, roles, answers) in the reader's language. Called inside ``force_locale``;
a code without a label is printed as it is, so nothing held is ever hidden by a missing word."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def headings() -> dict[str, str]:
    return {
        "account": _("Account"),
        "information": _("Information about data processing"),
        "participant_record": _("Participant data"),
        "expert_profile": _("Expert profile"),
        "projects": _("Funded projects"),
        "consultations": _("Consultations"),
        "founding_groups": _("Founding groups"),
        "events": _("Trainings and information meetings"),
        "waiting_list": _("Waiting list"),
        "messages": _("Messages sent"),
        "call_tasks": _("Phone calls to make"),
        "calendar_feeds": _("Calendar feeds"),
        "staff_work": _("Work recorded as staff"),
        "audit": _("Audit trail"),
    }


def fields() -> dict[str, str]:
    """The names of the key–value sections' fields."""
    return {
        "id": _("Number"),
        "full_name": _("Full name"),
        "email": _("E-mail address"),
        "phone": _("Phone"),
        "role": _("Role"),
        "preferred_language": _("Preferred language"),
        "created_at": _("Account created"),
        "last_login_at": _("Last login"),
        "active": _("Active"),
        "erased_at": _("Anonymised"),
        "consent_dt": _("Informed on"),
        "informed_via": _("Informed by"),
        "gender": _("Gender"),
        "birth_date": _("Date of birth"),
        "birth_year": _("Year of birth"),
        "labour_status": _("Labour-market status"),
        "education": _("Education"),
        "disability": _("Person with a disability"),
        "minority": _("Member of a national or ethnic minority"),
        "third_country": _("Third-country national"),
        "foreign_background": _("Person of foreign background"),
        "homeless": _("Homeless or excluded from housing"),
        "residence": _("Place of residence"),
        "pesel": _("PESEL"),
        "locality": _("Town or village"),
        "entry_at": _("First support"),
        "title": _("Title"),
        "bio": _("About the expert"),
        "default_length_min": _("Usual consultation length (minutes)"),
        "areas": _("Areas"),
        "offices": _("Offices"),
        "consultations_given": _("Consultations given"),
        "weekly_hours": _("Weekly consultation hours"),
        "days_off_and_extra_hours": _("Days off and extra hours"),
        "events_trained": _("Trainings and meetings led"),
        "groups_guarded": _("Founding groups looked after"),
    }


def values() -> dict[str, str]:
    """The codes the document holds as values."""
    return {**_answers(), **_groups(), **_states()}


def _answers() -> dict[str, str]:
    """Roles, languages and the participant answers (the words of the questionnaire)."""
    return {
        # roles and how a person was informed
        "client": _("Client"),
        "expert": _("Expert"),
        "manager": _("Manager"),
        "system": _("System"),
        "page": _("On the website"),
        "phone": _("By phone"),
        "pl": "polski",
        "en": "English",
        "female": _("Woman"),
        "male": _("Man"),
        "non_binary": _("Non-binary"),
        "refused": _("Refused to answer"),
        "registered_unemployed": _("Unemployed, registered at a labour office"),
        "long_term_unemployed": _("Long-term unemployed"),
        "unregistered_unemployed": _("Unemployed, not registered"),
        "inactive": _("Economically inactive"),
        "employed": _("Employed or self-employed"),
        "isced_0_2": _("Primary or lower secondary (ISCED 0–2)"),
        "isced_3_4": _("Upper secondary or post-secondary (ISCED 3–4)"),
        "isced_5_8": _("Higher education (ISCED 5–8)"),
        "yes": _("Yes"),
        "no": _("No"),
        "rural": _("Rural area"),
        "urban": _("Urban area"),
    }


def _groups() -> dict[str, str]:
    """Legal forms and stages (the words of the groups' pages)."""
    return {
        "social_cooperative": _("Social cooperative"),
        "association": _("Registered association"),
        "ordinary_association": _("Ordinary association"),
        "foundation": _("Foundation"),
        "formed": _("Group formed"),
        "statute_drafted": _("Statute drafted"),
        "founding_meeting_held": _("Founding meeting held"),
        "founding_act": _("Founding act (notarial deed)"),
        "application_filed": _("KRS application filed"),
        "application_to_starosta": _("Application to the starosta"),
        "abandoned": _("Abandoned"),
    }


def _states() -> dict[str, str]:
    return {
        # states of consultations, registrations, the waiting list and the outbox
        "booked": _("Booked"),
        "cancelled": _("Cancelled"),
        "attended": _("Attended"),
        "no_show": _("Did not come"),
        "registered": _("Registered"),
        "waitlisted": _("On the waiting list"),
        "waiting": _("Waiting"),
        "offered": _("Offered a slot"),
        "left": _("Left the list"),
        "lapsed": _("Offer lapsed"),
        "open": _("Open"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "expired": _("Expired"),
        "withdrawn": _("Withdrawn"),
        "queued": _("Waiting to be sent"),
        "sent": _("Sent"),
        "failed": _("Not delivered"),
        "training": _("Training"),
        "information_meeting": _("Information meeting"),
        "natural": _("Natural person"),
        "legal": _("Legal person"),
        "attendee": _("Attendee"),
    }


def value(raw: Any, words: dict[str, str]) -> str:
    """A value as the reader sees it: a label for a known code, Yes/No, or "—" for nothing."""
    if raw is None or raw == "" or raw == []:
        return "—"
    if raw is True:
        return _("Yes")
    if raw is False:
        return _("No")
    if isinstance(raw, list):
        return ", ".join(value(item, words) for item in raw)
    return words.get(str(raw), str(raw))


def withheld() -> dict[str, str]:
    return {
        "consultation_notes": _(
            "The experts' own notes on consultations are not part of this download. You can ask "
            "the incubator for them."
        ),
    }
