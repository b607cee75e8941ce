"""The fictional people of the demo: names, e-mails, phones, localities and monitoring answers.

Names and localities come from ``demo/names.json`` (:func:`read_names`); everything random comes
from the one ``random.Random`` the history planner passes in, so the demo is the same every time.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from ..domain.people import INFORMED_BY_PHONE, INFORMED_ON_PAGE
from ..models import (
    ClientProfile,
    Education,
    Gender,
    LabourStatus,
    Residence,
    Role,
    User,
)
from .files import NAMES_FILE, SeedFile

_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")

_T = TypeVar("_T")

# Percentage of demo people whose full birth date is on record (the rest: the year only).
BIRTH_DATE_SHARE = 40
# One in INCOMPLETE_EVERY records lacks the education answer, and one in INCOMPLETE_EVERY the
# labour status, so the report's list of incomplete records has entries to show.
INCOMPLETE_EVERY = 40


def weighted(rng: random.Random, options: Sequence[tuple[_T, int]]) -> _T:
    """One of the values, drawn with the given integer weights."""
    values = [v for v, _ in options]
    return rng.choices(values, weights=[w for _, w in options])[0]


@dataclass(frozen=True)
class NamePool:
    """Names and localities for fictional people (demo/names.json)."""

    female_first: tuple[str, ...]
    male_first: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]  # (masculine, feminine)
    # branch code -> residence -> localities
    localities: dict[str, dict[Residence, tuple[str, ...]]]

    def residence_of(self, locality: str) -> Residence | None:
        for by_residence in self.localities.values():
            for residence, names in by_residence.items():
                if locality in names:
                    return residence
        return None


def _surnames(file: SeedFile, data: dict) -> tuple[tuple[str, str], ...]:
    surnames = file.mapping(data.get("surnames"), "surnames")
    if not surnames or not all(isinstance(v, str) and v for v in surnames.values()):
        raise file.error("surnames: expected a non-empty object of masculine: feminine forms")
    for masculine, feminine in surnames.items():
        if masculine.endswith(("ski", "cki", "dzki")) and feminine != masculine[:-1] + "a":
            raise file.error(
                f"surnames: the feminine form of {masculine!r} is {masculine[:-1] + 'a'!r}"
            )
    return tuple(sorted(surnames.items()))


def _localities(
    file: SeedFile, data: dict, branch_codes: set[str]
) -> dict[str, dict[Residence, tuple[str, ...]]]:
    localities: dict[str, dict[Residence, tuple[str, ...]]] = {}
    for code, by_residence in file.mapping(data.get("localities", {}), "localities").items():
        if code not in branch_codes:
            raise file.error(f"localities: unknown branch code {code!r}")
        by_residence = file.mapping(by_residence, f"localities {code!r}")
        file.only(by_residence, f"localities {code!r}", [r.value for r in Residence])
        localities[code] = {
            Residence(r): tuple(file.strings(by_residence, r, f"localities {code!r}"))
            for r in by_residence
            if not r.startswith("_")
        }
    return localities


def read_names(seed_dir: Path, branch_codes: set[str]) -> NamePool:
    file = SeedFile(seed_dir, NAMES_FILE)
    data = file.mapping(file.load(), "names")
    file.only(data, "names", ("first_names", "surnames", "localities"))
    first = file.mapping(data.get("first_names"), "first_names")
    surnames = _surnames(file, data)
    localities = _localities(file, data, branch_codes)
    pool = NamePool(
        female_first=tuple(file.strings(first, "female", "first_names")),
        male_first=tuple(file.strings(first, "male", "first_names")),
        surnames=surnames,
        localities=localities,
    )
    if not pool.female_first or not pool.male_first:
        raise file.error("first_names: both 'female' and 'male' need names")
    return pool


@dataclass(eq=False)
class Person:
    """A generated client and what the planner knows about them while it plans."""

    user: User
    kind: str  # "served" or a noise kind
    home_branch_id: int
    age: int
    phone_only: bool
    days: set[date] = field(default_factory=set)  # local dates with a consultation
    first_booking: datetime | None = None
    first_attended: datetime | None = None

    @property
    def informed_via(self) -> str:
        """How the person was given the information clause: staff read it out to those entered
        by phone (no e-mail), the others ticked it when they registered."""
        return INFORMED_BY_PHONE if self.phone_only else INFORMED_ON_PAGE

    def set_birth(self, year: int) -> None:
        """The year of birth and, for about two in five people, the date as well.

        Which people and which day come from a checksum of the person (not from the planner's
        random generator), so adding this left every other draw of the demo as it was.
        """
        profile = self.user.client_profile
        assert profile is not None
        profile.birth_year = year
        key = zlib.crc32(f"{self.user.full_name}|{self.age}|{self.home_branch_id}".encode())
        if key % 100 < BIRTH_DATE_SHARE:
            profile.birth_date = date(year, 1, 1) + timedelta(days=key // 100 % 365)


class PeopleMaker:
    """Makes fictional clients; e-mails are unique among themselves and ``taken_emails``."""

    def __init__(
        self,
        rng: random.Random,
        names: NamePool,
        branch_codes: dict[int, str],
        manager_id: int,
        taken_emails: frozenset[str] = frozenset(),
    ):
        self.rng = rng
        self.names = names
        self.branch_codes = branch_codes
        self.manager_id = manager_id
        self.emails = set(taken_emails)
        self.people: list[Person] = []

    def _name(self, gender: Gender) -> tuple[str, str]:
        names = self.names
        female = gender == Gender.FEMALE or (gender != Gender.MALE and self.rng.random() < 0.5)
        first = self.rng.choice(names.female_first if female else names.male_first)
        masculine, feminine = self.rng.choice(names.surnames)
        return first, feminine if female else masculine

    def _email(self, first: str, last: str) -> str:
        base = f"{first}.{last}".translate(_ASCII).lower().replace(" ", "-")
        domain = self.rng.choice(_EMAIL_DOMAINS)
        email, n = f"{base}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self.emails.add(email)
        return email

    def _phone(self) -> str:
        # "+48 000 ..." cannot be a Polish number: clearly fictional.
        return f"+48 000 {self.rng.randint(300, 999)} {self.rng.randint(0, 999):03d}"

    def _locality(self, branch_id: int, locality: str | None) -> tuple[Residence | None, str]:
        """A home locality near the branch (or the given one) and whether it is rural or urban."""
        names = self.names
        if locality:
            return names.residence_of(locality), locality
        by_residence = names.localities.get(self.branch_codes[branch_id], {})
        wanted = Residence.RURAL if self.rng.random() < 0.55 else Residence.URBAN
        other = Residence.URBAN if wanted == Residence.RURAL else Residence.RURAL
        for residence in (wanted, other):
            if by_residence.get(residence):
                return residence, self.rng.choice(by_residence[residence])
        return None, ""

    def _age(self) -> int:
        """Ages in the ESF+ bands: a few under 18, about a quarter 18-29, a fifth 55 and over."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.01:
            return rng.randint(16, 17)
        if roll < 0.28:
            return rng.randint(18, 29)
        if roll < 0.80:
            return rng.randint(30, 54)
        return rng.randint(55, 67)

    def _labour_status(self, at_risk: bool | None) -> LabourStatus:
        labour = weighted(
            self.rng,
            [
                (LabourStatus.REGISTERED_UNEMPLOYED, 40),
                (LabourStatus.LONG_TERM_UNEMPLOYED, 20),
                (LabourStatus.UNREGISTERED_UNEMPLOYED, 10),
                (LabourStatus.INACTIVE, 15),
                (LabourStatus.EMPLOYED, 15),
            ],
        )
        if at_risk is True and labour in (LabourStatus.EMPLOYED, LabourStatus.INACTIVE):
            return LabourStatus.REGISTERED_UNEMPLOYED
        if at_risk is False:
            return LabourStatus.EMPLOYED
        return labour

    def _profile(
        self, gender: Gender, home_branch_id: int, locality: str | None, at_risk: bool | None
    ) -> ClientProfile:
        """The monitoring answers; the birth year is set once the entry date is known
        (`Person.set_birth`)."""
        labour = self._labour_status(at_risk)
        education = weighted(
            self.rng,
            [(Education.ISCED_0_2, 20), (Education.ISCED_3_4, 55), (Education.ISCED_5_8, 25)],
        )
        residence, place = self._locality(home_branch_id, locality)
        # A few records are incomplete, as real ones were: chosen by position, not by the rng.
        n = len(self.people)
        if n % INCOMPLETE_EVERY == 7:
            education = None
        if n % INCOMPLETE_EVERY == 23:
            labour = None
        return ClientProfile(
            gender=gender,
            labour_status=labour,
            education=education,
            # disability, minority, third_country, foreign_background, homeless stay None: the
            # 2007-2013 monitoring asked them only from 2012, so these records are "unknown".
            residence=residence,
            locality=place,
        )

    def new_person(
        self,
        kind: str,
        home_branch_id: int,
        *,
        locality: str | None = None,
        at_risk: bool | None = None,
    ) -> Person:
        """A new client living near ``home_branch_id`` (or in ``locality``).

        ``at_risk`` True makes them unemployed, False employed (a social cooperative's member
        from outside the at-risk groups); None draws the labour status freely.
        """
        rng = self.rng
        roll = rng.random()
        gender = Gender.FEMALE if roll < 0.57 else Gender.MALE if roll < 0.99 else Gender.REFUSED
        first, last = self._name(gender)
        phone_only = rng.random() < 0.25
        email = None if phone_only else self._email(first, last)
        phone = self._phone() if phone_only or rng.random() < 0.6 else ""
        age = self._age()
        user = User(
            email=email,
            full_name=f"{first} {last}",
            phone=phone,
            password_hash=None,  # historical participants have no login in the demo
            role=Role.CLIENT,
            created_by_id=self.manager_id if phone_only else None,
            client_profile=self._profile(gender, home_branch_id, locality, at_risk),
        )
        person = Person(user, kind, home_branch_id, age, phone_only)
        self.people.append(person)
        return person
