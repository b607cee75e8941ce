"""Load the seed data in ``seed_data/``: reference data for every installation, and the demo set.

* :func:`load_reference_data` upserts branches and domains by ``code``: re-running it creates no
  duplicates and applies edits made in the files (names, addresses, parents, positions).
* :func:`load_demo_data` loads the reference data, the demo accounts, the experts with their
  weekly rules, the founding groups, and the generated clients and consultation history
  (:mod:`incubator.services.demo_data`), all in one transaction.

Every file is read and checked before anything is written. A problem raises :class:`SeedError`
whose message is one line naming the file and the problem; the session is rolled back, so a bad
file never leaves half the data behind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import ROOT
from ..domain.calendar import WARSAW
from ..domain.slots import WEEKDAY_NAMES, Rule, RuleOverlapError, validate_rules
from ..models import (
    Area,
    AvailabilityRule,
    Branch,
    ClientProfile,
    Education,
    ExpertProfile,
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    Gender,
    GroupStage,
    LabourStatus,
    LegalForm,
    Residence,
    Role,
    SensitiveAnswer,
    User,
)
from . import demo_data
from .demo_data import DemoContext, ExpertInfo, GroupInfo, HistorySummary, NamePool, TextPool

__all__ = [
    "DEFAULT_SEED_DIR",
    "DemoSummary",
    "ReferenceSummary",
    "SeedError",
    "demo_accounts",
    "demo_data_present",
    "load_demo_data",
    "load_reference_data",
]

DEFAULT_SEED_DIR = ROOT / "seed_data"

BRANCHES_FILE = "branches.json"
DOMAINS_FILE = "domains.json"
ACCOUNTS_FILE = "demo/accounts.json"
EXPERTS_FILE = "demo/experts.json"
GROUPS_FILE = "demo/founding_groups.json"
NAMES_FILE = "demo/names.json"
TOPICS_FILE = "demo/topics.json"

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_KRS = re.compile(r"^\d{10}$")
_WEEKDAYS = {name.lower(): n for n, name in enumerate(WEEKDAY_NAMES)}

# Founding requirements by the date of the founding meeting, as DOMAIN.md states them for the
# law of 2008-2011 and after the amendments (founders needed; "legal" = legal persons):
#  * stowarzyszenie rejestrowe -- art. 9 Prawo o stowarzyszeniach: 15 founders until 19.05.2016,
#    7 from 20.05.2016 (amendment of 25.09.2015);
#  * spółdzielnia socjalna -- art. 4 ust. 2 ustawy o spółdzielniach socjalnych: 5 natural persons,
#    or 2 legal persons (NGOs, JST, church legal persons; since the 2009 amendment), 3 natural
#    persons from 31.03.2018;
#  * stowarzyszenie zwykłe: 3; fundacja: 1.
# This mirrors the domain rules for checking seed files only.
# TODO: delegate to incubator/domain/founding.py once it provides the dated requirements.
_ASSOCIATION_FROM_2016 = date(2016, 5, 20)
_COOPERATIVE_FROM_2018 = date(2018, 3, 31)

_E = TypeVar("_E", bound=StrEnum)


class SeedError(Exception):
    """A seed file is missing or wrong: the message is one line naming the file and the problem."""


@dataclass
class ReferenceSummary:
    branches_created: int = 0
    branches_updated: int = 0
    branches_unchanged: int = 0
    domains_created: int = 0
    domains_updated: int = 0
    domains_unchanged: int = 0


@dataclass
class DemoSummary:
    reference: ReferenceSummary
    accounts: list[tuple[str, str, str]]  # (role, e-mail, password) of the demo logins
    experts: int = 0
    availability_rules: int = 0
    founding_groups: int = 0
    history: HistorySummary = field(default_factory=HistorySummary)


# --------------------------------------------------------------------------- reading files


class _File:
    """One seed file: loads JSON and turns every problem into a one-line :class:`SeedError`."""

    def __init__(self, seed_dir: Path, relative: str):
        self.path = Path(seed_dir) / relative

    def error(self, message: str) -> SeedError:
        return SeedError(f"{self.path}: {' '.join(message.split())}")

    def load(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self.error("file not found") from None
        except UnicodeDecodeError:
            raise self.error("not UTF-8 text") from None
        except OSError as exc:
            raise self.error(f"cannot read the file ({exc.strerror})") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.error(
                f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None

    def records(self, data: Any, what: str) -> list[dict[str, Any]]:
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise self.error(f"expected a list of {what} objects")
        return data

    def mapping(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.error(f"{where}: expected an object")
        return data

    def only(self, obj: dict[str, Any], where: str, allowed: Iterable[str]) -> None:
        """Unknown keys are usually typos (``adress``): refuse them; ``_comment`` keys are fine."""
        unknown = sorted(k for k in obj if k not in set(allowed) and not k.startswith("_"))
        if unknown:
            raise self.error(f"{where}: unknown field {unknown[0]!r}")

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        *,
        default: str | None = None,
        max_len: int | None = None,
    ) -> str:
        value = obj.get(key, default)
        if value is None:
            raise self.error(f"{where}: missing {key!r}")
        if not isinstance(value, str):
            raise self.error(f"{where}: {key!r} must be a string")
        value = value.strip()
        if default is None and not value:
            raise self.error(f"{where}: {key!r} must not be empty")
        if max_len is not None and len(value) > max_len:
            raise self.error(f"{where}: {key!r} is longer than {max_len} characters")
        return value

    def optional_text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        if obj.get(key) is None:
            return None
        return self.text(obj, key, where)

    def integer(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        *,
        default: int | None = None,
        lo: int | None = None,
        hi: int | None = None,
    ) -> int:
        value = obj.get(key, default)
        if value is None:
            raise self.error(f"{where}: missing {key!r}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{where}: {key!r} must be a whole number")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise self.error(f"{where}: {key!r} must be between {lo} and {hi}, got {value}")
        return value

    def boolean(self, obj: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{where}: {key!r} must be true or false")
        return value

    def code(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = self.text(obj, key, where, max_len=40)
        if not _CODE.match(value):
            raise self.error(f"{where}: {key!r} {value!r} must be lower-case letters, digits, '-'")
        return value

    def email(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = self.text(obj, key, where, max_len=254).lower()
        if not _EMAIL.match(value):
            raise self.error(f"{where}: {value!r} is not an e-mail address")
        return value

    def clock(self, obj: dict[str, Any], key: str, where: str) -> time:
        value = self.text(obj, key, where)
        try:
            parsed = time.fromisoformat(value)
        except ValueError:
            raise self.error(f"{where}: {key!r} {value!r} is not a time like 09:30") from None
        if parsed.second or parsed.microsecond or parsed.tzinfo is not None:
            raise self.error(f"{where}: {key!r} {value!r} must be HH:MM")
        return parsed

    def day(self, obj: dict[str, Any], key: str, where: str) -> date:
        value = self.text(obj, key, where)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error(f"{where}: {key!r} {value!r} is not a date like 2009-01-22") from None

    def choice(
        self, obj: dict[str, Any], key: str, where: str, enum: type[_E], *, required: bool = True
    ) -> _E | None:
        value = obj.get(key)
        if value is None and not required:
            return None
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise self.error(f"{where}: {key!r} {value!r} is not one of: {allowed}") from None

    def strings(self, obj: dict[str, Any], key: str, where: str) -> list[str]:
        value = obj.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(f"{where}: {key!r} must be a list of non-empty strings")
        return [v.strip() for v in value]


def _unique(file: _File, values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise file.error(f"duplicate {what} {value!r}")
        seen.add(value)


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class _BranchSpec:
    code: str
    name: str
    address: str
    phone: str
    parent: str | None
    active: bool


@dataclass(frozen=True)
class _DomainSpec:
    code: str
    name_pl: str
    name_en: str
    position: int


def _read_branches(seed_dir: Path) -> tuple[_File, list[_BranchSpec]]:
    file = _File(seed_dir, BRANCHES_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "branch"), start=1):
        where = f"branch #{n}"
        file.only(obj, where, ("code", "name", "address", "phone", "parent", "active"))
        code = file.code(obj, "code", where)
        where = f"branch {code!r}"
        parent = None if obj.get("parent") is None else file.code(obj, "parent", where)
        specs.append(
            _BranchSpec(
                code=code,
                name=file.text(obj, "name", where, max_len=120),
                address=file.text(obj, "address", where, default="", max_len=200),
                phone=file.text(obj, "phone", where, default="", max_len=40),
                parent=parent,
                active=file.boolean(obj, "active", where, True),
            )
        )
    _unique(file, (s.code for s in specs), "branch code")
    return file, specs


def _read_domains(seed_dir: Path) -> tuple[_File, list[_DomainSpec]]:
    file = _File(seed_dir, DOMAINS_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "domain"), start=1):
        where = f"domain #{n}"
        file.only(obj, where, ("code", "name_pl", "name_en", "position"))
        code = file.code(obj, "code", where)
        where = f"domain {code!r}"
        specs.append(
            _DomainSpec(
                code=code,
                name_pl=file.text(obj, "name_pl", where, max_len=120),
                name_en=file.text(obj, "name_en", where, max_len=120),
                position=file.integer(obj, "position", where, default=n, lo=0, hi=10_000),
            )
        )
    _unique(file, (s.code for s in specs), "domain code")
    return file, specs


def _check_seed_dir(seed_dir: Path) -> Path:
    seed_dir = Path(seed_dir)
    if not seed_dir.is_dir():
        raise SeedError(f"{seed_dir}: seed directory not found")
    return seed_dir


def _apply_reference(session: Session, seed_dir: Path) -> ReferenceSummary:
    """Validate both reference files, then upsert them (no commit)."""
    branch_file, branch_specs = _read_branches(seed_dir)
    _domain_file, domain_specs = _read_domains(seed_dir)

    rows = {b.code: b for b in session.scalars(select(Branch))}
    parents = {code: (b.parent.code if b.parent else None) for code, b in rows.items()}
    parents.update({s.code: s.parent for s in branch_specs})
    for spec in branch_specs:
        if spec.parent is not None and spec.parent not in parents:
            raise branch_file.error(
                f"branch {spec.code!r}: unknown parent branch code {spec.parent!r}"
            )
    for spec in branch_specs:
        seen, code = {spec.code}, spec.parent
        while code is not None:
            if code in seen:
                raise branch_file.error(f"branch {spec.code!r}: parent chain loops back")
            seen.add(code)
            code = parents.get(code)

    summary = ReferenceSummary()
    for spec in branch_specs:
        row = rows.get(spec.code)
        values = {
            "name": spec.name,
            "address": spec.address,
            "phone": spec.phone,
            "active": spec.active,
        }
        if row is None:
            rows[spec.code] = Branch(code=spec.code, **values)
            session.add(rows[spec.code])
            summary.branches_created += 1
            continue
        old_parent = row.parent.code if row.parent else None
        if any(getattr(row, k) != v for k, v in values.items()) or old_parent != spec.parent:
            summary.branches_updated += 1
        else:
            summary.branches_unchanged += 1
        for key, value in values.items():
            setattr(row, key, value)
    for spec in branch_specs:
        rows[spec.code].parent = rows[spec.parent] if spec.parent else None

    domains = {d.code: d for d in session.scalars(select(Area))}
    for spec in domain_specs:
        values = {"name_pl": spec.name_pl, "name_en": spec.name_en, "position": spec.position}
        row = domains.get(spec.code)
        if row is None:
            session.add(Area(code=spec.code, **values))
            summary.domains_created += 1
            continue
        if any(getattr(row, k) != v for k, v in values.items()):
            summary.domains_updated += 1
        else:
            summary.domains_unchanged += 1
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return summary


def load_reference_data(session: Session, seed_dir: Path = DEFAULT_SEED_DIR) -> ReferenceSummary:
    """Upsert branches and domains from ``seed_dir`` by code, and commit.

    Idempotent: a second run finds every row by its code and changes nothing (or applies the
    edits made to the files). Raises :class:`SeedError`, with nothing written, on a bad file.
    """
    try:
        summary = _apply_reference(session, _check_seed_dir(seed_dir))
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _database_refused(exc) from None
    except BaseException:
        session.rollback()
        raise
    return summary


def _database_refused(exc: IntegrityError) -> SeedError:
    """The data broke a database constraint (e.g. a branch code already used differently)."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return SeedError(f"the database refused the seed data: {detail[0] if detail else exc!r}")


