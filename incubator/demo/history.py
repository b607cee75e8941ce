"""Deterministic planner of the fictional demo population and its consultation history.

It reproduces the original incubator's headline figure: **207 people** used free expert advice
between May 2008 and June 2011 (see docs: DOMAIN.md, "Counting people served"). The figure is a
parameter and it is exact *by construction*, not by tuning a random seed:

* exactly ``people_served`` persons are created as *served*; every one of them is an attendee of
  at least one ``attended`` consultation that starts inside the period (a founding-group member
  through the group's first consultation, anyone else through an individual one);
* every other person is *noise*: they only ever appear on cancelled or no-show consultations, on
  consultations after the period, or as a founding-group member with no consultation at all;
  nothing ever puts them on an attended consultation inside the period.

The set of distinct attendees of attended in-period consultations is therefore exactly the served
set; :func:`generate_history` re-checks that on the objects it built before returning.

Times come from the experts' weekly rules laid out by :func:`incubator.domain.slots.free_slots`
(closed days by :func:`incubator.domain.calendar.is_closed_day`: Sundays and the Polish public
holidays of :func:`incubator.services.calendar_days.polish_holidays`; Europe/Warsaw wall clock,
08:00-17:00), and each slot is used at most once, so no expert is ever double-booked, buffers
included.

Determinism: one ``random.Random(seed)``, no global random state, no clock (``now`` is passed in);
the same database state and arguments give the same rows, UIDs included.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..domain.calendar import local_date, local_day_bounds, local_midnight
from ..domain.slots import Slot, free_slots
from ..models import ConsultationStatus, FoundingGroup
from ..services.calendar_days import polish_holidays
from .consultations import build_consultation, finish_people, upcoming_for_demo_client
from .context import (
    DEFAULT_PEOPLE_SERVED,
    DEFAULT_SEED,
    HISTORY_END,
    PERIOD_END,
    PERIOD_START,
    DemoContext,
    HistorySummary,
    Planned,
    within_workday,
)
from .people import PeopleMaker, Person
from .plans import GroupPlanner, IndividualPlanner

__all__ = ["SlotPool", "generate_history"]


class SlotPool:
    """All rule slots of the history window, per branch and sorted; each may be taken once."""

    def __init__(self, slots: Sequence[Slot]):
        self.by_branch: dict[int, list[Slot]] = {}
        for slot in slots:
            self.by_branch.setdefault(slot.branch_id, []).append(slot)
        self.keys = {b: [s.start.timestamp() for s in ss] for b, ss in self.by_branch.items()}
        self.used: set[tuple[int, int]] = set()

    def capacity(self, branch_id: int) -> int:
        return len(self.by_branch.get(branch_id, ()))

    def _claim(self, branch_id: int, k: int, ok: Callable[[Slot], bool]) -> Slot | None:
        slot = self.by_branch[branch_id][k]
        if (branch_id, k) in self.used or not ok(slot):
            return None
        self.used.add((branch_id, k))
        return slot

    def take(
        self,
        rng: random.Random,
        branch_ids: Sequence[int],
        lo: date,
        hi: date,
        ok: Callable[[Slot], bool],
    ) -> Slot | None:
        """A random free slot on local dates ``lo..hi`` at the first branch that has one."""
        lo_at, hi_at = local_day_bounds(lo, hi)
        lo_ts, hi_ts = lo_at.timestamp(), hi_at.timestamp()
        for branch_id in branch_ids:
            keys = self.keys.get(branch_id)
            if not keys:
                continue
            i, j = bisect_left(keys, lo_ts), bisect_left(keys, hi_ts)
            if i >= j:
                continue
            # Mostly-free pool: a few random probes almost always hit; then scan to be certain.
            for _ in range(24):
                if slot := self._claim(branch_id, rng.randrange(i, j), ok):
                    return slot
            offset = rng.randrange(i, j)
            for n in range(j - i):
                if slot := self._claim(branch_id, i + (offset - i + n) % (j - i), ok):
                    return slot
        return None


class HistoryPlanner:
    """Shared state of one planning run: the random source, the slots, the people, the plan."""

    def __init__(self, ctx: DemoContext, people_served: int, seed: int):
        if people_served < 0:
            raise ValueError("people_served must not be negative")
        now = ctx.now
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        if now < local_midnight(HISTORY_END + timedelta(days=1)):
            raise ValueError(f"now ({now:%Y-%m-%d}) must be after the demo history ({HISTORY_END})")
        if not ctx.experts:
            raise ValueError("the demo needs at least one expert with availability rules")
        self.ctx = ctx
        self.target = people_served
        self.rng = random.Random(seed)
        self.holidays = polish_holidays(date(PERIOD_START.year, 1, 1), date(now.year + 1, 12, 31))
        self.experts = {e.user_id: e for e in ctx.experts}
        self.makers = PeopleMaker(
            self.rng, ctx.names, ctx.branch_codes, ctx.manager.id, ctx.taken_emails
        )
        self.group_members: list[Person] = []  # every founding group's, in order
        self.planned: list[Planned] = []
        self.pool = SlotPool(self._history_slots())
        self.branch_ids = sorted(b for b in ctx.branch_codes if self.pool.capacity(b))
        if not self.branch_ids:
            raise ValueError("the experts' rules give no consultation slots in 2008-2011")

    @property
    def people(self) -> list[Person]:
        return self.makers.people

    def _history_slots(self) -> list[Slot]:
        """Every rule slot from PERIOD_START to HISTORY_END inside 08:00-17:00 local time.

        The stored rules are valid from "now" on; for the history the same weekly pattern is
        used without validity limits, as if the experts had kept the same hours.
        """
        rules = [
            replace(r, valid_from=None, valid_to=None) for e in self.ctx.experts for r in e.rules
        ]
        slots = free_slots(
            rules,
            (),
            {},
            self.holidays,
            PERIOD_START,
            HISTORY_END,
            now=local_midnight(PERIOD_START) - timedelta(days=1),
            min_notice=timedelta(0),
            horizon=timedelta(days=(HISTORY_END - PERIOD_START).days + 3),
        )
        return [s for s in slots if within_workday(s)]

    def take(
        self,
        branch_ids: Sequence[int],
        lo: date,
        hi: date,
        people: Sequence[Person],
        expert_ids: set[int] | None = None,
    ) -> Slot | None:
        """A free slot on ``lo..hi`` on a day none of ``people`` has another consultation."""

        def ok(slot: Slot) -> bool:
            if expert_ids is not None and slot.expert_id not in expert_ids:
                return False
            day = local_date(slot.start)
            return all(day not in p.days for p in people)

        return self.pool.take(self.rng, branch_ids, lo, hi, ok)

    def branch_order(self, home: int) -> list[int]:
        """Branches to try: usually the home branch first, the others in random order."""
        others = [b for b in self.branch_ids if b != home]
        self.rng.shuffle(others)
        if home in self.branch_ids and self.rng.random() < 0.85:
            return [home, *others]
        return [*others, home] if home in self.branch_ids else others

    def plan(
        self,
        slot: Slot,
        status: ConsultationStatus,
        client: Person,
        attendees: Sequence[Person] = (),
        group: FoundingGroup | None = None,
        prefer: Sequence[str] = (),
    ) -> Planned:
        """Put a consultation on ``slot``: an area of the expert's (a ``prefer``red one if any)."""
        expert = self.experts[slot.expert_id]
        codes = self.ctx.domain_codes
        preferred = [d for code in prefer for d in expert.domain_ids if codes[d] == code]
        domain_id = preferred[0] if preferred else self.rng.choice(expert.domain_ids)
        everyone = [client, *(p for p in attendees if p is not client)]
        planned = Planned(slot, domain_id, status, client, everyone, group)
        for person in everyone:
            person.days.add(local_date(slot.start))
        self.planned.append(planned)
        return planned

    def individual(
        self,
        person: Person,
        status: ConsultationStatus,
        lo: date,
        hi: date,
        fallback: tuple[date, date] | None = None,
    ) -> Planned:
        """One consultation for ``person`` on ``lo..hi``, preferably at their home branch."""
        windows = [(lo, hi)] if fallback is None else [(lo, hi), fallback]
        for window_lo, window_hi in windows:
            slot = self.take(
                self.branch_order(person.home_branch_id), window_lo, window_hi, [person]
            )
            if slot is not None:
                return self.plan(slot, status, person)
        raise ValueError(
            f"the experts' rules leave no free slot between {windows[-1][0]} and "
            f"{windows[-1][1]}: lower people_served or add availability"
        )

    def check_served(self) -> int:
        """The distinct attendees of attended in-period consultations are exactly the served."""
        lo, hi = local_day_bounds(PERIOD_START, PERIOD_END)
        served = {
            id(p)
            for c in self.planned
            if c.status == ConsultationStatus.ATTENDED and lo <= c.slot.start < hi
            for p in c.attendees
        }
        expected = {id(p) for p in self.people if p.kind == "served"}
        if served != expected or len(served) != self.target:  # pragma: no cover - a bug
            raise RuntimeError(
                f"demo generator bug: {len(served)} people served, expected {self.target}"
            )
        return len(served)


