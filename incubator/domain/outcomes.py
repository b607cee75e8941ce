"""Recording what happened at a consultation: who came, how long it took, what it was about.

The expert records the outcome after the start; a manager may record or correct it. Attendance is
per person and never automatic: every attendee is marked "came" or "did not come" explicitly, so
a group consultation where two of five came serves exactly two people (EFS counting, DOMAIN.md).
A consultation is held (``attended``) when at least one attendee came, else ``no_show``.

The page, the API and the service all call `check_outcome`, so the rules cannot drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .consultations import ConsultationFacts, ConsultationStatus, Person
from .errors import DomainError, NotAllowed

MIN_DURATION = 1
MAX_DURATION = 480  # eight hours: a longer "consultation" is a typo
NOTES_MAX_LENGTH = 5000


class OutcomeError(DomainError):
    code = "outcome_error"


class NotStarted(OutcomeError):
    """The consultation has not started yet: nothing happened to record."""

    code = "not_started"


class ConsultationCancelled(OutcomeError):
    """A cancelled consultation has no outcome."""

    code = "consultation_cancelled"


class NotAnAttendee(OutcomeError):
    """A mark for someone who is not on the consultation."""

    code = "not_an_attendee"
    field = "attendees"


class AttendanceIncomplete(OutcomeError):
    """An attendee left unmarked (or marked twice): whether they came is never guessed."""

    code = "attendance_incomplete"
    field = "attendees"


class InvalidDuration(OutcomeError):
    code = "invalid_duration"
    field = "duration_min"


class UnknownTopicCategory(OutcomeError):
    code = "unknown_topic_category"
    field = "topic_category"


class NotesTooLong(OutcomeError):
    code = "notes_too_long"
    field = "notes"


@dataclass(frozen=True)
class Outcome:
    """What the expert says happened, already checked."""

    attended: dict[int, bool]  # attendee user id -> came
    duration_min: int
    topic_category_id: int
    notes: str

    @property
    def came(self) -> list[int]:
        return sorted(uid for uid, came in self.attended.items() if came)

    @property
    def status(self) -> ConsultationStatus:
        return ConsultationStatus.ATTENDED if self.came else ConsultationStatus.NO_SHOW


def can_record_outcome(user: Person, consultation: ConsultationFacts) -> bool:
    """Its expert or a manager; nobody else (another expert, a client)."""
    return user.is_manager or (user.is_expert and consultation.expert_id == user.id)


def check_may_record(user: Person, consultation: ConsultationFacts, now: datetime) -> None:
    """Raise why `user` cannot record this consultation's outcome now, if they cannot."""
    if not can_record_outcome(user, consultation):
        raise NotAllowed(reason="not_yours")
    if consultation.status == ConsultationStatus.CANCELLED:
        raise ConsultationCancelled()
    if consultation.start_dt > now:
        raise NotStarted()


def check_attendance(
    attendee_ids: Iterable[int], marks: Iterable[tuple[int, bool]]
) -> dict[int, bool]:
    """Every attendee marked exactly once, and nobody else."""
    expected = set(attendee_ids)
    attended: dict[int, bool] = {}
    for user_id, came in marks:
        if user_id not in expected:
            raise NotAnAttendee(user_id=user_id)
        if user_id in attended:
            raise AttendanceIncomplete(reason="twice", user_id=user_id)
        attended[user_id] = bool(came)
    missing = expected - attended.keys()
    if missing:
        raise AttendanceIncomplete(reason="missing", missing=len(missing))
    return attended


def check_outcome(
    user: Person,
    consultation: ConsultationFacts,
    now: datetime,
    *,
    marks: Iterable[tuple[int, bool]],
    duration_min: int | None,
    topic_category_id: int | None,
    notes: str,
) -> Outcome:
    """The checked outcome, or the first refusal (who, when, who came, length, topic, notes).

    `topic_category_id` is the id of an *active* category, None when the one asked for is
    unknown or retired (the caller looks it up; the rule is that there must be one).
    """
    check_may_record(user, consultation, now)
    attended = check_attendance(consultation.attendee_ids, marks)
    if (
        not isinstance(duration_min, int)
        or isinstance(duration_min, bool)
        or not MIN_DURATION <= duration_min <= MAX_DURATION
    ):
        raise InvalidDuration(min=MIN_DURATION, max=MAX_DURATION)
    if topic_category_id is None:
        raise UnknownTopicCategory()
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise NotesTooLong(max=NOTES_MAX_LENGTH)
    return Outcome(attended, duration_min, topic_category_id, notes)


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """Names of the fields whose values differ (for the audit entry; never the values)."""
    return sorted(k for k in after if before.get(k) != after[k])
