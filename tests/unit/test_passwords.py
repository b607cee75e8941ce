"""Password policy: pure functions, no app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from incubator.domain import passwords
from incubator.domain.passwords import load_common_passwords, password_problems

COMMON = load_common_passwords()


def problems(password: str, **kw) -> list[str]:
    kw.setdefault("min_length", 10)
    kw.setdefault("common", COMMON)
    return password_problems(password, **kw)


def test_common_list_is_large_lower_cased_and_has_polish_favourites() -> None:
    assert len(COMMON) >= 1000
    assert all(p == p.lower() and p == p.strip() and p for p in COMMON)
    for polish in ("zaq12wsx", "qwerty123", "polska123", "haslo123", "kochanie", "1qaz2wsx"):
        assert polish in COMMON


def test_common_list_is_cached() -> None:
    assert load_common_passwords() is load_common_passwords()


def test_common_list_file_is_one_password_per_line() -> None:
    lines = passwords.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) >= 1000


@pytest.mark.parametrize(
    "password",
    ["correct-horse-battery", "Dwa koty na płocie 7", "wiosna w Pieninach nad Popradem"],
)
def test_good_passwords_pass(password: str) -> None:
    assert problems(password, email="anna.nowak@example.org", name="Anna Nowak") == []


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("", "too_short"),
        ("krótkie", "too_short"),
        ("x" * 257, "too_long"),
        ("zaq12wsxcde3", "too_common"),
        ("QWERTY12345", "too_common"),  # case does not help
        ("Kochanie2024!", "too_common"),  # a listed word padded with digits and symbols
        ("!!polska!!2025", "too_common"),
        ("Hasło12345", "too_common"),  # diacritics folded: "haslo"
        ("aaaaaaaaaaaa", "repetitive"),
        ("ababababababab", "repetitive"),
        ("abcdefghijklm", "sequential"),
        ("9876543210", "sequential"),
    ],
)
def test_bad_passwords_give_codes(password: str, code: str) -> None:
    assert code in problems(password)


def test_exactly_min_length_is_enough() -> None:
    assert "too_short" not in problems("tu-dziesie", min_length=10)
    assert "too_short" in problems("tu-dziesi", min_length=10)


def test_email_and_its_parts_are_refused() -> None:
    email = "Jan.Kowalski@example.org"
    assert "contains_email" in problems("jan.kowalski@example.org!", email=email)
    assert "contains_email" in problems("mojekowalski-2024", email=email)
    # Short parts ("jan") and the shared domain are not forbidden.
    assert "contains_email" not in problems("jan i maria z gór", email=email)
    assert "contains_email" not in problems("zielone example drzewa", email=email)


def test_name_is_refused_even_without_diacritics() -> None:
    assert "contains_name" in problems("zolkiewska-lubi-gory", name="Józefa Żółkiewska")
    assert "contains_name" not in problems("lubie spacery po gorach", name="Ewa Żak")


def test_several_problems_are_all_reported_in_order() -> None:
    assert problems("polska", min_length=10) == ["too_short", "too_common"]


def test_codes_are_declared() -> None:
    assert set(passwords.ALL_CODES) >= {"too_short", "too_common", "contains_email"}


def test_domain_module_imports_no_flask() -> None:
    tree = ast.parse(Path(passwords.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"flask", "flask_babel", "sqlalchemy", "incubator"}