# --------------------------------------------------------------------------- demo data


@dataclass(frozen=True)
class _AccountSpec:
    email: str
    password: str
    role: Role
    full_name: str
    phone: str
    home_branch: str | None
    profile: dict[str, Any]


@dataclass(frozen=True)
class _RuleSpec:
    branch: str
    weekday: int
    start: time
    end: time
    length_min: int
    buffer_min: int


@dataclass(frozen=True)
class _ExpertSpec:
    email: str
    full_name: str
    title: str
    phone: str
    bio: str
    default_length_min: int
    domains: tuple[str, ...]
    branches: tuple[str, ...]
    rules: tuple[_RuleSpec, ...]


@dataclass(frozen=True)
class _StageSpec:
    stage: GroupStage
    day: date
    note: str


@dataclass(frozen=True)
class _GroupSpec:
    name: str
    legal_form: LegalForm
    branch: str
    locality: str
    krs: str | None
    notes: str
    natural_founders: int
    joined_later: int
    legal_persons: tuple[str, ...]
    stages: tuple[_StageSpec, ...]


_PROFILE_FIELDS: dict[str, type[StrEnum]] = {
    "gender": Gender,
    "labour_status": LabourStatus,
    "education": Education,
    "disability": SensitiveAnswer,
    "residence": Residence,
}


