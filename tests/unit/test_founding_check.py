"""Founding requirements on a group's members (issue #12): each rule on both sides of each
boundary, with the Polish and English messages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.domain.at_risk import NOT_AT_RISK, categories_on, category_in_force
from incubator.domain.founding import LegalForm
from incubator.domain.founding_check import (
    LEGAL,
    NATURAL,
    Member,
    employment_duty_due,
    polish_plural,
    unmet_requirements,
)

COOP = LegalForm.SOCIAL_COOPERATIVE
ASSOC = LegalForm.ASSOCIATION
ORDINARY = LegalForm.ORDINARY_ASSOCIATION
FOUNDATION = LegalForm.FOUNDATION
DAY = timedelta(days=1)
FEW = ["too_few_founders"]


def people(n: int, at_risk: str | None = "unemployed") -> list[Member]:
    return [Member(NATURAL, at_risk) for _ in range(n)]


def legal(n: int) -> list[Member]:
    return [Member(LEGAL) for _ in range(n)]


def codes(form, members, day) -> list[str]:
    return [u.code for u in unmet_requirements(form, members, day)]


@pytest.mark.parametrize(
    ("form", "members", "day", "expected"),
    [
        # spółdzielnia socjalna: 3 natural persons suffice from 31.03.2018
        pytest.param(COOP, people(3), date(2018, 3, 30), FEW, id="coop-3-30.03.2018"),
        pytest.param(COOP, people(3), date(2018, 3, 31), [], id="coop-3-31.03.2018"),
        pytest.param(COOP, people(2), date(2018, 3, 31), FEW, id="coop-2-31.03.2018"),
        # two legal persons may found from 16.07.2009
        pytest.param(COOP, legal(2), date(2009, 7, 15),
                     ["legal_persons_not_allowed", *FEW], id="coop-2-legal-15.07.2009"),
        pytest.param(COOP, legal(2), date(2009, 7, 16), [], id="coop-2-legal-16.07.2009"),
        pytest.param(COOP, legal(1), date(2009, 7, 16), FEW, id="coop-1-legal"),
        # before 16.07.2009 every founder at risk
        pytest.param(COOP, people(5), date(2009, 7, 15), [], id="coop-5-at-risk-2009"),
        pytest.param(COOP, people(4) + people(1, NOT_AT_RISK), date(2009, 7, 15),
                     ["founders_not_at_risk"], id="coop-1-not-at-risk-2009"),
        # at most 50 % not at risk: exactly half passes, just over fails
        pytest.param(COOP, people(3) + people(3, NOT_AT_RISK), date(2020, 1, 1), [],
                     id="coop-50-percent"),
        pytest.param(COOP, people(3) + people(4, NOT_AT_RISK), date(2020, 1, 1),
                     ["too_many_not_at_risk"], id="coop-over-50-percent"),
        pytest.param(COOP, people(3) + people(1, None), date(2020, 1, 1),
                     ["at_risk_not_recorded"], id="coop-category-not-recorded"),
        # a 2018 category cannot count for a 2010 meeting
        pytest.param(COOP, people(4) + people(1, "jobseekers_under_30"), date(2010, 1, 4),
                     ["at_risk_category_not_in_force"], id="coop-category-from-2018"),
        pytest.param(COOP, people(51), date(2020, 1, 1), ["too_many_members"], id="coop-51"),
        pytest.param(COOP, people(50), date(2020, 1, 1), [], id="coop-50"),
        # stowarzyszenie rejestrowe: 15 until 19.05.2016, 7 from 20.05.2016, no legal persons
        pytest.param(ASSOC, people(14), date(2016, 5, 19), FEW, id="assoc-14-2016"),
        pytest.param(ASSOC, people(15), date(2016, 5, 19), [], id="assoc-15-2016"),
        pytest.param(ASSOC, people(6), date(2016, 5, 20), FEW, id="assoc-6-new"),
        pytest.param(ASSOC, people(7), date(2016, 5, 20), [], id="assoc-7-new"),
        pytest.param(ASSOC, people(7) + legal(1), date(2020, 1, 1),
                     ["legal_persons_not_allowed"], id="assoc-legal-person"),
        # stowarzyszenie zwykłe: 3 natural persons; fundacja: one founder of either kind
        pytest.param(ORDINARY, people(2), date(2020, 1, 1), FEW, id="ordinary-2"),
        pytest.param(ORDINARY, people(3), date(2020, 1, 1), [], id="ordinary-3"),
        pytest.param(FOUNDATION, legal(1), date(2020, 1, 1), [], id="foundation-1-legal"),
        pytest.param(FOUNDATION, [], date(2020, 1, 1), FEW, id="foundation-0"),
    ],
)  # fmt: skip
def test_each_rule_on_both_sides_of_its_boundary(form, members, day, expected) -> None:
    assert codes(form, members, day) == expected


def test_the_message_names_what_is_missing_in_polish_and_english() -> None:
    [unmet] = unmet_requirements(COOP, people(2), date(2026, 12, 1))
    assert unmet.message("pl") == (
        "Spółdzielnia socjalna wymaga co najmniej 3 założycieli będących osobami fizycznymi "
        "albo 2 osób prawnych — brakuje 1 osoby."
    )
    assert unmet.message("en") == (
        "A social cooperative needs at least 3 natural-person founders or 2 legal persons "
        "— 1 person short."
    )
    assert unmet.params == {"min_natural": 3, "min_legal": 2, "missing": 1}
    [unmet] = unmet_requirements(ASSOC, people(5), date(2026, 12, 1))
    assert unmet.message("pl").endswith("— brakuje 2 osób.")


def test_only_founders_who_are_members_on_the_meeting_day_count() -> None:
    meeting = date(2026, 6, 1)
    left = Member(NATURAL, "unemployed", left=meeting)
    later = Member(NATURAL, "unemployed", joined=meeting + DAY)
    not_founder = Member(NATURAL, "unemployed", founder=False)
    assert codes(ORDINARY, [*people(2), left, later, not_founder], meeting) == ["too_few_founders"]
    assert codes(ORDINARY, [*people(2), Member(NATURAL, joined=meeting)], meeting) == []


@pytest.mark.parametrize(
    ("n", "word"), [(1, "osoba"), (2, "osoby"), (4, "osoby"), (5, "osób"), (12, "osób"),
                    (22, "osoby"), (25, "osób")],
)  # fmt: skip
def test_polish_plural(n, word) -> None:
    assert polish_plural(n, "osoba", "osoby", "osób") == word


def test_the_at_risk_list_is_dated() -> None:
    assert category_in_force("unemployed", date(2008, 1, 1))
    assert category_in_force("disabled", date(2026, 1, 1))
    assert not category_in_force("cis_kis_graduates", date(2018, 3, 30))
    assert category_in_force("cis_kis_graduates", date(2018, 3, 31))
    assert len(categories_on(date(2018, 3, 31))) > len(categories_on(date(2018, 3, 30)))


def test_three_founders_after_2018_owe_two_employees_within_twelve_months() -> None:
    registered = date(2024, 2, 29)
    assert employment_duty_due(COOP, date(2024, 1, 10), 3, registered) == date(2025, 2, 28)
    assert employment_duty_due(COOP, date(2024, 1, 10), 5, registered) is None
    assert employment_duty_due(COOP, date(2017, 1, 10), 5, registered) is None
    assert employment_duty_due(ASSOC, date(2024, 1, 10), 7, registered) is None


def test_a_foundation_short_of_its_one_founder_is_worded_for_one() -> None:
    [unmet] = unmet_requirements(FOUNDATION, [], date(2026, 12, 1))
    assert unmet.message("pl") == (
        "Fundacja wymaga co najmniej jednego założyciela (osoby fizycznej lub prawnej) "
        "— brakuje 1 osoby."
    )
