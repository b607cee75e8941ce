"""Reading the JSON seed files: where they are, the checked reader, and what a file turns into.

Every file is read and checked before anything is written. A problem raises :class:`SeedError`
whose message is one line naming the file and the problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from ..config import resource_dir
from ..models import GroupStage, LegalForm, Role

DEFAULT_SEED_DIR = resource_dir("seed_data")

BRANCHES_FILE = "branches.json"
DOMAINS_FILE = "domains.json"
TOPIC_CATEGORIES_FILE = "topic_categories.json"
ACCOUNTS_FILE = "demo/accounts.json"
EXPERTS_FILE = "demo/experts.json"
GROUPS_FILE = "demo/founding_groups.json"
NAMES_FILE = "demo/names.json"
TOPICS_FILE = "demo/topics.json"

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_E = TypeVar("_E", bound=StrEnum)


class SeedError(Exception):
    """A seed file is missing or wrong: the message is one line naming the file and the problem."""


def check_seed_dir(seed_dir: Path) -> Path:
    seed_dir = Path(seed_dir)
    if not seed_dir.is_dir():
        raise SeedError(f"{seed_dir}: seed directory not found")
    return seed_dir


class SeedFile:
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

    def optional_list(self, obj: dict[str, Any], key: str, where: str) -> list[Any]:
        """A list that may be left out (``[]``)."""
        value = obj.get(key, [])
        if not isinstance(value, list):
            raise self.error(f"{where}: {key!r} must be a list")
        return value

    def only(self, obj: dict[str, Any], where: str, allowed: Iterable[str]) -> None:
        """Unknown keys are usually typos (``adress``): refuse them; ``_comment`` keys are fine."""
        unknown = sorted(k for k in obj if k not in set(allowed) and not k.startswith("_"))
        if unknown:
            raise self.error(f"{where}: unknown field {unknown[0]!r}")

    def _present(self, obj: dict[str, Any], key: str, where: str, default: Any) -> Any:
        value = obj.get(key, default)
        if value is None:
            raise self.error(f"{where}: missing {key!r}")
        return value

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        *,
        default: str | None = None,
        max_len: int | None = None,
    ) -> str:
        value = self._present(obj, key, where, default)
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
        value = self._present(obj, key, where, default)
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

    def known_code(self, obj: dict[str, Any], key: str, where: str, known: set[str]) -> str:
        """A branch code that must be one of ``known``."""
        value = self.code(obj, key, where)
        if value not in known:
            raise self.error(f"{where}: unknown branch code {value!r}")
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

    def unique(self, values: Iterable[str], what: str) -> None:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise self.error(f"duplicate {what} {value!r}")
            seen.add(value)


# --------------------------------------------------------------------------- what files hold


@dataclass(frozen=True)
class BranchSpec:
    code: str
    name: str
    address: str
    phone: str
    parent: str | None
    active: bool


@dataclass(frozen=True)
class AreaSpec:
    """A consultation area (``domains.json``; the model is :class:`~incubator.models.Area`)."""

    code: str
    name_pl: str
    name_en: str
    position: int
    summary_pl: str = ""
    summary_en: str = ""


@dataclass(frozen=True)
class TopicCategorySpec:
    """A topic category of a consultation's outcome (``topic_categories.json``; the model is
    :class:`~incubator.models.TopicCategory`)."""

    code: str
    name_pl: str
    name_en: str
    position: int
    active: bool = True


@dataclass(frozen=True)
class AccountSpec:
    email: str
    password: str
    role: Role
    full_name: str
    phone: str
    home_branch: str | None
    profile: dict[str, Any]


@dataclass(frozen=True)
class RuleSpec:
    branch: str
    weekday: int
    start: time
    end: time
    length_min: int
    buffer_min: int


@dataclass(frozen=True)
class ExpertSpec:
    email: str
    full_name: str
    title: str
    phone: str
    bio: str
    default_length_min: int
    domains: tuple[str, ...]
    branches: tuple[str, ...]
    rules: tuple[RuleSpec, ...]


@dataclass(frozen=True)
class StageSpec:
    stage: GroupStage
    day: date
    note: str


@dataclass(frozen=True)
class GroupSpec:
    name: str
    legal_form: LegalForm
    branch: str
    locality: str
    krs: str | None
    notes: str
    natural_founders: int
    joined_later: int
    legal_persons: tuple[tuple[str, str], ...]  # name, legal type
    stages: tuple[StageSpec, ...]

    def stage_day(self, stage: GroupStage) -> date | None:
        return next((s.day for s in self.stages if s.stage == stage), None)


@dataclass(frozen=True)
class TextPool:
    """Topics per area code, cancellation reasons, expert notes (demo/topics.json)."""

    topics: dict[str, tuple[str, ...]]
    cancel_reasons: tuple[str, ...]
    notes: tuple[str, ...]