def _read_accounts(
    seed_dir: Path, branch_codes: set[str] | None
) -> tuple[_File, list[_AccountSpec]]:
    """Read demo/accounts.json; ``branch_codes=None`` skips the home-branch check."""
    file = _File(seed_dir, ACCOUNTS_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "account"), start=1):
        where = f"account #{n}"
        file.only(
            obj,
            where,
            ("email", "password", "role", "full_name", "phone", "home_branch", "profile"),
        )
        email = file.email(obj, "email", where)
        where = f"account {email!r}"
        role = file.choice(obj, "role", where, Role)
        assert role is not None
        home = None if obj.get("home_branch") is None else file.code(obj, "home_branch", where)
        if home is not None and branch_codes is not None and home not in branch_codes:
            raise file.error(f"{where}: unknown branch code {home!r}")
        profile: dict[str, Any] = {}
        if obj.get("profile") is not None:
            raw = file.mapping(obj["profile"], f"{where}: profile")
            file.only(raw, f"{where}: profile", (*_PROFILE_FIELDS, "birth_year", "locality"))
            for key, enum in _PROFILE_FIELDS.items():
                profile[key] = file.choice(raw, key, f"{where}: profile", enum, required=False)
            if raw.get("birth_year") is not None:
                profile["birth_year"] = file.integer(
                    raw, "birth_year", f"{where}: profile", lo=1900, hi=2100
                )
            profile["locality"] = file.text(
                raw, "locality", f"{where}: profile", default="", max_len=120
            )
        specs.append(
            _AccountSpec(
                email=email,
                password=file.text(obj, "password", where),
                role=role,
                full_name=file.text(obj, "full_name", where, max_len=160),
                phone=file.text(obj, "phone", where, default="", max_len=40),
                home_branch=home,
                profile=profile,
            )
        )
    _unique(file, (s.email for s in specs), "e-mail")
    return file, specs


