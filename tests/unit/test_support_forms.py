"""People served per form of support and across forms, without a database (issue #14)."""

from __future__ import annotations

import pytest

from incubator.domain.support_forms import (
    ADVICE,
    FORMS,
    INFORMATION_MEETING,
    TRAINING,
    EventTally,
    served_by_form,
)


def test_a_person_served_by_two_forms_counts_once_in_the_total() -> None:
    # 3 advice only, 2 advice and training, 1 training and meeting, 4 meeting only
    result = served_by_form({"100": 3, "110": 2, "011": 1, "001": 4})
    assert result.of(ADVICE).people == 5
    assert result.of(TRAINING).people == 3
    assert result.of(INFORMATION_MEETING).people == 5
    assert result.people_served_total == 10  # not 5 + 3 + 5
    assert [f.form for f in result.forms] == list(FORMS)


def test_anonymous_attendees_are_meeting_attendees_never_participants() -> None:
    tallies = {INFORMATION_MEETING: EventTally(head_count=40, events_held=2, sessions_held=2)}
    result = served_by_form({"001": 10, "100": 1}, tallies)
    meeting = result.of(INFORMATION_MEETING)
    assert meeting.people == 10 and meeting.anonymous == 40 and meeting.attendees == 50
    assert result.anonymous_attendees == 40
    assert result.people_served_total == 11  # the 40 are not in it
    assert result.by_form() == {ADVICE: 1, TRAINING: 0, INFORMATION_MEETING: 50}


def test_head_counts_belong_to_information_meetings_only() -> None:
    result = served_by_form({"010": 4}, {TRAINING: EventTally(head_count=7)})
    assert result.of(TRAINING).attendees == 4 and result.anonymous_attendees == 0


def test_nobody_served_gives_zeros() -> None:
    result = served_by_form({"000": 3})  # a group of people no form served
    assert result.people_served_total == 0
    assert result.by_form() == dict.fromkeys(FORMS, 0)
    assert served_by_form({}).people_served_total == 0


@pytest.mark.parametrize("flags", [None, "", "10", "1000", "1x0"])
def test_malformed_combinations_are_a_bug_not_a_figure(flags) -> None:
    with pytest.raises(ValueError):
        served_by_form({flags: 1})


def test_a_negative_head_count_is_refused() -> None:
    with pytest.raises(ValueError):
        served_by_form({}, {INFORMATION_MEETING: EventTally(head_count=-1)})
