"""KRS, NIP and REGON as a founding group's register identifiers (issue #12, DOMAIN.md).

Valid samples are built here from the published weights rather than copied from somewhere, and
the arithmetic is cross-checked against python-stdnum, an independent implementation.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.pl import nip as std_nip
from stdnum.pl import regon as std_regon

from incubator.domain.errors import DomainError
from incubator.domain.identifiers import (
    InvalidKrs,
    InvalidNip,
    InvalidRegon,
    nip_is_valid,
    normalise_krs,
    normalise_nip,
    normalise_regon,
    regon_is_valid,
)
from incubator.web.common import errors as tables


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def nip_from(body: str) -> str:
    """`body` (9 digits) with its NIP check digit; the body must not give a remainder of 10."""
    check = _weighted(body, (6, 5, 7, 2, 3, 4, 5, 6, 7)) % 11
    assert check != 10, body
    return body + str(check)


def regon9_from(body: str) -> str:
    return body + str(_weighted(body, (8, 9, 2, 3, 4, 5, 6, 7)) % 11 % 10)


def regon14_from(body: str) -> str:
    weights = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)
    return body + str(_weighted(body, weights) % 11 % 10)


def _other_digit(digit: str) -> str:
    return str((int(digit) + 1) % 10)


def _nip_body_with_remainder_10() -> str:
    """The first 9-digit body whose NIP weighted sum leaves 10, so that no check digit fits."""
    for n in range(100_000_000, 1_000_000_000):
        body = str(n)
        if _weighted(body, (6, 5, 7, 2, 3, 4, 5, 6, 7)) % 11 == 10:
            return body
    raise AssertionError("unreachable")


NIP = nip_from("123456321")  # "1234563218", a NIP often used as an example
NIP_BAD_CHECK = NIP[:9] + _other_digit(NIP[9])
NIP_CHECK_10 = [_nip_body_with_remainder_10() + d for d in "0123456789"]
REGON9 = regon9_from("12345678")
REGON9_BAD = REGON9[:8] + _other_digit(REGON9[8])
REGON14 = regon14_from(REGON9 + "0001")
REGON14_BAD = REGON14[:13] + _other_digit(REGON14[13])
# A 14-digit REGON whose own check digit is right but whose first nine are not a valid REGON-9.
REGON14_BAD_FIRST_NINE = regon14_from(REGON9_BAD + "0001")


def test_the_samples_are_what_they_claim() -> None:
    # Guards the tables below: each "valid" sample really is valid and each "bad" one is not.
    assert std_nip.is_valid(NIP) and not std_nip.is_valid(NIP_BAD_CHECK)
    assert not any(std_nip.is_valid(n) for n in NIP_CHECK_10)
    assert std_regon.is_valid(REGON9) and not std_regon.is_valid(REGON9_BAD)
    assert std_regon.is_valid(REGON14) and not std_regon.is_valid(REGON14_BAD)
    assert not std_regon.is_valid(REGON14_BAD_FIRST_NINE)
    assert REGON14_BAD_FIRST_NINE[:9] == REGON9_BAD


# --- accepted, and what is stored -----------------------------------------------------------


@pytest.mark.parametrize(
    ("normalise", "text", "stored"),
    [
        (normalise_krs, "0000380128", "0000380128"),
        (normalise_krs, "  0000380128 ", "0000380128"),
        (normalise_krs, "KRS 0000380128", "0000380128"),
        (normalise_krs, "krs0000380128", "0000380128"),
        (normalise_krs, "0000000001", "0000000001"),
        (normalise_nip, NIP, NIP),
        (normalise_nip, f"PL{NIP}", NIP),
        (normalise_nip, f"pl {NIP[:3]}-{NIP[3:6]}-{NIP[6:8]}-{NIP[8:]}", NIP),
        (normalise_nip, f" {NIP[:3]} {NIP[3:6]} {NIP[6:8]} {NIP[8:]} ", NIP),
        (normalise_regon, REGON9, REGON9),
        (normalise_regon, f" {REGON9[:3]}-{REGON9[3:6]}-{REGON9[6:]} ", REGON9),
        (normalise_regon, REGON14, REGON14),
    ],
)
def test_accepted(normalise, text: str, stored: str) -> None:
    assert normalise(text) == stored


# --- refused, with the code, field and reason a message needs -------------------------------


@pytest.mark.parametrize(
    ("normalise", "text", "error", "reason"),
    [
        (normalise_krs, "380128", InvalidKrs, "length"),  # leading zeros left out: not padded
        (normalise_krs, "000038012", InvalidKrs, "length"),  # 9 digits
        (normalise_krs, "00003801281", InvalidKrs, "length"),  # 11 digits
        (normalise_krs, "", InvalidKrs, "length"),
        (normalise_krs, "KRS", InvalidKrs, "length"),
        (normalise_krs, "00003801O8", InvalidKrs, "not_digits"),  # letter O for zero
        (normalise_krs, "abcdefghij", InvalidKrs, "not_digits"),
        (normalise_krs, "０００００３８０１２８", InvalidKrs, "not_digits"),  # full-width digits
        (normalise_krs, "0000380128.", InvalidKrs, "not_digits"),
        (normalise_nip, NIP_BAD_CHECK, InvalidNip, "check_digit"),
        *[(normalise_nip, n, InvalidNip, "check_digit") for n in NIP_CHECK_10],
        (normalise_nip, NIP[:9], InvalidNip, "length"),
        (normalise_nip, NIP + "0", InvalidNip, "length"),
        (normalise_nip, "PL", InvalidNip, "length"),
        (normalise_nip, "DE" + NIP, InvalidNip, "not_digits"),
        (normalise_nip, NIP[:9] + "X", InvalidNip, "not_digits"),
        (normalise_regon, REGON9_BAD, InvalidRegon, "check_digit"),
        (normalise_regon, REGON14_BAD, InvalidRegon, "check_digit"),
        (normalise_regon, REGON14_BAD_FIRST_NINE, InvalidRegon, "check_digit"),
        (normalise_regon, REGON9[:8], InvalidRegon, "length"),
        (normalise_regon, REGON9 + "0", InvalidRegon, "length"),  # 10 digits
        (normalise_regon, REGON14 + "0", InvalidRegon, "length"),  # 15 digits
        (normalise_regon, REGON9[:8] + "A", InvalidRegon, "not_digits"),
    ],
)
def test_refused(normalise, text: str, error: type[DomainError], reason: str) -> None:
    with pytest.raises(error) as caught:
        normalise(text)
    assert caught.value.params["reason"] == reason
    assert caught.value.field == error.field
    assert caught.value.params["field"] == error.field


def test_codes_are_stable_and_the_field_can_be_named() -> None:
    assert (InvalidKrs.code, InvalidNip.code, InvalidRegon.code) == (
        "invalid_krs",
        "invalid_nip",
        "invalid_regon",
    )
    with pytest.raises(InvalidNip) as caught:
        normalise_nip(NIP_BAD_CHECK, field="members-0-nip")
    assert caught.value.field == "members-0-nip"
    assert caught.value.params["field"] == "members-0-nip"


# --- cross-checked against python-stdnum ------------------------------------------------------


@settings(max_examples=400)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_nip_agrees_with_stdnum(digits: str) -> None:
    assert nip_is_valid(digits) == std_nip.is_valid(digits)


@settings(max_examples=400)
@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.booleans())
def test_nip_agrees_with_stdnum_near_valid_numbers(head: str, corrupt: bool) -> None:
    # Random strings are valid about once in eleven; these are valid unless corrupted.
    body = head + "1"
    if _weighted(body, (6, 5, 7, 2, 3, 4, 5, 6, 7)) % 11 == 10:
        body = head + "2"
    number = nip_from(body)
    if corrupt:
        number = number[:9] + _other_digit(number[9])
    assert nip_is_valid(number) == std_nip.is_valid(number) == (not corrupt)


@settings(max_examples=400)
@given(st.sampled_from([9, 14]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_regon_agrees_with_stdnum(digits: str) -> None:
    assert regon_is_valid(digits) == std_regon.is_valid(digits)


@settings(max_examples=400)
@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.sampled_from(["none", "nine", "fourteen", "first_nine"]),
)
def test_regon_agrees_with_stdnum_near_valid_numbers(head: str, tail: str, corrupt: str) -> None:
    nine = regon9_from(head)
    if corrupt == "first_nine":
        nine = nine[:8] + _other_digit(nine[8])
    fourteen = regon14_from(nine + tail)
    if corrupt == "nine":
        nine = nine[:8] + _other_digit(nine[8])
    if corrupt == "fourteen":
        fourteen = fourteen[:13] + _other_digit(fourteen[13])
    for number in (nine, fourteen):
        assert regon_is_valid(number) == std_regon.is_valid(number)
    assert regon_is_valid(fourteen) == (corrupt in ("none", "nine"))


# --- what a person reads --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "language", "expected"),
    [
        (
            InvalidKrs(reason="length"),
            "pl",
            "Numer KRS ma 10 cyfr (z zerami na początku), np. 0000380128.",
        ),
        (
            InvalidKrs(reason="length"),
            "en",
            "A KRS number has 10 digits (with the leading zeros), e.g. 0000380128.",
        ),
        (
            InvalidKrs(reason="not_digits"),
            "pl",
            "Numer KRS składa się wyłącznie z cyfr, np. 0000380128.",
        ),
        (InvalidNip(reason="length"), "pl", "Numer NIP ma 10 cyfr."),
        (
            InvalidNip(reason="check_digit"),
            "pl",
            "Ten numer NIP jest nieprawidłowy: cyfra kontrolna się nie zgadza. Sprawdź 10 cyfr.",
        ),
        (InvalidRegon(reason="length"), "pl", "Numer REGON ma 9 albo 14 cyfr."),
        (InvalidRegon(reason="length"), "en", "A REGON number has 9 or 14 digits."),
        (
            InvalidRegon(reason="check_digit"),
            "pl",
            "Ten numer REGON jest nieprawidłowy: cyfra kontrolna się nie zgadza. Sprawdź cyfry.",
        ),
    ],
)
def test_messages_say_what_to_fix(
    app: Flask, error: DomainError, language: str, expected: str
) -> None:
    assert tables.STATUS[error.code] == 422
    with app.test_request_context(), force_locale(language):
        assert tables.message_for(error) == expected