def _read_experts(
    seed_dir: Path, branch_codes: set[str], domain_codes: set[str]
) -> tuple[_File, list[_ExpertSpec]]:
    file = _File(seed_dir, EXPERTS_FILE)
    specs = []
    rules_to_check: list[Rule] = []
    branch_index = {code: i for i, code in enumerate(sorted(branch_codes))}
    for n, obj in enumerate(file.records(file.load(), "expert"), start=1):
        where = f"expert #{n}"
        file.only(
            obj,
            where,
            (
                "email",
                "full_name",
                "title",
                "phone",
                "bio",
                "default_length_min",
                "domains",
                "branches",
                "rules",
            ),
        )
        email = file.email(obj, "email", where)
        where = f"expert {email!r}"
        domains = file.strings(obj, "domains", where)
        branches = file.strings(obj, "branches", where)
        if not domains or not branches:
            raise file.error(f"{where}: needs at least one domain and one branch")
        for code in domains:
            if code not in domain_codes:
                raise file.error(f"{where}: unknown domain code {code!r}")
        for code in branches:
            if code not in branch_codes:
                raise file.error(f"{where}: unknown branch code {code!r}")
        rules = []
        raw_rules = obj.get("rules", [])
        if not isinstance(raw_rules, list):
            raise file.error(f"{where}: 'rules' must be a list")
        for r, raw in enumerate(raw_rules, start=1):
            rule_where = f"{where}: rule #{r}"
            raw = file.mapping(raw, rule_where)
            file.only(
                raw, rule_where, ("branch", "weekday", "start", "end", "length_min", "buffer_min")
            )
            branch = file.code(raw, "branch", rule_where)
            if branch not in branch_codes:
                raise file.error(f"{rule_where}: unknown branch code {branch!r}")
            if branch not in branches:
                raise file.error(f"{rule_where}: branch {branch!r} is not in the expert's branches")
            rule = _RuleSpec(
                branch=branch,
                weekday=_weekday(file, raw, rule_where),
                start=file.clock(raw, "start", rule_where),
                end=file.clock(raw, "end", rule_where),
                length_min=file.integer(raw, "length_min", rule_where, default=60, lo=5, hi=480),
                buffer_min=file.integer(raw, "buffer_min", rule_where, default=0, lo=0, hi=240),
            )
            if rule.end <= rule.start:
                raise file.error(f"{rule_where}: end must be after start")
            rules.append(rule)
            # The overlap check needs ids: the expert's and the branch's position will do.
            rules_to_check.append(
                Rule(n - 1, branch_index[branch], rule.weekday, rule.start, rule.end)
            )
        specs.append(
            _ExpertSpec(
                email=email,
                full_name=file.text(obj, "full_name", where, max_len=160),
                title=file.text(obj, "title", where, default="", max_len=40),
                phone=file.text(obj, "phone", where, default="", max_len=40),
                bio=file.text(obj, "bio", where, default=""),
                default_length_min=file.integer(
                    obj, "default_length_min", where, default=60, lo=15, hi=480
                ),
                domains=tuple(domains),
                branches=tuple(branches),
                rules=tuple(rules),
            )
        )
    _unique(file, (s.email for s in specs), "e-mail")
    try:
        validate_rules(rules_to_check)
    except RuleOverlapError as exc:
        assert exc.first is not None and exc.second is not None
        codes = sorted(branch_codes)

        def describe(rule: Rule) -> str:
            return f"{rule.start:%H:%M}-{rule.end:%H:%M} at {codes[rule.branch_id]!r}"

        raise file.error(
            f"expert {specs[exc.first.expert_id].email!r}: rules overlap on "
            f"{WEEKDAY_NAMES[exc.first.weekday]}: {describe(exc.first)} and "
            f"{describe(exc.second)} (a person cannot be in two places at once)"
        ) from None
    return file, specs


