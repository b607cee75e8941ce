"""What the audit trail's action codes and filters are called, for the managers' page and the API.

Every code of `domain.audit_trail.ACTIONS` has a label here (a test checks); a code the table
does not know (an entry written by a later version) is shown as it is.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...domain.audit_trail import ACTIONS, FAMILIES
from .fields import choice

ACTION_LABELS = {
    "participant.viewed": _l("Participant data viewed"),
    "participant.updated": _l("Participant data changed"),
    "participants.exported": _l("Participant list exported"),
    "consultation.notes_viewed": _l("Consultation notes viewed"),
    "consultation.record_printed": _l("Advisory record printed"),
    "client.searched": _l("Clients searched"),
    "client.created_by_staff": _l("Client added by staff"),
    "consultation.book": _l("Consultation booked"),
    "consultation.cancel": _l("Consultation cancelled"),
    "consultation.reschedule": _l("Consultation moved"),
    "consultation.outcome": _l("Consultation outcome recorded"),
    "consultation.outcome_corrected": _l("Consultation outcome corrected"),
    "call.done": _l("Phone call made"),
    "user.registered": _l("Account registered"),
    "user.registration_attempt": _l("Registration with a used e-mail address"),
    "user.created": _l("Account created by a manager"),
    "user.updated": _l("Account changed by a manager"),
    "user.profile_updated": _l("Own account details changed"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.password_reset": _l("Password reset"),
    "user.password_set": _l("Password set from the command line"),
    "user.deactivated": _l("Account deactivated"),
    "user.reactivated": _l("Account reactivated"),
    "user.login": _l("Logged in"),
    "user.login_failed": _l("Failed log-in"),
    "user.logout": _l("Logged out"),
    "person.merged": _l("Two records of a person merged"),
    "person.exported": _l("Personal data exported (subject access)"),
    "person.erased": _l("Person anonymised"),
    "person.informed": _l("Information clause read out by phone"),
    "report.exported": _l("Report viewed or exported"),
    "setting.changed": _l("Setting changed"),
    "project.created": _l("Project created"),
    "project.updated": _l("Project changed"),
    "calendar_feed.regenerated": _l("Calendar feed address renewed"),
    "availability.rule_add": _l("Consultation hours added"),
    "availability.rule_end": _l("Consultation hours ended"),
    "availability.rule_delete": _l("Consultation hours deleted"),
    "availability.exception_add": _l("Day off or extra hours added"),
    "availability.exception_delete": _l("Day off or extra hours removed"),
    "waitlist.join": _l("Joined the waiting list"),
    "waitlist.leave": _l("Left the waiting list"),
    "waitlist.decline": _l("Waiting list offer declined"),
    "waitlist.offer": _l("Waiting list offer made"),
    "waitlist.lapsed": _l("Waiting list offer lapsed"),
    "event.create": _l("Event created"),
    "event.cancel": _l("Event called off"),
    "event.registered": _l("Registered for an event"),
    "event.waitlisted": _l("On an event's waiting list"),
    "event.cancel_registration": _l("Event registration cancelled"),
    "event.promoted": _l("Given a seat at an event"),
    "event.attendance": _l("Event attendance recorded"),
    "event.head_count": _l("Event head count recorded"),
    "event.certificate": _l("Certificate issued"),
    "event.certificate_printed": _l("Certificate printed"),
    "event.attendance_list_printed": _l("Attendance list printed"),
    "group.created": _l("Founding group created"),
    "group.legal_form": _l("Founding group's legal form chosen"),
    "group.member_added": _l("Founding group member added"),
    "group.stage": _l("Founding group moved to a stage"),
}

FAMILY_LABELS = {
    "participant.": _l("All views and changes of participant data"),
    "consultation.": _l("All consultation events"),
    "user.": _l("All account events"),
    "report.": _l("All report exports"),
    "availability.": _l("All consultation hours changes"),
    "waitlist.": _l("All waiting list events"),
    "event.": _l("All training and meeting events"),
    "group.": _l("All founding group events"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code) or FAMILY_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """The filter's options: any, the families, then every action by its label."""
    families = [choice(code, FAMILY_LABELS[code]) for code in FAMILIES]
    named = sorted(((str(ACTION_LABELS[code]), code) for code in ACTIONS), key=lambda p: p[0])
    single = [choice(code, label) for label, code in named]
    return [choice("", _("Any action")), *families, *single]


def details_text(details: dict[str, Any]) -> str:
    """The entry's details on one line ("status: attended, came: 2"); ids and names only."""
    parts = []
    for key, value in sorted(details.items()):
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):  # counts by kind ("removed": {"messages": 2, ...})
            value = ", ".join(f"{k} {v}" for k, v in sorted(value.items()) if v not in (0, None))
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif value is None or value == "":
            continue
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
