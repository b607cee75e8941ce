"""The participant record's rules: answers, consistency, completeness, duplicates, merging."""

from __future__ import annotations

from datetime import date

import pytest

from incubator.domain import participants as p
from incubator.domain.errors import NotFound
from incubator.models.user import Education, Gender, LabourStatus, Residence, SensitiveAnswer

TODAY = date(2026, 11, 23)
PESEL_WOMAN_1985 = "85010112345"  # 1 Jan 1985, tenth digit even: a woman


def test_choices_agree_with_the_models() -> None:
    assert set(p.GENDERS) == {g.value for g in Gender}
    assert set(p.LABOUR_STATUSES) == {s.value for s in LabourStatus}
    assert set(p.EDUCATIONS) == {e.value for e in Education}
    assert set(p.SENSITIVE_ANSWERS) == {a.value for a in SensitiveAnswer}
    assert set(p.RESIDENCES) == {r.value for r in Residence}


def test_blank_answers_are_unknown() -> None:
    answers = p.clean_answers({"gender": "", "education": "  ", "birth_year": ""}, today=TODAY)
    assert answers.is_empty


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gender", "woman"),
        ("labour_status", "unemployed"),
        ("education", "isced_1_2"),
        ("disability", "maybe"),
        ("minority", "no_answer"),
        ("third_country", "true"),
        ("foreign_background", "1"),
        ("homeless", "sometimes"),
        ("residence", "suburban"),
    ],
)
def test_an_answer_outside_the_choices_is_refused(field: str, value: str) -> None:
    with pytest.raises(p.InvalidAnswer) as caught:
        p.clean_answers({field: value}, today=TODAY)
    assert caught.value.field == field


@pytest.mark.parametrize("field", ["disability", "minority", "third_country", "homeless"])
def test_sensitive_questions_allow_refusal(field: str) -> None:
    assert getattr(p.clean_answers({field: "refused"}, today=TODAY), field) == "refused"


def test_residence_does_not_allow_refusal() -> None:
    with pytest.raises(p.InvalidAnswer):
        p.clean_answers({"residence": "refused"}, today=TODAY)


def test_birth_year_is_derived_from_the_date() -> None:
    answers = p.clean_answers({"birth_date": date(1980, 5, 2)}, today=TODAY)
    assert answers.birth_year == 1980


def test_a_different_year_with_a_date_is_refused() -> None:
    with pytest.raises(p.BirthYearMismatch):
        p.clean_answers({"birth_date": date(1980, 5, 2), "birth_year": "1981"}, today=TODAY)


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(p.BirthDateInFuture):
        p.clean_answers({"birth_date": date(2026, 11, 24)}, today=TODAY)


@pytest.mark.parametrize("year", [1899, 2027, 3000])
def test_implausible_birth_year_is_refused(year: int) -> None:
    with pytest.raises(p.ImplausibleBirthYear) as caught:
        p.clean_answers({"birth_year": year}, today=TODAY)
    assert caught.value.params["high"] == 2026


def test_birth_year_must_be_a_number() -> None:
    with pytest.raises(p.InvalidAnswer) as caught:
        p.clean_answers({"birth_year": "abc"}, today=TODAY)
    assert caught.value.field == "birth_year"


@pytest.mark.parametrize("year", [1900, 2026])
def test_birth_year_bounds_are_accepted(year: int) -> None:
    assert p.clean_answers({"birth_year": year}, today=TODAY).birth_year == year


def test_pesel_with_wrong_check_digit_is_refused() -> None:
    with pytest.raises(p.InvalidPesel):
        p.clean_answers({"pesel": "85010112346"}, today=TODAY)


@pytest.mark.parametrize("pesel", ["8501011234", "8501011234a", "850101123451"])
def test_malformed_pesel_is_refused(pesel: str) -> None:
    with pytest.raises(p.InvalidPesel):
        p.clean_answers({"pesel": pesel}, today=TODAY)


def test_valid_pesel_supplies_the_birth_date() -> None:
    answers = p.clean_answers({"pesel": " 85010112345 "}, today=TODAY)
    assert answers.pesel == PESEL_WOMAN_1985
    assert answers.birth_date == date(1985, 1, 1)
    assert answers.birth_year == 1985


def test_pesel_must_agree_with_the_birth_date() -> None:
    with pytest.raises(p.PeselMismatch) as caught:
        p.clean_answers({"pesel": PESEL_WOMAN_1985, "birth_date": date(1985, 1, 2)}, today=TODAY)
    assert caught.value.params["what"] == "birth_date"


def test_pesel_must_agree_with_the_birth_year() -> None:
    with pytest.raises(p.PeselMismatch):
        p.clean_answers({"pesel": PESEL_WOMAN_1985, "birth_year": 1986}, today=TODAY)


def test_pesel_must_agree_with_the_gender() -> None:
    with pytest.raises(p.PeselMismatch) as caught:
        p.clean_answers({"pesel": PESEL_WOMAN_1985, "gender": "male"}, today=TODAY)
    assert caught.value.params["what"] == "gender"


@pytest.mark.parametrize("gender", ["female", "refused", "non_binary"])
def test_pesel_with_an_agreeing_or_other_gender_is_kept(gender: str) -> None:
    answers = p.clean_answers({"pesel": PESEL_WOMAN_1985, "gender": gender}, today=TODAY)
    assert answers.gender == gender


def test_missing_answers_name_the_non_sensitive_ones() -> None:
    assert p.missing_answers(p.Answers()) == ["gender", "age", "labour_status", "education"]
    full = p.Answers(
        gender="male", birth_year=1970, labour_status="employed", education="isced_3_4"
    )
    assert p.missing_answers(full) == []
    assert p.is_complete(full)
    assert p.missing_answers(p.Answers(gender="refused", birth_date=date(1970, 1, 1))) == [
        "gender",
        "labour_status",
        "education",
    ]


