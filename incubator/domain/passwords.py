"""Password policy: length, common passwords, personal data inside the password.

Pure functions. The rules follow NIST SP 800-63B §5.1.1.2 (and the CERT Polska advice built on it):
a minimum length and a check against lists of common and compromised passwords, no composition
rules ("one digit, one capital") and no forced periodic changes.

`password_problems` returns stable codes, never messages: the web layer and the CLI each turn them
into text in their own language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"

# Long enough for any passphrase; the limit only stops multi-megabyte inputs to the hash function.
MAX_LENGTH = 256
# Parts of a name or e-mail shorter than this ("Jan", "ab") are too common to forbid.
MIN_PERSONAL_PART = 4
# "abcdefgh", "12345678", "qwertyuiop": runs along the alphabet, the digits or a keyboard row.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)
_TRAILING_NOISE = re.compile(r"[\d\W_]+$")
_LEADING_NOISE = re.compile(r"^[\d\W_]+")
_PARTS = re.compile(r"[\W_]+")

# Codes, in the order they are reported.
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
TOO_COMMON = "too_common"
CONTAINS_EMAIL = "contains_email"
CONTAINS_NAME = "contains_name"
REPETITIVE = "repetitive"
SEQUENTIAL = "sequential"

ALL_CODES = (
    TOO_SHORT,
    TOO_LONG,
    TOO_COMMON,
    CONTAINS_EMAIL,
    CONTAINS_NAME,
    REPETITIVE,
    SEQUENTIAL,
)


def password_problems(
    password: str,
    *,
    min_length: int,
    email: str | None = None,
    name: str | None = None,
    common: frozenset[str],
) -> list[str]:
    """Everything wrong with `password`, as a list of codes (empty when the password is fine).

    `common` holds lower-cased passwords (see `load_common_passwords`). A password is "too common"
    when it is on the list, or is a listed word with digits or symbols around it ("Kochanie2024!").
    """
    problems: list[str] = []
    if len(password) < min_length:
        problems.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(TOO_LONG)
    folded = _fold(password)
    if _is_common(password.lower(), common) or _is_common(folded, common):
        problems.append(TOO_COMMON)
    if email and _contains_email(folded, email):
        problems.append(CONTAINS_EMAIL)
    if name and _contains_name(folded, name):
        problems.append(CONTAINS_NAME)
    if password and len(set(folded)) <= max(2, len(folded) // 5):
        problems.append(REPETITIVE)
    elif len(folded) >= 4 and _is_sequence(folded):
        problems.append(SEQUENTIAL)
    return problems


@cache
def load_common_passwords(path: Path = COMMON_PASSWORDS_FILE) -> frozenset[str]:
    """The common-password list, lower-cased, one per line; read once per process."""
    with path.open(encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def _fold(text: str) -> str:
    """Lower-case and drop Polish diacritics, so "Łódź" and "lodz" compare equal."""
    text = text.lower().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _is_common(candidate: str, common: frozenset[str]) -> bool:
    if candidate in common:
        return True
    core = _LEADING_NOISE.sub("", _TRAILING_NOISE.sub("", candidate))
    # A listed word padded with digits or symbols is still a guess attackers try first.
    return len(core) >= 4 and core in common


def _contains_email(folded_password: str, email: str) -> bool:
    email = _fold(email.strip())
    local = email.partition("@")[0]
    if email and email in folded_password:
        return True
    # The local part and its pieces ("jan.kowalski" -> "kowalski"); the domain is shared by many.
    parts = {local, *_PARTS.split(local)}
    return any(len(part) >= MIN_PERSONAL_PART and part in folded_password for part in parts)


def _contains_name(folded_password: str, name: str) -> bool:
    parts = _PARTS.split(_fold(name))
    return any(len(part) >= MIN_PERSONAL_PART and part in folded_password for part in parts)


def _is_sequence(folded: str) -> bool:
    """The whole password is one run along a sequence, forwards or backwards."""
    for sequence in _SEQUENCES:
        if folded in sequence or folded in sequence[::-1]:
            return True
    return False
