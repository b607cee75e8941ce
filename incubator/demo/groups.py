"""The demo founding groups (``demo/founding_groups.json``): reading and checking them.

Founder numbers are checked against the law in force on the day of the founding meeting, by
:func:`incubator.domain.founding.founding_problems`: the rules live there, dated, not here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..domain.founding import founding_problems
from ..models import GroupStage, LegalForm
from ..models.founding_group import LegalType
from .files import GROUPS_FILE, GroupSpec, SeedFile, StageSpec

_KRS = re.compile(r"^\d{10}$")
_GROUP_FIELDS = (
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
)
_ORDER = list(GroupStage)


def _legal_persons(
    file: SeedFile, obj: dict[str, Any], where: str
) -> tuple[tuple[str, LegalType], ...]:
    """Each legal-person founder: its name and type (``ngo``, ``local_government``,
    ``church``, ``other``; default ``other``)."""
    persons = []
    for k, raw in enumerate(file.optional_list(obj, "legal_person_founders", where), start=1):
        person_where = f"{where}: legal person #{k}"
        raw = file.mapping(raw, person_where)
        file.only(raw, person_where, ("name", "type"))
        name = file.text(raw, "name", person_where, max_len=200)
        kind = file.choice(raw, "type", person_where, LegalType) if "type" in raw else None
        persons.append((name, kind or LegalType.OTHER))
    return tuple(persons)


def _stages(file: SeedFile, obj: dict[str, Any], where: str) -> tuple[StageSpec, ...]:
    """The milestones, in the order of :class:`GroupStage` and by date; ABANDONED ends them."""
    raw_stages = obj.get("stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise file.error(f"{where}: 'stages' must be a non-empty list")
    stages = []
    for k, raw in enumerate(raw_stages, start=1):
        stage_where = f"{where}: stage #{k}"
        raw = file.mapping(raw, stage_where)
        file.only(raw, stage_where, ("stage", "date", "note"))
        stage = file.choice(raw, "stage", stage_where, GroupStage)
        assert stage is not None
        stages.append(
            StageSpec(
                stage=stage,
                day=file.day(raw, "date", stage_where),
                note=file.text(raw, "note", stage_where, default="", max_len=500),
            )
        )
    for earlier, later in zip(stages, stages[1:], strict=False):
        if earlier.stage == GroupStage.ABANDONED or (
            later.stage != GroupStage.ABANDONED
            and _ORDER.index(later.stage) <= _ORDER.index(earlier.stage)
        ):
            raise file.error(f"{where}: stage {later.stage!r} cannot follow {earlier.stage!r}")
        if later.day < earlier.day:
            raise file.error(f"{where}: stage {later.stage!r} is dated before the one before")
    return tuple(stages)


def _check_founders(file: SeedFile, spec: GroupSpec) -> None:
    """Refuse a group that could not have been founded under the law on its founding date."""
    meeting = spec.stage_day(GroupStage.FOUNDING_MEETING_HELD)
    if meeting is None:
        return  # not founded yet: nothing to check
    problems = founding_problems(
        spec.legal_form, meeting, spec.natural_founders, len(spec.legal_persons)
    )
    if problems:
        raise file.error(f"founding group {spec.name!r}: {problems[0].message}")


def _read_group(file: SeedFile, obj: dict[str, Any], n: int, branch_codes: set[str]) -> GroupSpec:
    where = f"founding group #{n}"
    file.only(obj, where, _GROUP_FIELDS)
    name = file.text(obj, "name", where, max_len=200)
    where = f"founding group {name!r}"
    legal_form = file.choice(obj, "legal_form", where, LegalForm)
    assert legal_form is not None
    branch = file.known_code(obj, "branch", where, branch_codes)
    krs = file.optional_text(obj, "krs", where)
    if krs is not None and not _KRS.match(krs):
        raise file.error(f"{where}: 'krs' must be 10 digits with leading zeros, or null")
    legal_persons = _legal_persons(file, obj, where)
    stages = _stages(file, obj, where)
    return GroupSpec(
        name=name,
        legal_form=legal_form,
        branch=branch,
        locality=file.text(obj, "locality", where, default="", max_len=120),
        krs=krs,
        notes=file.text(obj, "notes", where, default=""),
        natural_founders=file.integer(obj, "natural_person_founders", where, default=0, lo=0),
        joined_later=file.integer(obj, "natural_persons_joined_later", where, default=0, lo=0),
        legal_persons=legal_persons,
        stages=stages,
    )


def read_groups(seed_dir: Path, branch_codes: set[str]) -> list[GroupSpec]:
    file = SeedFile(seed_dir, GROUPS_FILE)
    specs = []
    for n, obj in enumerate(file.records(file.load(), "founding group"), start=1):
        spec = _read_group(file, obj, n, branch_codes)
        _check_founders(file, spec)
        specs.append(spec)
    file.unique((s.name for s in specs), "founding group name")
    file.unique((s.krs for s in specs if s.krs), "KRS number")
    return specs
