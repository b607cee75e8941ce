"""Polish register identifiers of legal persons and registered entities: KRS, NIP and REGON.

A founding group's legal-person members are identified by KRS or NIP, and a registered entity
by its KRS number with NIP and REGON optional (issue #12). Each ``normalise_*`` function takes
what a person typed, refuses it with a specific reason or returns the digits to store. The
rules are those of ../shared/DOMAIN.md "Identifiers":

- KRS has no check digit that any public source documents, so only its form is checked: exactly
  10 digits, kept as a string because the leading zeros are part of the number.
- NIP and REGON carry a weighted check digit. The arithmetic is written out here (a dozen lines,
  no dependency); tests/unit/test_identifiers.py cross-checks it against python-stdnum.

Every refusal carries ``reason``: ``length`` (wrong number of digits), ``not_digits`` (a letter
or another character that is not a separator) or ``check_digit``, so the message can say what
to fix.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import DomainError

KRS_LENGTH = 10
NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)

LENGTH = "length"
NOT_DIGITS = "not_digits"
CHECK_DIGIT = "check_digit"


# Each refusal carries ``reason``: LENGTH, NOT_DIGITS or CHECK_DIGIT (never for KRS).


class InvalidKrs(DomainError):
    code = "invalid_krs"
    field = "krs"


class InvalidNip(DomainError):
    code = "invalid_nip"
    field = "nip"


class InvalidRegon(DomainError):
    code = "invalid_regon"
    field = "regon"


def _digits(
    text: str,
    error: type[DomainError],
    *,
    field: str | None,
    prefixes: tuple[str, ...] = (),
    separators: str = "",
) -> str:
    """The ASCII digits of `text` once spaces, one optional prefix and separators are dropped.

    Anything else (a letter, a full-width or Arabic-Indic digit that ``str.isdigit`` would
    accept) is refused as ``not_digits``, so nothing but 0-9 is ever stored.
    """
    value = str(text or "").strip()
    for prefix in prefixes:
        if value.upper().startswith(prefix):
            value = value[len(prefix) :]
            break
    for ch in " \t" + separators:
        value = value.replace(ch, "")
    if not value:
        raise error("empty", field=field, reason=LENGTH)
    if not all("0" <= ch <= "9" for ch in value):
        raise error("not digits", field=field, reason=NOT_DIGITS)
    return value


def _weighted(digits: str, weights: Sequence[int]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def normalise_krs(text: str, *, field: str | None = None) -> str:
    """The KRS number as its 10 digits, leading zeros kept (``"KRS 0000380128"`` is accepted).

    A 6-digit ``380128`` is refused rather than padded: the zeros are easy to type, and padding
    would silently turn a mistyped number with digits missing into another entity's.
    """
    digits = _digits(text, InvalidKrs, field=field, prefixes=("KRS",), separators="-")
    if len(digits) != KRS_LENGTH:
        raise InvalidKrs("KRS length", field=field, reason=LENGTH, length=len(digits))
    return digits


def nip_is_valid(digits: str) -> bool:
    """Whether 10 ASCII digits carry a correct NIP check digit (a remainder of 10 never does)."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    check = _weighted(digits[:9], NIP_WEIGHTS) % 11
    return check != 10 and check == int(digits[9])


def normalise_nip(text: str, *, field: str | None = None) -> str:
    """The NIP as its 10 digits; a ``PL`` prefix, spaces and dashes are accepted and dropped."""
    digits = _digits(text, InvalidNip, field=field, prefixes=("PL",), separators="-")
    if len(digits) != 10:
        raise InvalidNip("NIP length", field=field, reason=LENGTH, length=len(digits))
    if not nip_is_valid(digits):
        raise InvalidNip("NIP check digit", field=field, reason=CHECK_DIGIT)
    return digits


def regon_check_digit(body: str) -> int:
    """The check digit for the first 8 (REGON-9) or 13 (REGON-14) digits."""
    weights = REGON9_WEIGHTS if len(body) == 8 else REGON14_WEIGHTS
    return _weighted(body, weights) % 11 % 10


def regon_is_valid(digits: str) -> bool:
    """Whether 9 or 14 ASCII digits form a valid REGON (a 14-digit one on a valid 9-digit one)."""
    if len(digits) not in (9, 14) or not digits.isascii() or not digits.isdigit():
        return False
    if len(digits) == 14 and not regon_is_valid(digits[:9]):
        return False
    return regon_check_digit(digits[:-1]) == int(digits[-1])


def normalise_regon(text: str, *, field: str | None = None) -> str:
    """The REGON as its 9 or 14 digits; spaces and dashes are dropped."""
    digits = _digits(text, InvalidRegon, field=field, separators="-")
    if len(digits) not in (9, 14):
        raise InvalidRegon("REGON length", field=field, reason=LENGTH, length=len(digits))
    if not regon_is_valid(digits):
        raise InvalidRegon("REGON check digit", field=field, reason=CHECK_DIGIT)
    return digits
