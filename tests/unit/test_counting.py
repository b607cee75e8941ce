"""The counting rules and the dated breakdown schemes, without a database."""

from __future__ import annotations

import json
from datetime import date

import pytest

from incubator.config import resource_dir
from incubator.domain.counting import (
    PeriodOrder,
    age_breakdown,
    age_on,
    breakdowns,
    check_period,
    month_starts,
)
from incubator.domain.errors import InvalidInput
from incubator.domain.schemes import SchemeError, choose_scheme, parse_schemes

SCHEMES = parse_schemes(
    json.loads((resource_dir("seed_data") / "breakdown_schemes.json").read_text("utf-8"))
)
BY_CODE = {s.code: s for s in SCHEMES}


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "day", "age"),
    [
        (date(1990, 6, 15), None, date(2026, 6, 14), 35),
        (date(1990, 6, 15), None, date(2026, 6, 15), 36),
        (date(2000, 2, 29), None, date(2026, 2, 28), 25),
        (date(2000, 2, 29), None, date(2026, 3, 1), 26),
        (None, 1990, date(2026, 1, 1), 36),
        (None, None, date(2026, 1, 1), None),
    ],
)
def test_age_on_the_day_of_first_support(birth_date, birth_year, day, age) -> None:
    assert age_on(birth_date, birth_year, day) == age


@pytest.mark.parametrize(
    ("day", "programme", "code"),
    [
        (date(2008, 5, 1), None, "efs_2007_2013"),
        (date(2015, 1, 1), None, "efs_2014_2020"),  # both valid: the newer one
        (date(2026, 12, 1), None, "efs_2021_2027"),
        (date(2026, 12, 1), "efs_2014_2020", "efs_2014_2020"),  # the project's programme wins
        (date(2001, 1, 1), None, "efs_2007_2013"),  # before every scheme: the oldest
    ],
)
def test_the_scheme_is_chosen_by_programme_else_by_the_first_day(day, programme, code) -> None:
    assert choose_scheme(SCHEMES, day, programme).code == code


@pytest.mark.parametrize(
    ("age", "band"),
    [(17, "under_18"), (18, "18_29"), (29, "18_29"), (30, "30_54"), (54, "30_54"), (55, "55_plus")],
)
def test_esf_plus_age_bands_have_no_30_54_band_of_their_own_but_the_rest(age, band) -> None:
    assert BY_CODE["efs_2021_2027"].age_band(age).code == band


def test_2014_2020_bands_are_under_25_and_over_54() -> None:
    scheme = BY_CODE["efs_2014_2020"]
    assert [scheme.age_band(a).code for a in (24, 25, 54, 55)] == [
        "under_25",
        "25_54",
        "25_54",
        "over_54",
    ]


def test_age_breakdown_puts_unknown_ages_apart() -> None:
    result = age_breakdown(BY_CODE["efs_2021_2027"], {17: 1, 20: 2, 40: 3, 70: 4, None: 5})
    assert {line.code: line.count for line in result.lines} == {
        "under_18": 1,
        "18_29": 2,
        "30_54": 3,
        "55_plus": 4,
    }
    assert result.unknown == 5


def test_the_long_term_unemployed_count_in_both_unemployed_lines_and_each_person_once() -> None:
    grouped = {
        "labour_status": {
            "registered_unemployed": 3,
            "long_term_unemployed": 2,
            "employed": 1,
            None: 4,
        },
        "gender": {"female": 2, "male": 1, "non_binary": 1, "refused": 1, None: 1},
        "disability": {"yes": 1, "refused": 2, None: 3},
    }
    result = breakdowns(BY_CODE["efs_2021_2027"], grouped, {})
    labour = {line.code: line.count for line in result["labour_status"].lines}
    assert labour == {"unemployed": 5, "long_term_unemployed": 2, "inactive": 0, "employed": 1}
    assert result["labour_status"].unknown == 4
    gender = {line.code: line.count for line in result["gender"].lines}
    assert gender == {"female": 2, "male": 1, "non_binary": 1}
    assert result["gender"].unknown == 2  # refused and missing
    disability = {line.code: line.count for line in result["disability"].lines}
    assert disability == {"yes": 1, "no": 0, "refused": 2}
    assert result["disability"].unknown == 3  # not asked is unknown, never "no"


def test_non_binary_has_no_line_before_esf_plus() -> None:
    result = breakdowns(BY_CODE["efs_2007_2013"], {"gender": {"non_binary": 1, "female": 1}}, {})
    assert [line.code for line in result["gender"].lines] == ["female", "male"]
    assert result["gender"].unknown == 1


def test_month_starts_cover_every_touched_month() -> None:
    assert month_starts(date(2010, 11, 30), date(2011, 2, 1)) == [
        date(2010, 11, 1),
        date(2010, 12, 1),
        date(2011, 1, 1),
        date(2011, 2, 1),
    ]
    assert month_starts(date(2011, 2, 3), date(2011, 2, 3)) == [date(2011, 2, 1)]


def test_a_period_must_be_in_order_and_not_absurdly_long() -> None:
    check_period(date(2011, 1, 1), date(2011, 1, 1))
    with pytest.raises(PeriodOrder):
        check_period(date(2011, 1, 2), date(2011, 1, 1))
    with pytest.raises(InvalidInput):
        check_period(date(1900, 1, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "schemes"),
        ({"schemes": [{"code": "x"}]}, "name_pl"),
        (
            {
                "schemes": [
                    dict(
                        json.loads(json.dumps({"code": "a"})),
                        name_pl="A",
                        name_en="A",
                        valid_from="2020-13-01",
                    )
                ]
            },
            "not a date",
        ),
    ],
)
def test_a_wrong_scheme_file_is_refused_with_its_reason(data, problem) -> None:
    with pytest.raises(SchemeError, match=problem):
        parse_schemes(data)


def test_scheme_codes_are_unique() -> None:
    raw = json.loads((resource_dir("seed_data") / "breakdown_schemes.json").read_text("utf-8"))
    raw["schemes"].append(raw["schemes"][0])
    with pytest.raises(SchemeError, match="unique"):
        parse_schemes(raw)
