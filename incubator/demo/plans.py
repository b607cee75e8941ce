"""Who comes when: the founding groups' consultations, the individual clients, and the noise.

Each planner works on one :class:`~incubator.demo.history.HistoryPlanner` (its random source,
slot pool and plan), in a fixed order, so the demo is the same on every run.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..domain.at_risk import NOT_AT_RISK
from ..domain.calendar import local_date
from ..models import ConsultationStatus, FoundingGroup, FoundingGroupMember, LegalForm
from .context import HISTORY_END, PERIOD_END, PERIOD_START, GroupInfo
from .people import Person, weighted

if TYPE_CHECKING:
    from .history import HistoryPlanner

ATTENDED = ConsultationStatus.ATTENDED
CANCELLED = ConsultationStatus.CANCELLED
NO_SHOW = ConsultationStatus.NO_SHOW
AFTER_PERIOD = PERIOD_END + timedelta(days=1)


def _later_join(rng: random.Random, group: FoundingGroup) -> date | None:
    base = group.registered_date or group.founding_meeting_date
    if base is None:
        return None
    return min(base + timedelta(days=rng.randint(14, 120)), max(base, PERIOD_END))


def _category(at_risk: bool | None) -> str | None:
    """The demo's at-risk members are unemployed (their labour status says so); the others
    are recorded as not at risk; None stays not recorded."""
    if at_risk is None:
        return None
    return "unemployed" if at_risk else NOT_AT_RISK


class GroupPlanner:
    """Members for every founding group (served people first), then the groups' consultations."""

    def __init__(self, planner: HistoryPlanner):
        self.p = planner

    def plan_all(self, served_left: int) -> int:
        """Plan every group; return how many served people are still to be made."""
        for info in self.p.ctx.groups:
            members, served_left = self._members(info, served_left)
            self._consultations(info.group, members)
        return served_left

    def _members(self, info: GroupInfo, served_left: int) -> tuple[list[Person], int]:
        group = info.group
        cooperative = group.legal_form == LegalForm.SOCIAL_COOPERATIVE
        count = info.natural_founders + info.joined_later
        members: list[Person] = []
        for n in range(count):
            # Social cooperative: at most half the members from outside the at-risk groups;
            # the demo keeps one such member when there are four or more.
            at_risk = (not (count >= 4 and n == count - 1)) if cooperative else None
            kind = "served" if served_left > 0 else "member_only"
            if kind == "served":
                served_left -= 1
            person = self.p.makers.new_person(
                kind, group.branch_id, locality=group.locality, at_risk=at_risk
            )
            members.append(person)
            self.p.group_members.append(person)
            founder = n < info.natural_founders
            joined = group.founding_meeting_date if founder else _later_join(self.p.rng, group)
            group.members.append(
                FoundingGroupMember(
                    user=person.user,
                    is_founder=founder,
                    at_risk_category=_category(at_risk),
                    joined_date=joined,
                )
            )
        return members, served_left

    def _consultations(self, group: FoundingGroup, members: list[Person]) -> None:
        lo = max(group.formed_date or PERIOD_START, PERIOD_START)
        hi = min(group.application_filed_date or group.registered_date or PERIOD_END, PERIOD_END)
        if hi < lo:
            return
        experts = {e.user_id for e in self.p.ctx.experts if group.branch_id in e.branch_ids}
        branch_order = [group.branch_id, *(b for b in self.p.branch_ids if b != group.branch_id)]
        served = [p for p in members if p.kind == "served"]
        if served:
            self._attended(group, served, lo, hi, experts, branch_order)
        if members:
            # Noise: a group consultation that was called off.
            rng = self.p.rng
            attendees = rng.sample(members, min(len(members), rng.randint(2, 5)))
            slot = self.p.take(branch_order, lo, hi, attendees, experts or None)
            if slot is not None:
                self.p.plan(slot, CANCELLED, attendees[0], attendees, group)

    def _attended(
        self,
        group: FoundingGroup,
        served: list[Person],
        lo: date,
        hi: date,
        experts: set[int],
        branch_order: list[int],
    ) -> None:
        rng = self.p.rng
        # The first consultation is attended by every served member: that alone makes each of
        # them a person served, whatever the random subsets below contain.
        sessions = [list(served)]
        for _ in range(rng.randint(4, 7)):
            size = rng.randint(min(2, len(served)), len(served))
            sessions.append(rng.sample(served, size))
        first_day = lo
        for n, attendees in enumerate(sessions):
            # The first one soon after the group forms, the rest after it.
            windows = (
                [(lo, min(hi, lo + timedelta(days=30))), (lo, hi)] if n == 0 else [(first_day, hi)]
            )
            slot = None
            for (w_lo, w_hi), only in itertools.product(windows, (experts or None, None)):
                slot = self.p.take(branch_order, w_lo, w_hi, attendees, only)
                if slot is not None:
                    break
            if slot is None:
                raise ValueError(f"no free slot for the group {group.name!r} in {lo}..{hi}")
            if n == 0:
                first_day = local_date(slot.start)
            prefer = ("social-enterprise", "law") if n == 0 else ("law", "accounting")
            self.p.plan(slot, ATTENDED, attendees[0], attendees, group, prefer)


