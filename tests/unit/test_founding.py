"""Dated founding requirements (DOMAIN.md, "Founding requirements"), checked on the domain alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.domain.founding import (
    FOUNDING_REQUIREMENTS,
    LegalForm,
    founding_problems,
    requirement_on,
)

COOP = LegalForm.SOCIAL_COOPERATIVE
ASSOC = LegalForm.ASSOCIATION
ORDINARY = LegalForm.ORDINARY_ASSOCIATION
FOUNDATION = LegalForm.FOUNDATION

LEGAL_PERSONS_FROM = date(2009, 7, 16)  # spółdzielnia socjalna: 2 legal persons may found
THREE_NATURAL_FROM = date(2018, 3, 31)  # spółdzielnia socjalna: 3 natural persons suffice
SEVEN_FROM = date(2016, 5, 20)  # stowarzyszenie rejestrowe: 7 founders instead of 15
DAY_BEFORE = timedelta(days=1)


def _codes(form: LegalForm, day: date, natural: int, legal: int) -> list[str]:
    return [p.code for p in founding_problems(form, day, natural, legal)]


CASES = [
    # spółdzielnia socjalna, 16.07.2009: legal persons may found from that day on
    pytest.param(
        COOP,
        LEGAL_PERSONS_FROM - DAY_BEFORE,
        0,
        2,
        ["legal_persons_not_allowed", "too_few_founders"],
        id="coop-2-legal-15.07.2009",
    ),
    pytest.param(COOP, LEGAL_PERSONS_FROM, 0, 2, [], id="coop-2-legal-16.07.2009"),
    pytest.param(COOP, LEGAL_PERSONS_FROM, 0, 1, ["too_few_founders"], id="coop-1-legal-2009"),
    pytest.param(COOP, LEGAL_PERSONS_FROM - DAY_BEFORE, 5, 0, [], id="coop-5-natural-15.07.2009"),
    pytest.param(
        COOP,
        LEGAL_PERSONS_FROM - DAY_BEFORE,
        4,
        0,
        ["too_few_founders"],
        id="coop-4-natural-15.07.2009",
    ),
    pytest.param(COOP, LEGAL_PERSONS_FROM, 4, 0, ["too_few_founders"], id="coop-4-natural-2009"),
    # spółdzielnia socjalna, 31.03.2018: three natural persons suffice from that day on
    pytest.param(
        COOP,
        THREE_NATURAL_FROM - DAY_BEFORE,
        3,
        0,
        ["too_few_founders"],
        id="coop-3-natural-30.03.2018",
    ),
    pytest.param(COOP, THREE_NATURAL_FROM - DAY_BEFORE, 5, 0, [], id="coop-5-natural-30.03.2018"),
    pytest.param(COOP, THREE_NATURAL_FROM, 3, 0, [], id="coop-3-natural-31.03.2018"),
    pytest.param(COOP, THREE_NATURAL_FROM, 2, 0, ["too_few_founders"], id="coop-2-natural-2018"),
    pytest.param(COOP, THREE_NATURAL_FROM - DAY_BEFORE, 0, 2, [], id="coop-2-legal-30.03.2018"),
    pytest.param(COOP, THREE_NATURAL_FROM, 0, 2, [], id="coop-2-legal-31.03.2018"),
    # stowarzyszenie rejestrowe, 20.05.2016: 7 instead of 15; natural persons only
    pytest.param(ASSOC, SEVEN_FROM - DAY_BEFORE, 15, 0, [], id="assoc-15-19.05.2016"),
    pytest.param(
        ASSOC, SEVEN_FROM - DAY_BEFORE, 14, 0, ["too_few_founders"], id="assoc-14-19.05.2016"
    ),
    pytest.param(
        ASSOC, SEVEN_FROM - DAY_BEFORE, 7, 0, ["too_few_founders"], id="assoc-7-19.05.2016"
    ),
    pytest.param(ASSOC, SEVEN_FROM, 7, 0, [], id="assoc-7-20.05.2016"),
    pytest.param(ASSOC, SEVEN_FROM, 6, 0, ["too_few_founders"], id="assoc-6-20.05.2016"),
    pytest.param(ASSOC, SEVEN_FROM, 7, 1, ["legal_persons_not_allowed"], id="assoc-legal-2016"),
    pytest.param(
        ASSOC, SEVEN_FROM - DAY_BEFORE, 15, 2, ["legal_persons_not_allowed"], id="assoc-legal-2009"
    ),
    # stowarzyszenie zwykłe: 3 natural persons, no legal persons, on either side of 2016
    pytest.param(ORDINARY, SEVEN_FROM - DAY_BEFORE, 3, 0, [], id="ordinary-3-19.05.2016"),
    pytest.param(ORDINARY, SEVEN_FROM, 3, 0, [], id="ordinary-3-20.05.2016"),
    pytest.param(ORDINARY, SEVEN_FROM, 2, 0, ["too_few_founders"], id="ordinary-2"),
    pytest.param(ORDINARY, SEVEN_FROM, 3, 1, ["legal_persons_not_allowed"], id="ordinary-legal"),
    pytest.param(
        ORDINARY,
        date(2008, 1, 1),
        0,
        3,
        ["legal_persons_not_allowed", "too_few_founders"],
        id="ordinary-only-legal",
    ),
    # fundacja: one founder, natural or legal
    pytest.param(FOUNDATION, date(2008, 1, 1), 1, 0, [], id="foundation-1-natural"),
    pytest.param(FOUNDATION, date(2008, 1, 1), 0, 1, [], id="foundation-1-legal"),
    pytest.param(FOUNDATION, date(2026, 1, 1), 0, 0, ["too_few_founders"], id="foundation-none"),
]


@pytest.mark.parametrize(("form", "day", "natural", "legal", "expected"), CASES)
def test_founding_problems_follow_the_law_of_the_meeting_day(
    form: LegalForm, day: date, natural: int, legal: int, expected: list[str]
) -> None:
    assert _codes(form, day, natural, legal) == expected


def test_every_form_has_exactly_one_requirement_on_every_day() -> None:
    edges = {r.valid_from for r in FOUNDING_REQUIREMENTS if r.valid_from} | {
        r.valid_to for r in FOUNDING_REQUIREMENTS if r.valid_to
    }
    days = {date(1990, 1, 1), date(2100, 1, 1)}
    days |= {d + delta for d in edges for delta in (-DAY_BEFORE, timedelta(0), DAY_BEFORE)}
    for form in LegalForm:
        for day in days:
            in_force = [
                r for r in FOUNDING_REQUIREMENTS if r.legal_form == form and r.in_force_on(day)
            ]
            assert len(in_force) == 1, (form, day, in_force)
            assert requirement_on(form, day) is in_force[0]
            assert in_force[0].source


def test_missing_requirement_is_a_lookup_error() -> None:
    only_2018 = [r for r in FOUNDING_REQUIREMENTS if r.valid_from == THREE_NATURAL_FROM]
    with pytest.raises(LookupError, match="no founding requirement"):
        founding_problems(COOP, date(2010, 1, 1), 5, 0, only_2018)


def test_problem_messages_name_the_numbers() -> None:
    (assoc,) = founding_problems(ASSOC, date(2010, 10, 28), 14, 0)
    assert str(assoc) == (
        "an association founded on 2010-10-28 needs at least 15 natural person founders, got 14"
    )
    (coop,) = founding_problems(COOP, date(2010, 1, 1), 4, 1)
    assert "needs at least 5 natural persons or 2 legal persons" in coop.message
    legal, _ = founding_problems(COOP, date(2009, 7, 15), 0, 2)
    assert legal.message.endswith("cannot have legal persons as founders, got 2")
