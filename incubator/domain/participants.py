"""The participant record: the ESF/ESF+ monitoring answers, collected once per person.

Pure rules over plain values: which answers each question allows, what a consistent record looks
like (birth date vs. year vs. PESEL), when a record is complete enough for the breakdowns, who may
see which answer, and when two people are likely the same person.

Every answer is optional. ``None`` means "not asked / not known" and is reported as unknown, never
as "no" (the 2007–2013 records predate the 2012 disability, minority and migrant questions).
"refused" (odmowa podania informacji) is recorded as such, never guessed.

The allowed values mirror the enums in `incubator.models.user` (the domain may not import
models; `tests/unit/test_participants_domain.py` checks the two agree).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from .errors import DomainError, NotFound
from .people import local_phone_digits, phone_digits

REFUSED = "refused"
GENDERS = ("female", "male", "non_binary", REFUSED)
LABOUR_STATUSES = (
    "registered_unemployed",
    "long_term_unemployed",
    "unregistered_unemployed",
    "inactive",
    "employed",
)
EDUCATIONS = ("isced_0_2", "isced_3_4", "isced_5_8")
SENSITIVE_ANSWERS = ("yes", "no", REFUSED)
RESIDENCES = ("rural", "urban")

# Each closed question and the answers it allows.
CHOICES: dict[str, tuple[str, ...]] = {
    "gender": GENDERS,
    "labour_status": LABOUR_STATUSES,
    "education": EDUCATIONS,
    "disability": SENSITIVE_ANSWERS,
    "minority": SENSITIVE_ANSWERS,
    "third_country": SENSITIVE_ANSWERS,
    "foreign_background": SENSITIVE_ANSWERS,
    "homeless": SENSITIVE_ANSWERS,
    "residence": RESIDENCES,
}

# Health data and minority membership (art. 9 GDPR)...
SPECIAL_CATEGORY_FIELDS = ("disability", "minority")
# ...and the other answers about a disadvantaged situation (migrant, foreign background,
# homelessness): the sensitive answers, shown to managers only (and the person themself), and
# a staff view that could show them is marked "sensitive" in the audit trail.
SENSITIVE_FIELDS = (*SPECIAL_CATEGORY_FIELDS, "third_country", "foreign_background", "homeless")
# What an expert sees and may fill in: the non-sensitive monitoring answers the breakdowns need.
# Not PESEL, not the migrant, minority, homelessness or disability answers (data minimisation:
# a consultation does not need them).
EXPERT_FIELDS = ("gender", "birth_date", "birth_year", "labour_status", "education", "residence")
# The answers whose absence makes a record "incomplete" (it then counts only in the total).
COMPLETENESS = ("gender", "age", "labour_status", "education")

FIRST_BIRTH_YEAR = 1900
MIN_PHONE_DIGITS = 6


class ParticipantError(DomainError):
    """A participant answer that cannot be recorded; `field` names the question."""

    code = "participant_error"


class InvalidAnswer(ParticipantError):
    """An answer the question does not allow (not one of its choices, or not a number)."""

    code = "invalid_answer"


class BirthDateInFuture(ParticipantError):
    code = "birth_date_in_future"
    field = "birth_date"


class ImplausibleBirthYear(ParticipantError):
    """A birth year before 1900 or after this year."""

    code = "implausible_birth_year"
    field = "birth_year"


class BirthYearMismatch(ParticipantError):
    """A birth year that is not the year of the given birth date."""

    code = "birth_year_mismatch"
    field = "birth_year"


class InvalidPesel(ParticipantError):
    """Not 11 digits, a wrong check digit or an impossible date."""

    code = "invalid_pesel"
    field = "pesel"


class PeselMismatch(ParticipantError):
    """The PESEL encodes another birth date (``what="birth_date"``) or sex (``"gender"``)."""

    code = "pesel_mismatch"
    field = "pesel"


@dataclass(frozen=True)
class Answers:
    """One person's participant answers; None = not known."""

    gender: str | None = None
    birth_date: date | None = None
    birth_year: int | None = None
    labour_status: str | None = None
    education: str | None = None
    disability: str | None = None
    minority: str | None = None
    third_country: str | None = None
    foreign_background: str | None = None
    homeless: str | None = None
    residence: str | None = None
    pesel: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in self.as_dict().values())


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Answers))