def test_sensitive_answers_do_not_affect_completeness() -> None:
    full = p.Answers(
        gender="male", birth_year=1970, labour_status="employed", education="isced_3_4"
    )
    assert p.is_complete(full)  # disability, minority unknown


def test_experts_see_no_sensitive_field_nor_pesel() -> None:
    expert = p.visible_fields(is_manager=False)
    assert not set(p.SENSITIVE_FIELDS) & set(expert)
    assert "pesel" not in expert
    assert set(p.visible_fields(is_manager=True)) == set(p.FIELDS)
    assert set(p.visible_fields(is_manager=False, is_self=True)) == set(p.FIELDS)


def test_changed_fields_lists_names_only() -> None:
    before = p.Answers(gender="male")
    after = p.Answers(gender="female", education="isced_0_2")
    assert p.changed_fields(before, after, p.FIELDS) == ["gender", "education"]


def test_fill_gaps_keeps_known_answers() -> None:
    kept = p.Answers(gender="female", education=None)
    other = p.Answers(gender="male", education="isced_5_8")
    assert p.fill_gaps(kept, other) == p.Answers(gender="female", education="isced_5_8")


# --- duplicates -------------------------------------------------------------------------------


def test_names_fold_case_blanks_and_diacritics() -> None:
    assert p.normalise_name("  Łukasz   ŻÓŁĆ ") == p.normalise_name("lukasz zolc") == "lukasz zolc"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("+48 600 100 200", "600-100-200"),
        ("(600) 100 200", "48600100200"),
        ("600100200", "600100200"),
    ],
)
def test_phones_compare_by_digits_without_48(a: str, b: str) -> None:
    assert p.normalise_phone(a) == p.normalise_phone(b)


def test_too_short_phone_identifies_nobody() -> None:
    assert p.normalise_phone("12 34") is None


def keys(**kw) -> p.PersonKeys:
    return p.PersonKeys.of(**kw)


def test_same_pesel_matches() -> None:
    assert p.match_reasons(keys(pesel=PESEL_WOMAN_1985), keys(pesel=PESEL_WOMAN_1985)) == ["pesel"]


def test_same_email_matches_whatever_the_case() -> None:
    assert p.match_reasons(keys(email=" Anna@Example.ORG"), keys(email="anna@example.org")) == [
        "email"
    ]


def test_same_phone_matches() -> None:
    assert p.match_reasons(keys(phone="+48 600 100 200"), keys(phone="600100200")) == ["phone"]


def test_same_name_and_birth_year_matches() -> None:
    new = keys(full_name="józef  kowalski", birth_year=1960)
    assert p.match_reasons(new, keys(full_name="Józef Kowalski", birth_year=1960)) == [
        "name_birth_year"
    ]
    assert p.match_reasons(new, keys(full_name="Jozef Kowalski", birth_year=1961)) == []


def test_same_name_without_birth_year_is_not_enough() -> None:
    assert p.match_reasons(keys(full_name="Jan Nowak"), keys(full_name="Jan Nowak")) == []


def test_unknown_keys_never_match() -> None:
    assert p.match_reasons(keys(), keys()) == []


def test_every_reason_is_listed_in_order() -> None:
    one = keys(
        pesel=PESEL_WOMAN_1985,
        email="a@b.pl",
        phone="600100200",
        full_name="Anna Nowak",
        birth_year=1985,
    )
    assert p.match_reasons(one, one) == list(p.MATCH_REASONS)


# --- merging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "result"),
    [
        (True, None, True),
        (None, True, True),
        (False, True, True),
        (False, None, False),
        (None, False, False),
        (None, None, None),
    ],
)
def test_combined_attendance(first, second, result) -> None:
    assert p.combined_attendance(first, second) is result


def test_merge_refusals() -> None:
    assert isinstance(p.merge_refusal(1, 1, "client", "client"), p.MergeSamePerson)
    assert isinstance(p.merge_refusal(1, 2, None, "client"), NotFound)
    assert p.merge_refusal(1, 2, "client", None).params["person_id"] == 2
    assert isinstance(p.merge_refusal(1, 2, "client", "expert"), p.MergeStaffAccount)
    assert isinstance(p.merge_refusal(1, 2, "manager", "client"), p.MergeStaffAccount)
    assert p.merge_refusal(1, 2, "client", "client") is None


@pytest.mark.parametrize(
    "pesel",
    ["85010112345", "02271409867", "85010112346", "85130112345", "85023012340", "00000000000"]
    + [f"{n:011d}" for n in range(44051401359, 44051401459, 7)],
)
def test_pesel_agrees_with_python_stdnum(pesel: str) -> None:
    from stdnum.pl import pesel as reference

    expected = reference.get_birth_date(pesel) if reference.is_valid(pesel) else None
    assert p.pesel_birth_date(pesel) == expected
    if expected is not None:
        woman = reference.get_gender(pesel) == "F"
        answers = p.clean_answers({"pesel": pesel}, today=date(2300, 1, 1))
        assert answers.birth_date == expected
        with pytest.raises(p.PeselMismatch):
            p.clean_answers(
                {"pesel": pesel, "gender": "male" if woman else "female"}, today=date(2300, 1, 1)
            )


def test_pesel_of_the_1800s_is_implausible() -> None:
    with pytest.raises(p.ImplausibleBirthYear):
        p.clean_answers({"pesel": "85810112349"}, today=TODAY)


def test_pesel_born_after_today_is_refused() -> None:
    with pytest.raises(p.InvalidPesel):
        p.clean_answers({"pesel": "02271409867"}, today=date(2002, 7, 13))
