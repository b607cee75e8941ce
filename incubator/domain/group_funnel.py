"""The founding-group funnel as plain figures (issue #12): how the groups formed in a period
stand today, what share of them registered their entity, and how long that took.

A cohort measure: a group counts in the period it was formed in, wherever it stands now, so the
conversion of an older period keeps rising as its groups register. The counting itself happens in
the database (`services.group_funnel`); this module only turns its answers into figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from .founding import GroupStage, LegalForm


@dataclass(frozen=True)
class Funnel:
    """Groups formed in the period: by current stage and by target legal form (every code
    present, zeros included), how many registered, and the median days it took them."""

    formed: int
    by_stage: dict[str, int] = field(default_factory=dict)
    by_legal_form: dict[str, int] = field(default_factory=dict)
    registered: int = 0
    median_days_to_registration: float | None = None

    @property
    def conversion(self) -> float | None:
        """Registered / formed, as a fraction (None when no group was formed)."""
        return round(self.registered / self.formed, 4) if self.formed else None


def median_days(spans: Iterable[tuple[date, date]]) -> float | None:
    """The median number of days from formation to registration (None without any)."""
    days = [(registered - formed).days for formed, registered in spans]
    return float(median(days)) if days else None


def funnel(counts: Mapping[tuple[str, str], int], spans: Iterable[tuple[date, date]]) -> Funnel:
    """The funnel from ``counts`` of groups per (legal form, current stage) and the
    (formed, registered) dates of the registered ones."""
    by_stage = {s.value: 0 for s in GroupStage}
    by_form = {f.value: 0 for f in LegalForm}
    for (form, stage), n in counts.items():
        by_stage[stage] = by_stage.get(stage, 0) + n
        by_form[form] = by_form.get(form, 0) + n
    return Funnel(
        formed=sum(counts.values()),
        by_stage=by_stage,
        by_legal_form=by_form,
        registered=by_stage[GroupStage.REGISTERED],
        median_days_to_registration=median_days(spans),
    )