def _weekday(file: _File, raw: dict[str, Any], where: str) -> int:
    value = raw.get("weekday")
    if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
        weekday = _WEEKDAYS[value.strip().lower()]
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        weekday = value
    else:
        raise file.error(f"{where}: 'weekday' {value!r} must be monday..saturday (or 0..5)")
    if weekday == 6:
        raise file.error(f"{where}: no consultations on Sunday")
    return weekday


def _read_groups(seed_dir: Path, branch_codes: set[str]) -> tuple[_File, list[_GroupSpec]]:
    file = _File(seed_dir, GROUPS_FILE)
    specs = []
    order = list(GroupStage)
    for n, obj in enumerate(file.records(file.load(), "founding group"), start=1):
        where = f"founding group #{n}"
        file.only(
            obj,
            where,
            (
                "name",
                "legal_form",
                "branch",
                "locality",
                "krs",
                "notes",
                "natural_person_founders",
                "natural_persons_joined_later",
                "legal_person_founders",
                "stages",
            ),
        )
        name = file.text(obj, "name", where, max_len=200)
        where = f"founding group {name!r}"
        legal_form = file.choice(obj, "legal_form", where, LegalForm)
        assert legal_form is not None
        branch = file.code(obj, "branch", where)
        if branch not in branch_codes:
            raise file.error(f"{where}: unknown branch code {branch!r}")
        krs = file.optional_text(obj, "krs", where)
        if krs is not None and not _KRS.match(krs):
            raise file.error(f"{where}: 'krs' must be 10 digits with leading zeros, or null")
        legal_raw = obj.get("legal_person_founders", [])
        if not isinstance(legal_raw, list):
            raise file.error(f"{where}: 'legal_person_founders' must be a list")
        legal = []
        for k, raw in enumerate(legal_raw, start=1):
            raw = file.mapping(raw, f"{where}: legal person #{k}")
            file.only(raw, f"{where}: legal person #{k}", ("name",))
            legal.append(file.text(raw, "name", f"{where}: legal person #{k}", max_len=200))
        stages = []
        raw_stages = obj.get("stages")
        if not isinstance(raw_stages, list) or not raw_stages:
            raise file.error(f"{where}: 'stages' must be a non-empty list")
        for k, raw in enumerate(raw_stages, start=1):
            stage_where = f"{where}: stage #{k}"
            raw = file.mapping(raw, stage_where)
            file.only(raw, stage_where, ("stage", "date", "note"))
            stage = file.choice(raw, "stage", stage_where, GroupStage)
            assert stage is not None
            stages.append(
                _StageSpec(
                    stage=stage,
                    day=file.day(raw, "date", stage_where),
                    note=file.text(raw, "note", stage_where, default="", max_len=500),
                )
            )
        for earlier, later in zip(stages, stages[1:], strict=False):
            if earlier.stage == GroupStage.ABANDONED or (
                later.stage != GroupStage.ABANDONED
                and order.index(later.stage) <= order.index(earlier.stage)
            ):
                raise file.error(f"{where}: stage {later.stage!r} cannot follow {earlier.stage!r}")
            if later.day < earlier.day:
                raise file.error(f"{where}: stage {later.stage!r} is dated before the one before")
        spec = _GroupSpec(
            name=name,
            legal_form=legal_form,
            branch=branch,
            locality=file.text(obj, "locality", where, default="", max_len=120),
            krs=krs,
            notes=file.text(obj, "notes", where, default=""),
            natural_founders=file.integer(obj, "natural_person_founders", where, default=0, lo=0),
            joined_later=file.integer(obj, "natural_persons_joined_later", where, default=0, lo=0),
            legal_persons=tuple(legal),
            stages=tuple(stages),
        )
        _check_founders(file, spec)
        specs.append(spec)
    _unique(file, (s.name for s in specs), "founding group name")
    _unique(file, (s.krs for s in specs if s.krs), "KRS number")
    return file, specs


