"""Booking rules and consultation permissions, called directly: no app, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from incubator.domain import booking_rules as rules
from incubator.domain import consultations
from incubator.domain.consultations import ConsultationStatus
from incubator.domain.errors import InThePast, InvalidInput, NotAllowed
from incubator.domain.slots import Interval
from tests.helpers import NOW, POLICY, WED, local

HOLIDAYS = frozenset({date(2026, 12, 24), date(2026, 12, 25)})


@pytest.mark.parametrize(
    ("start", "error"),
    [
        (NOW - timedelta(minutes=1), InThePast),
        (NOW, InThePast),
        (local(date(2026, 11, 29), 9), rules.ClosedDay),  # Sunday
        (local(date(2026, 12, 24), 9), rules.ClosedDay),  # Wigilia, a holiday from 2025
        (local(date(2026, 11, 24), 9), rules.TooShortNotice),  # 23 hours ahead
        (NOW + POLICY.horizon + timedelta(minutes=1), rules.BeyondHorizon),
        (local(WED, 9).replace(tzinfo=None), InvalidInput),  # no UTC offset
    ],
)
def test_timing_refusals(start, error) -> None:
    with pytest.raises(error):
        rules.check_timing(start, NOW, POLICY, HOLIDAYS)


@pytest.mark.parametrize(
    "start",
    [
        NOW + POLICY.min_notice,  # exactly the notice
        local(WED, 9),
        NOW + POLICY.horizon,  # exactly the horizon (a Friday)
    ],
)
def test_timing_accepts(start) -> None:
    rules.check_timing(start, NOW, POLICY, HOLIDAYS)


def test_too_short_notice_names_the_hours() -> None:
    with pytest.raises(rules.TooShortNotice) as caught:
        rules.check_timing(local(date(2026, 11, 24), 9), NOW, POLICY, HOLIDAYS)
    assert caught.value.params == {"hours": 24}


def _slot(hour: int) -> Interval:
    return Interval(local(WED, hour), local(WED, hour + 1))


@pytest.mark.parametrize(
    ("held", "is_move", "error"),
    [
        ([], False, None),
        ([_slot(11), _slot(12)], False, None),  # two held, the third is allowed
        ([_slot(11), _slot(12), _slot(13)], False, rules.TooManyBookings),
        ([_slot(11), _slot(12), _slot(13)], True, None),  # a move does not count twice
        ([_slot(9)], False, rules.OverlapsOwnBooking),
        ([Interval(local(WED, 9, 30), local(WED, 10, 30))], True, rules.OverlapsOwnBooking),
        ([_slot(10)], False, None),  # touching is not overlapping
    ],
)
def test_client_commitments(held, is_move, error) -> None:
    def check() -> None:
        rules.check_client_commitments(_slot(9), held, POLICY, is_move=is_move)

    if error is None:
        check()
    else:
        with pytest.raises(error):
            check()


@dataclass
class Person:
    id: int
    role: str

    is_manager = property(lambda self: self.role == "manager")
    is_expert = property(lambda self: self.role == "expert")
    is_client = property(lambda self: self.role == "client")
    is_staff = property(lambda self: self.role in ("expert", "manager"))


@dataclass
class Booked:
    expert_id: int = 10
    client_id: int = 1
    status: str = ConsultationStatus.BOOKED
    start_dt: object = field(default_factory=lambda: local(WED, 9))
    attendee_ids: list[int] = field(default_factory=lambda: [1, 2])


CLIENT, COMPANION, STRANGER = Person(1, "client"), Person(2, "client"), Person(3, "client")
EXPERT, OTHER_EXPERT, MANAGER = Person(10, "expert"), Person(11, "expert"), Person(20, "manager")


@pytest.mark.parametrize(
    ("user", "sees", "manages"),
    [
        (CLIENT, True, True),
        (COMPANION, True, False),  # an attendee sees it; only the client it is for changes it
        (STRANGER, False, False),
        (EXPERT, True, True),
        (OTHER_EXPERT, False, False),
        (MANAGER, True, True),
    ],
)
def test_who_sees_and_who_manages(user, sees, manages) -> None:
    assert consultations.can_view(user, Booked()) is sees
    assert consultations.can_manage(user, Booked()) is manages


@pytest.mark.parametrize(
    ("user", "start", "status", "refusal"),
    [
        (CLIENT, local(WED, 9), ConsultationStatus.BOOKED, None),
        (CLIENT, NOW + POLICY.cancel_notice, ConsultationStatus.BOOKED, None),  # exactly 24 h
        (CLIENT, NOW + timedelta(hours=23), ConsultationStatus.BOOKED, rules.TooLateToCancel),
        (EXPERT, NOW + timedelta(hours=1), ConsultationStatus.BOOKED, None),  # staff: any time
        (MANAGER, NOW - timedelta(hours=1), ConsultationStatus.BOOKED, None),
        (CLIENT, NOW - timedelta(hours=1), ConsultationStatus.BOOKED, rules.NotCancellable),
        (CLIENT, local(WED, 9), ConsultationStatus.CANCELLED, rules.NotCancellable),
        (MANAGER, local(WED, 9), ConsultationStatus.ATTENDED, rules.NotCancellable),
        (COMPANION, local(WED, 9), ConsultationStatus.BOOKED, NotAllowed),
        (OTHER_EXPERT, local(WED, 9), ConsultationStatus.BOOKED, NotAllowed),
    ],
)
def test_change_refusal_is_the_one_answer(user, start, status, refusal) -> None:
    booked = Booked(start_dt=start, status=status)
    found = consultations.change_refusal(user, booked, NOW, POLICY)
    assert (found is None) if refusal is None else isinstance(found, refusal)
    assert consultations.can_change(user, booked, NOW, POLICY) is (refusal is None)
    if refusal is None:
        consultations.check_change(user, booked, NOW, POLICY)
    else:
        with pytest.raises(refusal):
            consultations.check_change(user, booked, NOW, POLICY)


@pytest.mark.parametrize("active", [0, 1, 2])
def test_below_the_limit_one_more_may_be_booked(active: int) -> None:
    rules.check_active_limit(active, POLICY)


@pytest.mark.parametrize("active", [3, 4])
def test_at_the_limit_the_first_step_is_refused_like_the_booking(active: int) -> None:
    with pytest.raises(rules.TooManyBookings) as refused:
        rules.check_active_limit(active, POLICY)
    assert refused.value.params == {"limit": POLICY.max_active}
