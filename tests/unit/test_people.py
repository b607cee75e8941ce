"""Names, phone numbers, languages and the pure half of the e-mail rule (domain/people.py)."""

from __future__ import annotations

import pytest

from incubator.domain import people
from incubator.domain.accounts import InvalidEmail
from incubator.domain.errors import InvalidInput


def test_clean_name_collapses_blanks() -> None:
    assert people.clean_name("  Anna \t  Nowak ") == "Anna Nowak"


@pytest.mark.parametrize("bad", ["", "   ", None, "x" * 161])
def test_clean_name_refuses_empty_and_long(bad) -> None:
    with pytest.raises(InvalidInput):
        people.clean_name(bad)


def test_clean_phone_is_optional_but_bounded() -> None:
    assert people.clean_phone(None) == ""
    assert people.clean_phone(" 600  100 200 ") == "600 100 200"
    with pytest.raises(InvalidInput):
        people.clean_phone("1" * 41)


@pytest.mark.parametrize(
    ("phone", "digits", "local"),
    [
        ("+48 600 100 200", "48600100200", "600100200"),
        ("(22) 123-45-67", "221234567", "221234567"),
        ("48 600", "48600", "48600"),
        (None, "", ""),
    ],
)
def test_phone_digits(phone, digits: str, local: str) -> None:
    assert people.phone_digits(phone) == digits
    assert people.local_phone_digits(phone) == local


def test_languages() -> None:
    assert people.clean_language("en") == "en"
    with pytest.raises(InvalidInput):
        people.clean_language("de")


def test_email_halves() -> None:
    assert people.email_candidate("  Anna@Example.org ") == "Anna@Example.org"
    assert people.fold_email("Anna@Example.org") == "anna@example.org"
    with pytest.raises(InvalidEmail):
        people.email_candidate("   ")


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("600 100 200", "••• ••• 200"),
        ("+48 601-222-333", "+•• •••-•••-333"),
        ("12", "12"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_the_last_three_digits(phone, masked) -> None:
    assert people.mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [("maria.w@example.org", "m•••@example.org"), (None, ""), ("", ""), ("odd", "•••")],
)
def test_mask_email_hides_the_mailbox(email, masked) -> None:
    assert people.mask_email(email) == masked