def _stage_day(spec: _GroupSpec, stage: GroupStage) -> date | None:
    return next((s.day for s in spec.stages if s.stage == stage), None)


def _check_founders(file: _File, spec: _GroupSpec) -> None:
    """Refuse a group that could not have been founded under the law on its founding date."""
    meeting = _stage_day(spec, GroupStage.FOUNDING_MEETING_HELD)
    if meeting is None:
        return  # not founded yet: nothing to check
    natural, legal = spec.natural_founders, len(spec.legal_persons)
    where = f"founding group {spec.name!r}"
    if spec.legal_form == LegalForm.ASSOCIATION:
        needed = 15 if meeting < _ASSOCIATION_FROM_2016 else 7
        if legal or natural < needed:
            raise file.error(
                f"{where}: an association founded on {meeting} needs at least {needed} natural "
                f"person founders, got {natural}"
            )
    elif spec.legal_form == LegalForm.SOCIAL_COOPERATIVE:
        needed = 5 if meeting < _COOPERATIVE_FROM_2018 else 3
        if natural < needed and legal < 2:
            raise file.error(
                f"{where}: a social cooperative founded on {meeting} needs at least {needed} "
                f"natural persons or 2 legal persons as founders, got {natural} and {legal}"
            )
    elif spec.legal_form == LegalForm.ORDINARY_ASSOCIATION and natural < 3:
        raise file.error(f"{where}: an ordinary association needs at least 3 founders")
    elif spec.legal_form == LegalForm.FOUNDATION and natural + legal < 1:
        raise file.error(f"{where}: a foundation needs a founder")


def _read_names(seed_dir: Path, branch_codes: set[str]) -> NamePool:
    file = _File(seed_dir, NAMES_FILE)
    data = file.mapping(file.load(), "names")
    file.only(data, "names", ("first_names", "surnames", "localities"))
    first = file.mapping(data.get("first_names"), "first_names")
    surnames = file.mapping(data.get("surnames"), "surnames")
    if not surnames or not all(isinstance(v, str) and v for v in surnames.values()):
        raise file.error("surnames: expected a non-empty object of masculine: feminine forms")
    for masculine, feminine in surnames.items():
        if masculine.endswith(("ski", "cki", "dzki")) and feminine != masculine[:-1] + "a":
            raise file.error(
                f"surnames: the feminine form of {masculine!r} is {masculine[:-1] + 'a'!r}"
            )
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
    pool = NamePool(
        female_first=tuple(file.strings(first, "female", "first_names")),
        male_first=tuple(file.strings(first, "male", "first_names")),
        surnames=tuple(sorted(surnames.items())),
        localities=localities,
    )
    if not pool.female_first or not pool.male_first:
        raise file.error("first_names: both 'female' and 'male' need names")
    return pool


def _read_texts(seed_dir: Path) -> TextPool:
    file = _File(seed_dir, TOPICS_FILE)
    data = file.mapping(file.load(), "topics")
    file.only(data, "topics", ("topics", "cancel_reasons", "notes"))
    topics = file.mapping(data.get("topics", {}), "topics")
    return TextPool(
        topics={code: tuple(file.strings(topics, code, "topics")) for code in topics},
        cancel_reasons=tuple(file.strings(data, "cancel_reasons", "topics")),
        notes=tuple(_notes(file, data.get("notes", []))),
    )


