"""The outcome rules (incubator/domain/outcomes.py) and who may read the private notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from incubator.domain.consultations import ConsultationStatus, can_read_notes
from incubator.domain.errors import NotAllowed
from incubator.domain.outcomes import (
    MAX_DURATION,
    NOTES_MAX_LENGTH,
    AttendanceIncomplete,
    ConsultationCancelled,
    InvalidDuration,
    NotAnAttendee,
    NotesTooLong,
    NotStarted,
    UnknownTopicCategory,
    can_record_outcome,
    changed_fields,
    check_outcome,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EXPERT, OTHER_EXPERT, MANAGER, CLIENT, GUEST = 1, 2, 3, 10, 11


@dataclass
class U:
    id: int
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_expert(self) -> bool:
        return self.role == "expert"

    @property
    def is_client(self) -> bool:
        return self.role == "client"

    @property
    def is_staff(self) -> bool:
        return self.role != "client"


@dataclass
class C:
    expert_id: int = EXPERT
    client_id: int = CLIENT
    status: str = ConsultationStatus.BOOKED
    start_dt: datetime = NOW - timedelta(hours=2)
    attendees: list[int] = field(default_factory=lambda: [CLIENT, GUEST])

    @property
    def attendee_ids(self) -> list[int]:
        return self.attendees


USERS = {
    "expert": U(EXPERT, "expert"),
    "other_expert": U(OTHER_EXPERT, "expert"),
    "manager": U(MANAGER, "manager"),
    "client": U(CLIENT, "client"),
}


def _check(user: U | None = None, c: C | None = None, **kw):
    args = {
        "marks": [(CLIENT, True), (GUEST, False)],
        "duration_min": 60,
        "topic_category_id": 4,
        "notes": "  Omówiono statut.  ",
    }
    args.update(kw)
    return check_outcome(user or USERS["expert"], c or C(), NOW, **args)


def test_a_valid_outcome_is_held_when_one_came_and_strips_notes() -> None:
    outcome = _check()
    assert outcome.attended == {CLIENT: True, GUEST: False}
    assert outcome.came == [CLIENT]
    assert outcome.status == ConsultationStatus.ATTENDED
    assert outcome.notes == "Omówiono statut."


def test_nobody_came_is_a_no_show() -> None:
    outcome = _check(marks=[(CLIENT, False), (GUEST, False)])
    assert outcome.status == ConsultationStatus.NO_SHOW
    assert outcome.came == []


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("expert", True), ("manager", True), ("other_expert", False), ("client", False)],
)
def test_who_may_record(who: str, allowed: bool) -> None:
    assert can_record_outcome(USERS[who], C()) is allowed
    assert can_read_notes(USERS[who], C()) is allowed
    if allowed:
        _check(USERS[who])
    else:
        with pytest.raises(NotAllowed):
            _check(USERS[who])


def test_not_before_the_start() -> None:
    with pytest.raises(NotStarted) as caught:
        _check(c=C(start_dt=NOW + timedelta(minutes=1)))
    assert caught.value.code == "not_started"
    _check(c=C(start_dt=NOW))  # at the start itself it may be recorded


def test_not_for_a_cancelled_consultation() -> None:
    with pytest.raises(ConsultationCancelled) as caught:
        _check(c=C(status=ConsultationStatus.CANCELLED))
    assert caught.value.code == "consultation_cancelled"


def test_a_recorded_outcome_may_be_corrected() -> None:
    assert _check(c=C(status=ConsultationStatus.NO_SHOW)).status == ConsultationStatus.ATTENDED


@pytest.mark.parametrize(
    ("marks", "error"),
    [
        ([(CLIENT, True)], AttendanceIncomplete),
        ([(CLIENT, True), (GUEST, True), (CLIENT, False)], AttendanceIncomplete),
        ([(CLIENT, True), (GUEST, True), (99, True)], NotAnAttendee),
        ([], AttendanceIncomplete),
    ],
)
def test_every_attendee_exactly_once_and_no_one_else(marks, error) -> None:
    with pytest.raises(error):
        _check(marks=marks)


@pytest.mark.parametrize("duration", [0, -5, MAX_DURATION + 1, None, True, "60"])
def test_duration_out_of_range(duration) -> None:
    with pytest.raises(InvalidDuration):
        _check(duration_min=duration)


@pytest.mark.parametrize("duration", [1, MAX_DURATION])
def test_duration_bounds_accepted(duration) -> None:
    assert _check(duration_min=duration).duration_min == duration


def test_unknown_topic_category() -> None:
    with pytest.raises(UnknownTopicCategory):
        _check(topic_category_id=None)


def test_notes_length() -> None:
    assert _check(notes="x" * NOTES_MAX_LENGTH).notes == "x" * NOTES_MAX_LENGTH
    with pytest.raises(NotesTooLong):
        _check(notes="x" * (NOTES_MAX_LENGTH + 1))


def test_permission_is_checked_before_the_input() -> None:
    # Another expert learns nothing about the attendees from the error.
    with pytest.raises(NotAllowed):
        _check(USERS["other_expert"], marks=[(99, True)])


def test_changed_fields_names_only_the_changed_keys() -> None:
    before = {"status": "booked", "notes": "", "duration_min": None}
    after = {"status": "attended", "notes": "", "duration_min": 60}
    assert changed_fields(before, after) == ["duration_min", "status"]