class IndividualPlanner:
    """Individual consultations: the rest of the served people, then people who never count."""

    def __init__(self, planner: HistoryPlanner):
        self.p = planner

    def _weights(self) -> list[int]:
        return [self.p.pool.capacity(b) for b in self.p.branch_ids]

    def plan_served(self, served_left: int) -> None:
        p, rng = self.p, self.p.rng
        weights = self._weights()
        for _ in range(served_left):
            person = p.makers.new_person("served", rng.choices(p.branch_ids, weights=weights)[0])
            first = p.individual(person, ATTENDED, PERIOD_START, PERIOD_END)
            start_day = local_date(first.slot.start)
            extra = weighted(rng, [(0, 55), (1, 25), (2, 12), (3, 6), (4, 2)])
            for _ in range(extra):
                hi = min(start_day + timedelta(days=200), PERIOD_END)
                p.individual(person, ATTENDED, start_day, hi, (PERIOD_START, PERIOD_END))
        # Group members who also came on their own (e.g. about their own accounts).
        for person in p.group_members:
            if person.kind == "served" and rng.random() < 0.3:
                p.individual(person, ATTENDED, PERIOD_START, PERIOD_END)
        # Noise on served people: no-shows, cancellations, visits after the period.
        for person in [q for q in p.people if q.kind == "served"]:
            if rng.random() < 0.15:
                p.individual(person, NO_SHOW, PERIOD_START, PERIOD_END)
            if rng.random() < 0.12:
                p.individual(person, CANCELLED, PERIOD_START, PERIOD_END)
            if rng.random() < 0.08:
                p.individual(person, ATTENDED, AFTER_PERIOD, HISTORY_END)

    def plan_noise_people(self) -> None:
        """People who never count: only no-shows, only cancellations, or only after the period."""
        p, rng, t = self.p, self.p.rng, self.p.target
        kinds = [
            ("no_show", max(3, t // 25)),
            ("cancelled", max(3, t // 30)),
            ("mixed", max(2, t // 50)),
            ("after", max(2, t // 40)),
        ]
        weights = self._weights()
        for kind, count in kinds:
            for _ in range(count):
                person = p.makers.new_person(kind, rng.choices(p.branch_ids, weights)[0])
                if kind in ("no_show", "mixed"):
                    p.individual(person, NO_SHOW, PERIOD_START, PERIOD_END)
                if kind in ("cancelled", "mixed"):
                    for _ in range(rng.randint(1, 2)):
                        p.individual(person, CANCELLED, PERIOD_START, PERIOD_END)
                if kind == "no_show" and rng.random() < 0.3:
                    p.individual(person, NO_SHOW, PERIOD_START, PERIOD_END)
                if kind == "after":
                    for _ in range(rng.randint(1, 2)):
                        p.individual(person, ATTENDED, AFTER_PERIOD, HISTORY_END)
