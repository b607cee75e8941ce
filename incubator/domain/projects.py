"""Funded projects: what a project record must hold before it is saved.

A project (projekt) has a stable code, a name, the programme period it is financed from (which
chooses the breakdown scheme of its reports), the grant agreement's number, a period and the
offices it covers. Reports for a project count the support given at those offices in that period.
The grant agreement also says how long the project's documentation must be kept: until
`retention_until` its participants' identity may not be erased (`domain.erasure`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from .errors import DomainError, InvalidInput

CODE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
NAME_MAX, CONTRACT_MAX = 300, 80


class ProjectCodeTaken(DomainError):
    code = "project_code_taken"
    field = "code"


class ProjectPeriodOrder(DomainError):
    code = "project_period_order"
    field = "end_date"


class RetentionBeforeEnd(DomainError):
    """The documentation cannot stop being kept before the project ends."""

    code = "project_retention_order"
    field = "retention_until"


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    programme: str
    contract_number: str
    start_date: date
    end_date: date
    branch_ids: tuple[int, ...]
    retention_until: date | None = None


def check_project(spec: ProjectSpec, programmes: Collection[str]) -> None:
    """Refuse a project that cannot be reported on; the first problem wins."""
    if not CODE.fullmatch(spec.code):
        raise InvalidInput(field="code", reason="code_format")
    if not spec.name.strip() or len(spec.name) > NAME_MAX:
        raise InvalidInput(field="name", reason="too_long" if spec.name.strip() else "missing")
    if spec.programme not in programmes:
        raise InvalidInput(field="programme", reason="not_in_list")
    if len(spec.contract_number) > CONTRACT_MAX:
        raise InvalidInput(field="contract_number", reason="too_long")
    if spec.start_date > spec.end_date:
        raise ProjectPeriodOrder()
    if not spec.branch_ids:
        raise InvalidInput(field="branches", reason="none_chosen")
    if spec.retention_until is not None and spec.retention_until < spec.end_date:
        raise RetentionBeforeEnd()