def generate_history(
    session: Session,
    ctx: DemoContext,
    *,
    people_served: int = DEFAULT_PEOPLE_SERVED,
    seed: int = DEFAULT_SEED,
) -> HistorySummary:
    """Add the fictional clients and consultations to ``session`` (no flush, no commit).

    Exactly ``people_served`` distinct people attend ``attended`` consultations starting in
    PERIOD_START..PERIOD_END (Warsaw dates); see the module docstring for why that is exact.
    Raises :class:`ValueError` for arguments it cannot honour (``now`` inside the history, no
    experts, too few slots for the target).
    """
    planner = HistoryPlanner(ctx, people_served, seed)
    served_left = GroupPlanner(planner).plan_all(planner.target)
    individuals = IndividualPlanner(planner)
    individuals.plan_served(served_left)
    individuals.plan_noise_people()
    served = planner.check_served()

    planner.planned.sort(key=lambda c: (c.slot.start, c.slot.expert_id))
    consultations = [build_consultation(planner.rng, ctx, c) for c in planner.planned]
    finish_people(planner.people, ctx.groups)
    upcoming = upcoming_for_demo_client(planner.rng, ctx, planner.holidays)
    session.add_all([p.user for p in planner.people])
    session.add_all(consultations)
    session.add_all(upcoming)

    summary = HistorySummary(
        clients=len(planner.people),
        consultations=len(consultations) + len(upcoming),
        people_served=served,
        group_consultations=sum(1 for c in planner.planned if c.group is not None),
        upcoming=len(upcoming),
    )
    summary.by_status.update(str(c.status) for c in planner.planned)
    summary.by_status.update(str(c.status) for c in upcoming)
    after_period = local_midnight(PERIOD_END + timedelta(days=1))
    summary.after_period = sum(1 for c in planner.planned if c.slot.start >= after_period)
    return summary
