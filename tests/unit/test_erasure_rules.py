"""The erasure rules (domain.erasure): refusals in order, grounds, and the coarse birth date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.domain import erasure as rules
from incubator.domain.counting import age_on

TODAY = date(2026, 11, 23)
ENDED = rules.ProjectRetention("old", date(2020, 12, 31))
RUNNING = rules.ProjectRetention("new", date(2031, 12, 31))
UNSET = rules.ProjectRetention("unset", None)


def refusal(ground=None, actor_id=1, **facts):
    return rules.erasure_refusal(
        rules.ErasureFacts(person_id=7, **facts), actor_id=actor_id, ground=ground, today=TODAY
    )


def test_a_person_whose_projects_ended_may_be_erased() -> None:
    assert refusal(projects=(ENDED,)) is None
    assert refusal(projects=()) is None


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"is_erased": True, "upcoming_consultations": 2}, "already_erased"),
        ({"is_staff": True, "staff_consultations": 3}, "erasure_staff_has_work"),
        ({"is_staff": True, "staff_events": 1}, "erasure_staff_has_work"),
        ({"upcoming_consultations": 1, "projects": (RUNNING,)}, "erasure_upcoming"),
        ({"upcoming_events": 1}, "erasure_upcoming"),
        ({"open_offers": 1}, "erasure_upcoming"),
        ({"projects": (ENDED, RUNNING)}, "erasure_retention"),
        ({"projects": (UNSET,)}, "erasure_retention"),
    ],
)
def test_refusals_in_order(facts, code) -> None:
    found = refusal(**facts)
    assert found is not None and found.code == code


def test_a_staff_account_without_work_may_go() -> None:
    assert refusal(is_staff=True) is None


def test_nobody_erases_themselves() -> None:
    assert refusal(actor_id=7).code == "erasure_self"


def test_retention_names_the_projects_and_the_date() -> None:
    found = refusal(projects=(ENDED, RUNNING, rules.ProjectRetention("mid", date(2027, 1, 1))))
    assert found.params["projects"] == ["new", "mid"]
    assert found.params["until"] == date(2031, 12, 31) and found.params["unset"] == []
    unset = refusal(projects=(RUNNING, UNSET))
    assert unset.params["until"] is None and unset.params["unset"] == ["unset"]


def test_the_retention_date_itself_still_holds() -> None:
    assert refusal(projects=(rules.ProjectRetention("x", TODAY),)).code == "erasure_retention"
    assert refusal(projects=(rules.ProjectRetention("x", TODAY - timedelta(days=1)),)) is None


def test_a_legal_ground_overrides_retention_only() -> None:
    ground = rules.LegalGround.FUNDER_CONSENT
    assert refusal(ground=ground, projects=(RUNNING, UNSET)) is None
    assert refusal(ground=ground, upcoming_consultations=1).code == "erasure_upcoming"
    assert refusal(ground=ground, is_erased=True).code == "already_erased"


@pytest.mark.parametrize("value", ["retention_ended", "anything", "FUNDER_CONSENT"])
def test_only_the_choosable_grounds_parse(value) -> None:
    with pytest.raises(rules.UnknownGround):
        rules.parse_ground(value)


def test_grounds_parse() -> None:
    assert rules.parse_ground("") is None and rules.parse_ground(None) is None
    assert rules.parse_ground("authority_order") is rules.LegalGround.AUTHORITY_ORDER


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_a_reason_is_required_and_bounded(reason) -> None:
    with pytest.raises(rules.ReasonRequired):
        rules.clean_reason(reason)


def test_a_reason_is_tidied() -> None:
    assert rules.clean_reason("  Wniosek  z\n12.11. ") == "Wniosek z 12.11."


@pytest.mark.parametrize(
    ("birth", "days", "expected"),
    [
        (date(1980, 7, 15), [], date(1980, 1, 1)),
        (date(1980, 7, 15), [date(2010, 3, 3), date(2011, 9, 1)], date(1980, 3, 4)),
        (date(1980, 7, 15), [date(2010, 7, 14)], date(1980, 7, 15)),
        (date(1980, 7, 15), [date(2010, 7, 15), date(2010, 7, 16)], date(1980, 1, 1)),
        (date(1981, 3, 10), [date(2012, 2, 29)], date(1981, 3, 1)),
        (date(1980, 3, 10), [date(2012, 2, 29)], date(1980, 3, 1)),
        (date(1980, 12, 31), [date(2012, 12, 30)], date(1980, 12, 31)),
        (None, [date(2012, 1, 1)], None),
    ],
)
def test_coarse_birth_date(birth, days, expected) -> None:
    assert rules.coarse_birth_date(birth, days) == expected


def test_the_coarse_birth_date_keeps_every_age() -> None:
    """Over every day of a leap and a non-leap year of support, for birthdays all year round."""
    support = [date(2011, 1, 1) + timedelta(days=n) for n in range(0, 730, 3)]
    for offset in range(0, 366, 5):
        birth = date(1976, 1, 1) + timedelta(days=offset)
        coarse = rules.coarse_birth_date(birth, support)
        assert coarse <= birth and coarse.year == birth.year
        ages = [age_on(birth, None, d) for d in support]
        assert [age_on(coarse, None, d) for d in support] == ages
