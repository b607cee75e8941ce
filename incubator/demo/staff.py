"""The demo logins (``demo/accounts.json``) and the experts with their weekly rules
(``demo/experts.json``): reading and checking them, nothing written."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from ..domain.calendar import SUNDAY
from ..domain.slots import WEEKDAY_NAMES, Rule, RuleOverlapError, validate_rules
from ..models import Education, Gender, LabourStatus, Residence, Role, SensitiveAnswer
from .files import (
    ACCOUNTS_FILE,
    DEFAULT_SEED_DIR,
    EXPERTS_FILE,
    AccountSpec,
    ExpertSpec,
    RuleSpec,
    SeedFile,
    check_seed_dir,
)

_WEEKDAYS = {name.lower(): n for n, name in enumerate(WEEKDAY_NAMES)}

_PROFILE_FIELDS: dict[str, type[StrEnum]] = {
    "gender": Gender,
    "labour_status": LabourStatus,
    "education": Education,
    "disability": SensitiveAnswer,
    "residence": Residence,
}

_EXPERT_FIELDS = (
    "email",
    "full_name",
    "title",
    "phone",
    "bio",
    "default_length_min",
    "domains",
    "branches",
    "rules",
)
_RULE_FIELDS = ("branch", "weekday", "start", "end", "length_min", "buffer_min")


# --------------------------------------------------------------------------- accounts


def _profile(file: SeedFile, raw: Any, where: str) -> dict[str, Any]:
    where = f"{where}: profile"
    raw = file.mapping(raw, where)
    file.only(raw, where, (*_PROFILE_FIELDS, "birth_year", "locality"))
    profile: dict[str, Any] = {
        key: file.choice(raw, key, where, enum, required=False)
        for key, enum in _PROFILE_FIELDS.items()
    }
    if raw.get("birth_year") is not None:
        profile["birth_year"] = file.integer(raw, "birth_year", where, lo=1900, hi=2100)
    profile["locality"] = file.text(raw, "locality", where, default="", max_len=120)
    return profile


def read_accounts(
    seed_dir: Path, branch_codes: set[str] | None
) -> tuple[SeedFile, list[AccountSpec]]:
    """Read demo/accounts.json; ``branch_codes=None`` skips the home-branch check."""
    file = SeedFile(seed_dir, ACCOUNTS_FILE)
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
        home = None
        if obj.get("home_branch") is not None:
            known = branch_codes
            home = (
                file.code(obj, "home_branch", where)
                if known is None
                else file.known_code(obj, "home_branch", where, known)
            )
        profile = {} if obj.get("profile") is None else _profile(file, obj["profile"], where)
        specs.append(
            AccountSpec(
                email=email,
                password=file.text(obj, "password", where),
                role=role,
                full_name=file.text(obj, "full_name", where, max_len=160),
                phone=file.text(obj, "phone", where, default="", max_len=40),
                home_branch=home,
                profile=profile,
            )
        )
    file.unique((s.email for s in specs), "e-mail")
    return file, specs


def demo_accounts(seed_dir: Path = DEFAULT_SEED_DIR) -> list[tuple[str, str, str]]:
    """``(role, e-mail, password)`` of the demo logins in demo/accounts.json."""
    _file, specs = read_accounts(check_seed_dir(seed_dir), branch_codes=None)
    return [(str(s.role), s.email, s.password) for s in specs]


# --------------------------------------------------------------------------- experts


def _weekday(file: SeedFile, raw: dict[str, Any], where: str) -> int:
    value = raw.get("weekday")
    if isinstance(value, str) and value.strip().lower() in _WEEKDAYS:
        weekday = _WEEKDAYS[value.strip().lower()]
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        weekday = value
    else:
        raise file.error(f"{where}: 'weekday' {value!r} must be monday..saturday (or 0..5)")
    if weekday == SUNDAY:
        raise file.error(f"{where}: no consultations on Sunday")
    return weekday


def _read_rule(
    file: SeedFile, raw: Any, where: str, branch_codes: set[str], branches: list[str]
) -> RuleSpec:
    raw = file.mapping(raw, where)
    file.only(raw, where, _RULE_FIELDS)
    branch = file.known_code(raw, "branch", where, branch_codes)
    if branch not in branches:
        raise file.error(f"{where}: branch {branch!r} is not in the expert's branches")
    rule = RuleSpec(
        branch=branch,
        weekday=_weekday(file, raw, where),
        start=file.clock(raw, "start", where),
        end=file.clock(raw, "end", where),
        length_min=file.integer(raw, "length_min", where, default=60, lo=5, hi=480),
        buffer_min=file.integer(raw, "buffer_min", where, default=0, lo=0, hi=240),
    )
    if rule.end <= rule.start:
        raise file.error(f"{where}: end must be after start")
    return rule


def _read_expert(
    file: SeedFile, obj: dict[str, Any], n: int, branch_codes: set[str], domain_codes: set[str]
) -> ExpertSpec:
    where = f"expert #{n}"
    file.only(obj, where, _EXPERT_FIELDS)
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
    rules = [
        _read_rule(file, raw, f"{where}: rule #{r}", branch_codes, branches)
        for r, raw in enumerate(file.optional_list(obj, "rules", where), start=1)
    ]
    return ExpertSpec(
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


def _check_overlaps(file: SeedFile, specs: list[ExpertSpec], branch_codes: set[str]) -> None:
    """One expert's rules must not overlap, even at two branches: nobody is in two places."""
    codes = sorted(branch_codes)
    branch_index = {code: i for i, code in enumerate(codes)}
    # The overlap check needs ids: the expert's and the branch's position will do.
    rules = [
        Rule(n, branch_index[r.branch], r.weekday, r.start, r.end)
        for n, spec in enumerate(specs)
        for r in spec.rules
    ]
    try:
        validate_rules(rules)
    except RuleOverlapError as exc:
        assert exc.first is not None and exc.second is not None

        def describe(rule: Rule) -> str:
            return f"{rule.start:%H:%M}-{rule.end:%H:%M} at {codes[rule.branch_id]!r}"

        raise file.error(
            f"expert {specs[exc.first.expert_id].email!r}: rules overlap on "
            f"{WEEKDAY_NAMES[exc.first.weekday]}: {describe(exc.first)} and "
            f"{describe(exc.second)} (a person cannot be in two places at once)"
        ) from None


def read_experts(
    seed_dir: Path, branch_codes: set[str], domain_codes: set[str]
) -> tuple[SeedFile, list[ExpertSpec]]:
    file = SeedFile(seed_dir, EXPERTS_FILE)
    specs = [
        _read_expert(file, obj, n, branch_codes, domain_codes)
        for n, obj in enumerate(file.records(file.load(), "expert"), start=1)
    ]
    file.unique((s.email for s in specs), "e-mail")
    _check_overlaps(file, specs, branch_codes)
    return file, specs
