"""Who is told about a change, and how (domain/notifications.py): no app, no database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incubator.domain.notifications import (
    MAX_ATTEMPTS,
    Notice,
    NoticeKind,
    Person,
    consultation_notices,
    gives_up,
    is_permanent,
    reminder_notices,
    retry_delay,
)

CLIENT, PHONE_ONLY, EXPERT, OTHER_EXPERT = (
    Person(1, True), Person(2, False), Person(10, True), Person(11, True)
)  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "actor", "expected"),
    [
        # a booking by phone: the caller was on the line, only the expert gets the invitation
        (NoticeKind.BOOKED, 99, [(1, True), (10, True)]),
        # someone else moved or cancelled it: the phone-only attendee must be called
        (NoticeKind.MOVED, 10, [(1, True), (2, False), (10, True)]),
        (NoticeKind.CANCELLED, 99, [(1, True), (2, False), (10, True)]),
        # they cancelled it themselves (at the desk): nobody calls them back
        (NoticeKind.CANCELLED, 2, [(1, True), (10, True)]),
    ],
)
def test_consultation_notices(kind, actor, expected) -> None:
    notices = consultation_notices(
        kind, attendees=[CLIENT, PHONE_ONLY], expert=EXPERT, actor_id=actor
    )
    assert [(n.person_id, n.by_email) for n in notices] == expected
    assert {n.kind for n in notices} == {kind}


def test_a_move_to_another_expert_cancels_for_the_first_and_books_for_the_second() -> None:
    notices = consultation_notices(
        NoticeKind.MOVED, attendees=[CLIENT], expert=OTHER_EXPERT, actor_id=1,
        previous_expert=EXPERT,
    )  # fmt: skip
    assert notices == [
        Notice(1, NoticeKind.MOVED, True),
        Notice(10, NoticeKind.CANCELLED, True),
        Notice(11, NoticeKind.BOOKED, True),
    ]


def test_reminders_go_by_email_or_on_the_list_to_call() -> None:
    assert reminder_notices([CLIENT, PHONE_ONLY]) == [
        Notice(1, NoticeKind.REMINDER, True),
        Notice(2, NoticeKind.REMINDER, False),
    ]


def test_retries_double_from_a_minute_up_to_six_hours_then_give_up() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(12) == timedelta(hours=6) == retry_delay(19)
    assert not gives_up(MAX_ATTEMPTS - 1) and gives_up(MAX_ATTEMPTS)


@pytest.mark.parametrize(("code", "permanent"), [(550, True), (553, True), (451, False),
                                                 (421, False), (None, False)])  # fmt: skip
def test_only_5xx_replies_are_permanent(code, permanent) -> None:
    assert is_permanent(code) is permanent
