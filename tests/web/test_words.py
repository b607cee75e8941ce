"""Words built in code: how long a password link works, and dates (one pattern per locale)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from incubator.web.common import display, wording
from incubator.web.common.passwords import validity_sentence

WEDNESDAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("valid_for", "setup", "locale", "expected"),
    [
        (timedelta(days=7), True, "pl", "Link jest ważny przez 7 dni i można go użyć tylko raz. "),
        (timedelta(days=1), False, "pl", "Link jest ważny przez 1 dzień i można go użyć"),
        (timedelta(days=2), False, "pl", "Link jest ważny przez 2 dni i można go użyć"),
        (timedelta(hours=2), False, "pl", "Link jest ważny przez 2 godziny i można go użyć"),
        (timedelta(hours=36), True, "pl", "Link jest ważny przez 36 godzin i można go użyć"),
        (timedelta(hours=25), False, "pl", "Link jest ważny przez 25 godzin i"),
        (timedelta(days=7), True, "en", "The link is valid for 7 days and works once. After"),
        (timedelta(days=1), False, "en", "The link is valid for 1 day and works once."),
        (timedelta(hours=2), False, "en", "The link is valid for 2 hours and works once."),
    ],
)
def test_link_validity_in_days_when_whole_days(app, valid_for, setup, locale, expected) -> None:
    with app.test_request_context("/"), force_locale(locale):
        assert validity_sentence(valid_for, setup=setup).startswith(expected)


@pytest.mark.parametrize(
    ("locale", "day", "full", "long"),
    [
        ("pl", "środa 2 grudnia", "środa, 2 grudnia 2026", "2 grudnia 2026"),
        ("en", "Wednesday 2 December", "Wednesday 2 December 2026", "2 December 2026"),
    ],
)
def test_one_date_pattern_per_kind_and_locale(app, locale, day, full, long) -> None:
    late_evening = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # 23:30 in Warsaw, same day
    with app.test_request_context("/"), force_locale(locale):
        assert display.day_label(WEDNESDAY) == display.day_label(late_evening) == day
        assert display.full_date(WEDNESDAY) == display.full_date(late_evening) == full
        assert display.long_date(WEDNESDAY) == wording.long_date(WEDNESDAY) == long
        assert wording.date_range(WEDNESDAY, WEDNESDAY) == full
        # templates: the filter takes the same kinds; "full" is ours, not Babel's US English
        assert render_template_string("{{ d|local_date('full') }}", d=WEDNESDAY) == full
        assert render_template_string("{{ d|local_date('day') }}", d=WEDNESDAY) == day
        assert render_template_string("{{ d|local_date }}", d=WEDNESDAY) == long


def test_cached_day_labels_follow_the_locale(app) -> None:
    with app.test_request_context("/"):
        with force_locale("en"):
            assert display.day_label(WEDNESDAY) == "Wednesday 2 December"
        with force_locale("pl"):
            assert display.day_label(WEDNESDAY) == "środa 2 grudnia"


def test_date_times_are_written_one_way_in_each_language(app) -> None:
    """No Babel default style (US "12/2/26, 9:00 AM" in English) for a date with a time."""
    from datetime import UTC, datetime

    from flask import render_template_string
    from flask_babel import force_locale

    moment = datetime(2026, 12, 2, 8, 5, tzinfo=UTC)  # 09:05 in Warsaw
    with app.test_request_context():
        with force_locale("pl"):
            assert (
                render_template_string("{{ t|local_datetime }}", t=moment)
                == "2 grudnia 2026, 09:05"
            )
        with force_locale("en"):
            shown = render_template_string("{{ t|local_datetime('short') }}", t=moment)
            assert shown == "2 December 2026, 09:05"