def _notes(file: _File, value: Any) -> list[str]:
    """Expert notes for attended consultations; "" is allowed (no note)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise file.error("'notes' must be a list of strings")
    return [v.strip() for v in value]


def demo_accounts(seed_dir: Path = DEFAULT_SEED_DIR) -> list[tuple[str, str, str]]:
    """``(role, e-mail, password)`` of the demo logins in demo/accounts.json."""
    _file, specs = _read_accounts(_check_seed_dir(seed_dir), branch_codes=None)
    return [(str(s.role), s.email, s.password) for s in specs]


def demo_data_present(session: Session, seed_dir: Path = DEFAULT_SEED_DIR) -> bool:
    """True if any demo account of demo/accounts.json is already in the database."""
    emails = [email for _role, email, _password in demo_accounts(seed_dir)]
    return session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def _noon(d: date) -> datetime:
    return datetime.combine(d, time(12), WARSAW).astimezone(UTC)


def load_demo_data(
    session: Session,
    seed_dir: Path,
    now: datetime,
    password_hash_method: str,
    *,
    people_served: int = demo_data.DEFAULT_PEOPLE_SERVED,
    seed: int = demo_data.DEFAULT_SEED,
) -> DemoSummary:
    """Load reference data and the whole demo set in one transaction, and commit.

    ``now`` (aware) dates the experts' rules (valid from its local date, no end) and the demo
    client's upcoming bookings; the history itself is fixed in 2008-2011. Refuses (SeedError) if
    a demo account already exists, so it never duplicates the demo.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    try:
        summary = _load_demo(
            session, _check_seed_dir(seed_dir), now, password_hash_method, people_served, seed
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise _database_refused(exc) from None
    except BaseException:
        session.rollback()
        raise
    return summary


def _load_demo(
    session: Session,
    seed_dir: Path,
    now: datetime,
    password_hash_method: str,
    people_served: int,
    seed: int,
) -> DemoSummary:
    # 1. Read and check every file before writing anything.
    _bf, branch_specs = _read_branches(seed_dir)
    _df, domain_specs = _read_domains(seed_dir)
    branch_codes = {s.code for s in branch_specs} | set(session.scalars(select(Branch.code)))
    domain_codes = {s.code for s in domain_specs} | set(session.scalars(select(Area.code)))
    accounts_file, accounts = _read_accounts(seed_dir, branch_codes)
    experts_file, experts = _read_experts(seed_dir, branch_codes, domain_codes)
    _gf, groups = _read_groups(seed_dir, branch_codes)
    names = _read_names(seed_dir, branch_codes)
    texts = _read_texts(seed_dir)

    expert_emails = {e.email for e in experts}
    for account in accounts:
        if account.role == Role.EXPERT and account.email not in expert_emails:
            raise accounts_file.error(
                f"account {account.email!r}: role expert but not in {EXPERTS_FILE}"
            )
    by_email = {a.email: a for a in accounts}
    for expert in experts:
        account = by_email.get(expert.email)
        if account is not None and account.role != Role.EXPERT:
            raise experts_file.error(f"expert {expert.email!r}: account role is {account.role}")
        if account is not None and account.full_name != expert.full_name:
            raise experts_file.error(
                f"expert {expert.email!r}: full_name differs from {ACCOUNTS_FILE}"
            )
    managers = [a for a in accounts if a.role == Role.MANAGER]
    if not managers:
        raise accounts_file.error("needs a manager account (staff enter phone-only clients)")

    emails = {a.email for a in accounts} | expert_emails
    taken = session.scalars(select(User.email).where(User.email.in_(emails))).first()
    if taken is not None:
        raise SeedError(f"demo data already present: the account {taken} exists")

    # 2. Write.
    reference = _apply_reference(session, seed_dir)
    branches = {b.code: b for b in session.scalars(select(Branch))}
    domains = {d.code: d for d in session.scalars(select(Area))}
    staff_since = demo_data.STAFF_SINCE.astimezone(UTC)
    valid_from = now.astimezone(WARSAW).date()

    users: dict[str, User] = {}
    demo_client_branch = None
    for account in accounts:
        if account.role == Role.EXPERT:
            continue  # created with the experts below
        created = staff_since if account.role == Role.MANAGER else now - timedelta(days=21)
        user = User(
            email=account.email,
            full_name=account.full_name,
            phone=account.phone,
            role=account.role,
            created_at_dt=created,
            consent_dt=created if account.role == Role.CLIENT else None,
        )
        user.set_password(account.password, method=password_hash_method)
        if account.role == Role.CLIENT:
            user.client_profile = ClientProfile(entry_dt=None, **account.profile)
            if account.home_branch:
                demo_client_branch = branches[account.home_branch]
        users[account.email] = user
        session.add(user)

    rule_count = 0
    for spec in experts:
        user = User(
            email=spec.email,
            full_name=spec.full_name,
            phone=spec.phone,
            role=Role.EXPERT,
            created_at_dt=staff_since,
        )
        account = by_email.get(spec.email)
        if account is not None:
            user.set_password(account.password, method=password_hash_method)
        user.expert_profile = ExpertProfile(
            title=spec.title,
            bio=spec.bio,
            default_length_min=spec.default_length_min,
            domains=[domains[c] for c in spec.domains],
            branches=[branches[c] for c in spec.branches],
        )
        session.add(user)
        for rule in spec.rules:
            session.add(
                AvailabilityRule(
                    expert=user,
                    branch=branches[rule.branch],
                    weekday=rule.weekday,
                    start_time=rule.start,
                    end_time=rule.end,
                    length_min=rule.length_min,
                    buffer_min=rule.buffer_min,
                    valid_from_date=valid_from,
                    valid_to_date=None,
                )
            )
            rule_count += 1
        users[spec.email] = user

    manager = users[managers[0].email]
    session.flush()  # ids: the manager records the groups' stages
    group_infos = []
    for spec in groups:
        stage_days = {s.stage: s.day for s in spec.stages}
        group = FoundingGroup(
            name=spec.name,
            legal_form=spec.legal_form,
            branch=branches[spec.branch],
            locality=spec.locality,
            stage=spec.stages[-1].stage,
            formed_date=stage_days.get(GroupStage.FORMED),
            founding_meeting_date=stage_days.get(GroupStage.FOUNDING_MEETING_HELD),
            application_filed_date=stage_days.get(GroupStage.APPLICATION_FILED),
            registered_date=stage_days.get(GroupStage.REGISTERED),
            krs=spec.krs,
            notes=spec.notes,
            created_at_dt=datetime.combine(spec.stages[0].day, time(10), WARSAW).astimezone(UTC),
        )
        group.stage_history = [
            FoundingGroupStage(
                stage=s.stage, changed_at_dt=_noon(s.day), changed_by_id=manager.id, note=s.note
            )
            for s in spec.stages
        ]
        group.members = [
            FoundingGroupMember(
                legal_person_name=name,
                is_founder=True,
                at_risk=None,
                joined_date=group.founding_meeting_date,
            )
            for name in spec.legal_persons
        ]
        session.add(group)
        group_infos.append((spec, group))

    session.flush()  # ids for the generator

    expert_infos = []
    for spec in experts:
        user = users[spec.email]
        expert_infos.append(
            ExpertInfo(
                user_id=user.id,
                domain_ids=tuple(domains[c].id for c in spec.domains),
                branch_ids=tuple(branches[c].id for c in spec.branches),
                rules=tuple(
                    Rule(
                        expert_id=user.id,
                        branch_id=branches[r.branch].id,
                        weekday=r.weekday,
                        start=r.start,
                        end=r.end,
                        length_min=r.length_min,
                        buffer_min=r.buffer_min,
                    )
                    for r in spec.rules
                ),
            )
        )
    demo_client = next((users[a.email] for a in accounts if a.role == Role.CLIENT), None)
    featured = next((users[a.email].id for a in accounts if a.role == Role.EXPERT), None)
    context = DemoContext(
        now=now,
        branch_codes={b.id: code for code, b in branches.items()},
        domain_codes={d.id: code for code, d in domains.items()},
        experts=tuple(expert_infos),
        groups=tuple(
            GroupInfo(group, spec.natural_founders, spec.joined_later)
            for spec, group in group_infos
        ),
        names=names,
        texts=texts,
        manager=manager,
        demo_client=demo_client,
        demo_client_branch_id=demo_client_branch.id if demo_client_branch else None,
        featured_expert_id=featured,
        taken_emails=frozenset(emails),
    )
    try:
        history = demo_data.generate_history(
            session, context, people_served=people_served, seed=seed
        )
    except ValueError as exc:
        raise SeedError(f"{seed_dir}: cannot generate the demo history: {exc}") from None
    session.flush()

    return DemoSummary(
        reference=reference,
        accounts=[(str(a.role), a.email, a.password) for a in accounts],
        experts=len(experts),
        availability_rules=rule_count,
        founding_groups=len(groups),
        history=history,
    )