def visible_fields(*, is_manager: bool, is_self: bool = False) -> tuple[str, ...]:
    """The questions a reader may see and change: all for managers and the person, else few."""
    return FIELDS if is_manager or is_self else EXPERT_FIELDS


def _choice(name: str, value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = str(value).strip()
    if value not in CHOICES[name]:
        raise InvalidAnswer(f"{name}: {value!r}", field=name)
    return value


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidAnswer("birth_year is not a number", field="birth_year") from None


def clean_answers(raw: Mapping[str, Any], *, today: date) -> Answers:
    """Check a set of answers and make them consistent; raise a specific refusal otherwise.

    Blank answers become None. The birth year is derived from the birth date (a different year
    given with it is refused); a PESEL must have a valid check digit and agree with the birth
    date and sex given, and supplies the birth date when none is given.
    """
    values: dict[str, Any] = {name: _choice(name, raw.get(name)) for name in CHOICES}
    birth_date = raw.get("birth_date") or None
    year = _year(raw.get("birth_year"))
    if birth_date is not None:
        if birth_date > today:
            raise BirthDateInFuture("birth date in the future")
        if year is not None and year != birth_date.year:
            raise BirthYearMismatch("birth year differs from birth date", year=year)
        year = birth_date.year
    if year is not None and not FIRST_BIRTH_YEAR <= year <= today.year:
        raise ImplausibleBirthYear("birth year out of range", low=FIRST_BIRTH_YEAR, high=today.year)
    answers = Answers(**values, birth_date=birth_date, birth_year=year)
    return _with_pesel(answers, raw.get("pesel"), today=today)


PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# The month's tens carry the century: +80 the 1800s, +0 the 1900s, +20 the 2000s...
PESEL_CENTURIES = {0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800}


def pesel_birth_date(pesel: str) -> date | None:
    """The birth date a PESEL encodes, or None when it is not a valid PESEL.

    11 digits; check digit = (10 - sum(digit x weight) mod 10) mod 10 with weights
    1,3,7,9,1,3,7,9,1,3; the month carries the century (Dz.U. 2024 poz. 736, art. 15 of the act on
    population registration). Kept in the standard library because the domain imports nothing
    else; `tests/unit/test_participants_domain.py` checks it against python-stdnum's
    `stdnum.pl.pesel`.
    """
    if len(pesel) != 11 or not pesel.isascii() or not pesel.isdigit():
        return None
    digits = [int(ch) for ch in pesel]
    if (10 - sum(d * w for d, w in zip(digits, PESEL_WEIGHTS, strict=False)) % 10) % 10 != digits[
        10
    ]:
        return None
    month = digits[2] * 10 + digits[3]
    offset = month // 20 * 20
    try:
        return date(
            PESEL_CENTURIES[offset] + digits[0] * 10 + digits[1],
            month - offset,
            digits[4] * 10 + digits[5],
        )
    except ValueError:
        return None


def _with_pesel(answers: Answers, raw: Any, *, today: date) -> Answers:
    text = "".join(str(raw or "").split())
    if not text:
        return answers
    born = pesel_birth_date(text)
    if born is None or born > today:
        raise InvalidPesel("invalid PESEL")
    if born.year < FIRST_BIRTH_YEAR:
        raise ImplausibleBirthYear(
            "PESEL birth year out of range", low=FIRST_BIRTH_YEAR, high=today.year
        )
    if answers.birth_date is not None and answers.birth_date != born:
        raise PeselMismatch("PESEL birth date differs", what="birth_date")
    if answers.birth_date is None and answers.birth_year not in (None, born.year):
        raise PeselMismatch("PESEL birth year differs", what="birth_date")
    sex = "female" if int(text[9]) % 2 == 0 else "male"
    if answers.gender in ("female", "male") and answers.gender != sex:
        raise PeselMismatch("PESEL sex differs", what="gender")
    return replace(answers, pesel=text, birth_date=born, birth_year=born.year)


def missing_answers(answers: Answers) -> list[str]:
    """The non-sensitive answers the breakdowns need and the record lacks, in `COMPLETENESS` order.

    A refused gender counts as missing: the person cannot be placed in the breakdown, so the
    record shows as incomplete there (it still counts in the grand total).
    """
    missing = []
    if answers.gender in (None, REFUSED):
        missing.append("gender")
    if answers.birth_date is None and answers.birth_year is None:
        missing.append("age")
    if answers.labour_status is None:
        missing.append("labour_status")
    if answers.education is None:
        missing.append("education")
    return missing


def is_complete(answers: Answers) -> bool:
    return not missing_answers(answers)


def changed_fields(before: Answers, after: Answers, allowed: tuple[str, ...]) -> list[str]:
    """The names of the `allowed` answers that differ (the audit records names, never values)."""
    return [name for name in allowed if getattr(before, name) != getattr(after, name)]


def fill_gaps(kept: Answers, other: Answers) -> Answers:
    """`kept` with each unknown answer taken from `other` (merging two records of one person)."""
    return replace(
        kept,
        **{
            name: getattr(other, name)
            for name in FIELDS
            if getattr(kept, name) is None and getattr(other, name) is not None
        },
    )


# --- likely duplicates ------------------------------------------------------------------------


def normalise_email(email: str | None) -> str | None:
    text = (email or "").strip().lower()
    return text or None


def normalise_phone(phone: str | None) -> str | None:
    """The digits without +48; too few digits to identify anyone -> None."""
    if len(phone_digits(phone)) < MIN_PHONE_DIGITS:
        return None
    return local_phone_digits(phone)


def normalise_name(name: str | None) -> str | None:
    """A name folded for comparison: case, blanks, diacritics ("Łukasz  Żółć" = "lukasz zolc")."""
    text = (name or "").replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(text.casefold().split())
    return text or None


@dataclass(frozen=True)
class PersonKeys:
    """What identifies a person for duplicate matching, normalised (None = unknown)."""

    pesel: str | None = None
    email: str | None = None
    phone: str | None = None
    name: str | None = None
    birth_year: int | None = None

    @classmethod
    def of(
        cls,
        *,
        pesel: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        full_name: str | None = None,
        birth_year: int | None = None,
    ) -> PersonKeys:
        return cls(
            pesel="".join((pesel or "").split()) or None,
            email=normalise_email(email),
            phone=normalise_phone(phone),
            name=normalise_name(full_name),
            birth_year=birth_year,
        )


# Why two records look like one person, strongest first.
MATCH_REASONS = ("pesel", "email", "phone", "name_birth_year")


def match_reasons(new: PersonKeys, existing: PersonKeys) -> list[str]:
    """The reasons (in `MATCH_REASONS` order) to think two records are the same person."""
    reasons = []
    if new.pesel and new.pesel == existing.pesel:
        reasons.append("pesel")
    if new.email and new.email == existing.email:
        reasons.append("email")
    if new.phone and new.phone == existing.phone:
        reasons.append("phone")
    if (
        new.name
        and new.birth_year is not None
        and new.name == existing.name
        and new.birth_year == existing.birth_year
    ):
        reasons.append("name_birth_year")
    return reasons


def combined_attendance(first: bool | None, second: bool | None) -> bool | None:
    """One person's attendance from two rows of theirs: came if either came."""
    if first or second:
        return True
    if first is False or second is False:
        return False
    return None


# --- merging two records ----------------------------------------------------------------------


class MergeError(DomainError):
    code = "merge_error"


class MergeSamePerson(MergeError):
    """Both ids name the same record."""

    code = "merge_same_person"


class MergeStaffAccount(MergeError):
    """Only client records are merged; staff accounts are managed in the users list."""

    code = "merge_staff_account"


def merge_refusal(
    keep_id: int, drop_id: int, keep_role: str | None, drop_role: str | None
) -> DomainError | None:
    """Why two records cannot be merged (None: they can). A role of None: no such person."""
    if keep_id == drop_id:
        return MergeSamePerson("cannot merge a person with themself")
    if keep_role is None or drop_role is None:
        missing = keep_id if keep_role is None else drop_id
        return NotFound("no such person", person_id=missing)
    if keep_role != "client" or drop_role != "client":
        return MergeStaffAccount("only clients can be merged")
    return None
