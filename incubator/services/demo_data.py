"""Deterministic generator of the fictional demo population and its consultation history.

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
(Sundays and Polish public holidays excluded, Europe/Warsaw wall clock, 08:00-17:00), and each
slot is used at most once, so no expert is ever double-booked, buffers included.

Determinism: one ``random.Random(seed)``, no global random state, no clock (``now`` is passed in);
the same database state and arguments give the same rows, UIDs included.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from ..domain.calendar import WARSAW
from ..domain.slots import Rule, Slot, free_slots
from ..models import (
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    Education,
    FoundingGroup,
    FoundingGroupMember,
    Gender,
    LabourStatus,
    LegalForm,
    Residence,
    Role,
    SensitiveAnswer,
    User,
)
from .calendar_days import polish_holidays

__all__ = [
    "DEFAULT_PEOPLE_SERVED",
    "DEFAULT_SEED",
    "HISTORY_END",
    "PERIOD_END",
    "PERIOD_START",
    "STAFF_SINCE",
    "DemoContext",
    "ExpertInfo",
    "GroupInfo",
    "HistorySummary",
    "NamePool",
    "TextPool",
    "generate_history",
    "local_midnight",
]

DEFAULT_PEOPLE_SERVED = 207
DEFAULT_SEED = 20080501

# The original project's period (inclusive local dates) and the tail of "after the project" noise.
PERIOD_START = date(2008, 5, 1)
PERIOD_END = date(2011, 6, 30)
HISTORY_END = date(2011, 12, 31)
# When the demo staff accounts "joined": shortly before the project started.
STAFF_SINCE = datetime(2008, 4, 14, 9, 0, tzinfo=WARSAW)

WORKDAY_START = time(8, 0)
WORKDAY_END = time(17, 0)

# How many upcoming bookings the demo client gets. Kept below the default BOOKING_MAX_ACTIVE (3)
# so the demo client can still book one more consultation in the demo.
UPCOMING_FOR_DEMO_CLIENT = 2

_EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def local_midnight(d: date) -> datetime:
    """Start of local date ``d`` in Warsaw, as an aware UTC datetime."""
    return datetime.combine(d, time(0), WARSAW).astimezone(UTC)


# --------------------------------------------------------------------------- inputs


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


@dataclass(frozen=True)
class TextPool:
    """Topics per domain code, cancellation reasons, expert notes (demo/topics.json)."""

    topics: dict[str, tuple[str, ...]]
    cancel_reasons: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ExpertInfo:
    user_id: int
    domain_ids: tuple[int, ...]
    branch_ids: tuple[int, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class GroupInfo:
    group: FoundingGroup  # flushed: has an id
    natural_founders: int
    joined_later: int


@dataclass(frozen=True)
class DemoContext:
    """Everything the generator needs, already in the session (flushed, so ids are known)."""

    now: datetime
    branch_codes: dict[int, str]  # branch id -> code
    domain_codes: dict[int, str]  # domain id -> code
    experts: tuple[ExpertInfo, ...]
    groups: tuple[GroupInfo, ...]
    names: NamePool
    texts: TextPool
    manager: User
    demo_client: User | None = None
    demo_client_branch_id: int | None = None
    featured_expert_id: int | None = None  # the demo expert: gets the demo client's first booking
    taken_emails: frozenset[str] = frozenset()


@dataclass
class HistorySummary:
    clients: int = 0
    consultations: int = 0
    people_served: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    after_period: int = 0
    group_consultations: int = 0
    upcoming: int = 0


# --------------------------------------------------------------------------- slot pool


class _SlotPool:
    """All rule slots of the history window, per branch and sorted; each may be taken once."""

    def __init__(self, slots: Sequence[Slot]):
        self.by_branch: dict[int, list[Slot]] = {}
        for slot in slots:
            self.by_branch.setdefault(slot.branch_id, []).append(slot)
        self.keys = {b: [s.start.timestamp() for s in ss] for b, ss in self.by_branch.items()}
        self.used: set[tuple[int, int]] = set()

    def capacity(self, branch_id: int) -> int:
        return len(self.by_branch.get(branch_id, ()))

    def take(
        self,
        rng: random.Random,
        branch_ids: Sequence[int],
        lo: date,
        hi: date,
        ok: Callable[[Slot], bool],
    ) -> Slot | None:
        """A random free slot on local dates ``lo..hi`` at the first branch that has one."""
        lo_ts = local_midnight(lo).timestamp()
        hi_ts = local_midnight(hi + timedelta(days=1)).timestamp()
        for branch_id in branch_ids:
            keys = self.keys.get(branch_id)
            if not keys:
                continue
            i, j = bisect_left(keys, lo_ts), bisect_left(keys, hi_ts)
            if i >= j:
                continue
            slots = self.by_branch[branch_id]
            # Mostly-free pool: a few random probes almost always hit; then scan to be certain.
            for _ in range(24):
                k = rng.randrange(i, j)
                if (branch_id, k) not in self.used and ok(slots[k]):
                    self.used.add((branch_id, k))
                    return slots[k]
            offset = rng.randrange(i, j)
            for n in range(j - i):
                k = i + (offset - i + n) % (j - i)
                if (branch_id, k) not in self.used and ok(slots[k]):
                    self.used.add((branch_id, k))
                    return slots[k]
        return None


# --------------------------------------------------------------------------- people


@dataclass(eq=False)
class _Person:
    user: User
    kind: str  # "served" or a noise kind
    home_branch_id: int
    age: int
    phone_only: bool
    days: set[date] = field(default_factory=set)
    first_booking: datetime | None = None
    first_attended: datetime | None = None


@dataclass(eq=False)
class _Planned:
    slot: Slot
    domain_id: int
    status: ConsultationStatus
    client: _Person
    attendees: list[_Person]
    group: FoundingGroup | None = None


class _Generator:
    def __init__(self, session: Session, ctx: DemoContext, people_served: int, seed: int):
        if people_served < 0:
            raise ValueError("people_served must not be negative")
        now = ctx.now
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        if now < local_midnight(HISTORY_END + timedelta(days=1)):
            raise ValueError(f"now ({now:%Y-%m-%d}) must be after the demo history ({HISTORY_END})")
        if not ctx.experts:
            raise ValueError("the demo needs at least one expert with availability rules")
        self.session = session
        self.ctx = ctx
        self.target = people_served
        self.rng = random.Random(seed)
        self.holidays = polish_holidays(date(PERIOD_START.year, 1, 1), date(now.year + 1, 12, 31))
        self.experts = {e.user_id: e for e in ctx.experts}
        self.people: list[_Person] = []
        self.group_members: list[_Person] = []
        self.planned: list[_Planned] = []
        self.emails = set(ctx.taken_emails)
        self.pool = _SlotPool(self._history_slots())
        self.branch_ids = sorted(b for b in ctx.branch_codes if self.pool.capacity(b))
        if not self.branch_ids:
            raise ValueError("the experts' rules give no consultation slots in 2008-2011")

    # -- slots

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
        return [s for s in slots if _within_workday(s)]

    def _take(
        self,
        branch_ids: Sequence[int],
        lo: date,
        hi: date,
        people: Sequence[_Person],
        expert_ids: set[int] | None = None,
    ) -> Slot | None:
        def ok(slot: Slot) -> bool:
            if expert_ids is not None and slot.expert_id not in expert_ids:
                return False
            day = slot.start.date()
            return all(day not in p.days for p in people)

        return self.pool.take(self.rng, branch_ids, lo, hi, ok)

    def _branch_order(self, home: int) -> list[int]:
        others = [b for b in self.branch_ids if b != home]
        self.rng.shuffle(others)
        if home in self.branch_ids and self.rng.random() < 0.85:
            return [home, *others]
        return [*others, home] if home in self.branch_ids else others

    # -- people

    def _name(self, gender: Gender) -> tuple[str, str]:
        names = self.ctx.names
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
        names = self.ctx.names
        if locality:
            return names.residence_of(locality), locality
        by_residence = names.localities.get(self.ctx.branch_codes[branch_id], {})
        wanted = Residence.RURAL if self.rng.random() < 0.55 else Residence.URBAN
        other = Residence.URBAN if wanted == Residence.RURAL else Residence.RURAL
        for residence in (wanted, other):
            if by_residence.get(residence):
                return residence, self.rng.choice(by_residence[residence])
        return None, ""

    def _new_person(
        self,
        kind: str,
        home_branch_id: int,
        *,
        locality: str | None = None,
        at_risk: bool | None = None,
    ) -> _Person:
        rng = self.rng
        roll = rng.random()
        gender = Gender.FEMALE if roll < 0.57 else Gender.MALE if roll < 0.99 else Gender.REFUSED
        first, last = self._name(gender)
        phone_only = rng.random() < 0.25
        email = None if phone_only else self._email(first, last)
        phone = self._phone() if phone_only or rng.random() < 0.6 else ""

        roll = rng.random()
        age = (
            rng.randint(16, 17)
            if roll < 0.01
            else rng.randint(18, 29)
            if roll < 0.28
            else rng.randint(30, 54)
            if roll < 0.80
            else rng.randint(55, 67)
        )
        labour = _weighted(
            rng,
            [
                (LabourStatus.REGISTERED_UNEMPLOYED, 40),
                (LabourStatus.LONG_TERM_UNEMPLOYED, 20),
                (LabourStatus.UNREGISTERED_UNEMPLOYED, 10),
                (LabourStatus.INACTIVE, 15),
                (LabourStatus.EMPLOYED, 15),
            ],
        )
        if at_risk is True and labour in (LabourStatus.EMPLOYED, LabourStatus.INACTIVE):
            labour = LabourStatus.REGISTERED_UNEMPLOYED
        elif at_risk is False:
            labour = LabourStatus.EMPLOYED
        education = _weighted(
            rng, [(Education.ISCED_0_2, 20), (Education.ISCED_3_4, 55), (Education.ISCED_5_8, 25)]
        )
        disability = _weighted(
            rng,
            [(SensitiveAnswer.NO, 80), (SensitiveAnswer.YES, 12), (SensitiveAnswer.REFUSED, 8)],
        )
        residence, place = self._locality(home_branch_id, locality)
        user = User(
            email=email,
            full_name=f"{first} {last}",
            phone=phone,
            password_hash=None,  # historical participants have no login in the demo
            role=Role.CLIENT,
            created_by_id=self.ctx.manager.id if phone_only else None,
            client_profile=ClientProfile(
                gender=gender,
                labour_status=labour,
                education=education,
                disability=disability,
                residence=residence,
                locality=place,
            ),
        )
        person = _Person(user, kind, home_branch_id, age, phone_only)
        self.people.append(person)
        return person

    # -- planning

    def _plan(
        self,
        slot: Slot,
        status: ConsultationStatus,
        client: _Person,
        attendees: Sequence[_Person] = (),
        group: FoundingGroup | None = None,
        prefer: Sequence[str] = (),
    ) -> _Planned:
        expert = self.experts[slot.expert_id]
        codes = self.ctx.domain_codes
        preferred = [d for code in prefer for d in expert.domain_ids if codes[d] == code]
        domain_id = preferred[0] if preferred else self.rng.choice(expert.domain_ids)
        everyone = [client, *(p for p in attendees if p is not client)]
        planned = _Planned(slot, domain_id, status, client, everyone, group)
        for person in everyone:
            person.days.add(slot.start.date())
        self.planned.append(planned)
        return planned

    def _individual(
        self,
        person: _Person,
        status: ConsultationStatus,
        lo: date,
        hi: date,
        fallback: tuple[date, date] | None = None,
    ) -> _Planned:
        """One consultation for ``person`` on ``lo..hi``, preferably at their home branch."""
        windows = [(lo, hi)] if fallback is None else [(lo, hi), fallback]
        for window_lo, window_hi in windows:
            slot = self._take(
                self._branch_order(person.home_branch_id), window_lo, window_hi, [person]
            )
            if slot is not None:
                return self._plan(slot, status, person)
        raise ValueError(
            f"the experts' rules leave no free slot between {windows[-1][0]} and "
            f"{windows[-1][1]}: lower people_served or add availability"
        )

    def _plan_groups(self, served_left: int) -> int:
        """Members for every group (served first), then the groups' consultations."""
        rng = self.rng
        for info in self.ctx.groups:
            group = info.group
            cooperative = group.legal_form == LegalForm.SOCIAL_COOPERATIVE
            count = info.natural_founders + info.joined_later
            members: list[_Person] = []
            for n in range(count):
                # Social cooperative: at most half the members from outside the at-risk groups;
                # the demo keeps one such member when there are four or more.
                at_risk = (not (count >= 4 and n == count - 1)) if cooperative else None
                kind = "served" if served_left > 0 else "member_only"
                if kind == "served":
                    served_left -= 1
                person = self._new_person(
                    kind, group.branch_id, locality=group.locality, at_risk=at_risk
                )
                members.append(person)
                self.group_members.append(person)
                founder = n < info.natural_founders
                joined = group.founding_meeting_date if founder else _later_join(rng, group)
                group.members.append(
                    FoundingGroupMember(
                        user=person.user,
                        is_founder=founder,
                        at_risk=at_risk,
                        joined_date=joined,
                    )
                )
            self._group_consultations(group, members)
        return served_left

    def _group_consultations(self, group: FoundingGroup, members: list[_Person]) -> None:
        rng = self.rng
        lo = max(group.formed_date or PERIOD_START, PERIOD_START)
        hi = min(group.application_filed_date or group.registered_date or PERIOD_END, PERIOD_END)
        if hi < lo:
            return
        experts = {e.user_id for e in self.ctx.experts if group.branch_id in e.branch_ids}
        branch_order = [group.branch_id, *(b for b in self.branch_ids if b != group.branch_id)]
        served = [p for p in members if p.kind == "served"]
        if served:
            # The first consultation is attended by every served member: that alone makes each
            # of them a person served, whatever the random subsets below contain.
            sessions = [list(served)]
            for _ in range(rng.randint(4, 7)):
                size = rng.randint(min(2, len(served)), len(served))
                sessions.append(rng.sample(served, size))
            first_day = lo
            for n, attendees in enumerate(sessions):
                # The first one soon after the group forms, the rest after it.
                windows = (
                    [(lo, min(hi, lo + timedelta(days=30))), (lo, hi)]
                    if n == 0
                    else [(first_day, hi)]
                )
                slot = None
                for (w_lo, w_hi), only in itertools.product(windows, (experts or None, None)):
                    slot = self._take(branch_order, w_lo, w_hi, attendees, only)
                    if slot is not None:
                        break
                if slot is None:
                    raise ValueError(f"no free slot for the group {group.name!r} in {lo}..{hi}")
                if n == 0:
                    first_day = slot.start.date()
                prefer = ("social-enterprise", "law") if n == 0 else ("law", "accounting")
                self._plan(
                    slot, ConsultationStatus.ATTENDED, attendees[0], attendees, group, prefer
                )
        if members:
            # Noise: a group consultation that was called off.
            attendees = rng.sample(members, min(len(members), rng.randint(2, 5)))
            slot = self._take(branch_order, lo, hi, attendees, experts or None)
            if slot is not None:
                self._plan(slot, ConsultationStatus.CANCELLED, attendees[0], attendees, group)

    def _plan_individuals(self, served_left: int) -> None:
        rng = self.rng
        weights = [self.pool.capacity(b) for b in self.branch_ids]

        def home() -> int:
            return rng.choices(self.branch_ids, weights=weights)[0]

        for _ in range(served_left):
            person = self._new_person("served", home())
            first = self._individual(person, ConsultationStatus.ATTENDED, PERIOD_START, PERIOD_END)
            start_day = first.slot.start.date()
            extra = _weighted(rng, [(0, 55), (1, 25), (2, 12), (3, 6), (4, 2)])
            for _ in range(extra):
                hi = min(start_day + timedelta(days=200), PERIOD_END)
                self._individual(
                    person, ConsultationStatus.ATTENDED, start_day, hi, (PERIOD_START, PERIOD_END)
                )
        # Group members who also came on their own (e.g. about their own accounts).
        for person in self.group_members:
            if person.kind == "served" and rng.random() < 0.3:
                self._individual(person, ConsultationStatus.ATTENDED, PERIOD_START, PERIOD_END)

        # Noise on served people: no-shows, cancellations, visits after the period.
        after_lo = PERIOD_END + timedelta(days=1)
        for person in [p for p in self.people if p.kind == "served"]:
            if rng.random() < 0.15:
                self._individual(person, ConsultationStatus.NO_SHOW, PERIOD_START, PERIOD_END)
            if rng.random() < 0.12:
                self._individual(person, ConsultationStatus.CANCELLED, PERIOD_START, PERIOD_END)
            if rng.random() < 0.08:
                self._individual(person, ConsultationStatus.ATTENDED, after_lo, HISTORY_END)

    def _plan_noise_people(self) -> None:
        """People who never count: only no-shows, only cancellations, or only after the period."""
        t = self.target
        kinds = [
            ("no_show", max(3, t // 25)),
            ("cancelled", max(3, t // 30)),
            ("mixed", max(2, t // 50)),
            ("after", max(2, t // 40)),
        ]
        weights = [self.pool.capacity(b) for b in self.branch_ids]
        after_lo = PERIOD_END + timedelta(days=1)
        for kind, count in kinds:
            for _ in range(count):
                person = self._new_person(kind, self.rng.choices(self.branch_ids, weights)[0])
                if kind in ("no_show", "mixed"):
                    self._individual(person, ConsultationStatus.NO_SHOW, PERIOD_START, PERIOD_END)
                if kind in ("cancelled", "mixed"):
                    for _ in range(self.rng.randint(1, 2)):
                        self._individual(
                            person, ConsultationStatus.CANCELLED, PERIOD_START, PERIOD_END
                        )
                if kind == "no_show" and self.rng.random() < 0.3:
                    self._individual(person, ConsultationStatus.NO_SHOW, PERIOD_START, PERIOD_END)
                if kind == "after":
                    for _ in range(self.rng.randint(1, 2)):
                        self._individual(person, ConsultationStatus.ATTENDED, after_lo, HISTORY_END)

    # -- building rows

    def _build(self, planned: _Planned) -> Consultation:
        rng = self.rng
        slot = planned.slot
        start = slot.start.astimezone(UTC)
        end = slot.end.astimezone(UTC)
        created = (
            datetime.combine(
                slot.start.date() - timedelta(days=rng.randint(2, 21)),
                time(rng.randint(8, 15), rng.choice((0, 15, 30, 45))),
                WARSAW,
            )
        ).astimezone(UTC)
        client = planned.client
        staff_booked = planned.group is not None or client.phone_only
        code = self.ctx.domain_codes[planned.domain_id]
        topics = self.ctx.texts.topics.get(code, ())
        topic = rng.choice(topics) if topics else ""
        if planned.group is not None and topic:
            topic = f"{topic} (konsultacja grupowa)"
        consultation = Consultation(
            uid=f"{rng.getrandbits(128):032x}",
            expert_id=slot.expert_id,
            branch_id=slot.branch_id,
            domain_id=planned.domain_id,
            client=client.user,
            created_by=self.ctx.manager if staff_booked else client.user,
            founding_group=planned.group,
            start_dt=start,
            end_dt=end,
            buffer_min=slot.buffer_min,
            status=planned.status,
            topic=topic,
            sequence=0,
            created_at_dt=created,
            updated_at_dt=created,
        )
        if planned.status == ConsultationStatus.CANCELLED:
            by_expert = rng.random() < 0.2
            span = (start - created).total_seconds()
            consultation.cancelled_at_dt = created + timedelta(
                seconds=span * rng.uniform(0.3, 0.95)
            )
            consultation.cancelled_by_id = slot.expert_id if by_expert else None
            if not by_expert:
                consultation.cancelled_by = client.user
            reasons = self.ctx.texts.cancel_reasons
            consultation.cancel_reason = rng.choice(reasons) if reasons else ""
            consultation.sequence = 1
            consultation.updated_at_dt = consultation.cancelled_at_dt
        elif planned.status == ConsultationStatus.ATTENDED:
            notes = self.ctx.texts.notes
            consultation.notes = rng.choice(notes) if notes else ""
            consultation.updated_at_dt = end + timedelta(minutes=rng.randint(1, 30))
        elif planned.status == ConsultationStatus.NO_SHOW:
            consultation.updated_at_dt = end + timedelta(minutes=rng.randint(1, 30))
        consultation.attendees = [ConsultationAttendee(user=p.user) for p in planned.attendees]
        for person in planned.attendees:
            if person.first_booking is None or created < person.first_booking:
                person.first_booking = created
            if planned.status == ConsultationStatus.ATTENDED and (
                person.first_attended is None or start < person.first_attended
            ):
                person.first_attended = start
        return consultation

    def _finish_people(self) -> None:
        for person in self.people:
            user = person.user
            joined = person.first_booking
            if joined is None:
                # A group member with no consultation: on record since the group was formed.
                membership = next(
                    (m for g in self.ctx.groups for m in g.group.members if m.user is user), None
                )
                formed = membership.group.formed_date if membership else PERIOD_START
                joined = datetime.combine(formed or PERIOD_START, time(10), WARSAW).astimezone(UTC)
            user.created_at_dt = joined
            user.consent_dt = joined
            profile = user.client_profile
            assert profile is not None
            profile.entry_dt = person.first_attended
            entry_year = (person.first_attended or joined).astimezone(WARSAW).year
            profile.birth_year = entry_year - person.age

    def _upcoming_for_demo_client(self) -> list[Consultation]:
        """A couple of booked consultations for the demo client, soon after ``now``."""
        ctx = self.ctx
        client = ctx.demo_client
        if client is None or UPCOMING_FOR_DEMO_CLIENT <= 0:
            return []
        now = ctx.now
        today = now.astimezone(WARSAW).date()
        rules = [r for e in ctx.experts for r in e.rules]
        horizon = timedelta(days=60)
        slots = free_slots(
            rules,
            (),
            {},
            self.holidays,
            today,
            today + horizon,
            now=now,
            min_notice=timedelta(days=3),
            horizon=horizon,
        )
        home = ctx.demo_client_branch_id

        def preference(slot: Slot) -> tuple[bool, bool, datetime]:
            away = home is not None and slot.branch_id != home
            return (slot.expert_id != ctx.featured_expert_id, away, slot.start)

        chosen: list[Slot] = []
        for slot in sorted((s for s in slots if _within_workday(s)), key=preference):
            clash = any(
                s.expert_id == slot.expert_id or s.start.date() == slot.start.date() for s in chosen
            )
            if not clash:
                chosen.append(slot)
            if len(chosen) == UPCOMING_FOR_DEMO_CLIENT:
                break
        rows = []
        for n, slot in enumerate(sorted(chosen)):
            expert = self.experts[slot.expert_id]
            booked = now - timedelta(days=1 + n, hours=2)
            domain_id = expert.domain_ids[0]
            topics = ctx.texts.topics.get(ctx.domain_codes[domain_id], ())
            rows.append(
                Consultation(
                    uid=f"{self.rng.getrandbits(128):032x}",
                    expert_id=slot.expert_id,
                    branch_id=slot.branch_id,
                    domain_id=domain_id,
                    client=client,
                    created_by=client,
                    start_dt=slot.start.astimezone(UTC),
                    end_dt=slot.end.astimezone(UTC),
                    buffer_min=slot.buffer_min,
                    status=ConsultationStatus.BOOKED,
                    topic=topics[0] if topics else "",
                    created_at_dt=booked,
                    updated_at_dt=booked,
                    attendees=[ConsultationAttendee(user=client)],
                )
            )
        return rows

    # -- main

    def run(self) -> HistorySummary:
        served_left = self._plan_groups(self.target)
        self._plan_individuals(served_left)
        self._plan_noise_people()

        lo, hi = local_midnight(PERIOD_START), local_midnight(PERIOD_END + timedelta(days=1))
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

        self.planned.sort(key=lambda c: (c.slot.start, c.slot.expert_id))
        consultations = [self._build(c) for c in self.planned]
        self._finish_people()
        upcoming = self._upcoming_for_demo_client()
        self.session.add_all([p.user for p in self.people])
        self.session.add_all(consultations)
        self.session.add_all(upcoming)

        summary = HistorySummary(
            clients=len(self.people),
            consultations=len(consultations) + len(upcoming),
            people_served=len(served),
            group_consultations=sum(1 for c in self.planned if c.group is not None),
            upcoming=len(upcoming),
        )
        summary.by_status.update(str(c.status) for c in self.planned)
        summary.by_status.update(str(c.status) for c in upcoming)
        summary.after_period = sum(1 for c in self.planned if c.slot.start >= hi)
        return summary


def _within_workday(slot: Slot) -> bool:
    start, end = slot.start.astimezone(WARSAW), slot.end.astimezone(WARSAW)
    return (
        start.date() == end.date() and start.time() >= WORKDAY_START and end.time() <= WORKDAY_END
    )


def _later_join(rng: random.Random, group: FoundingGroup) -> date | None:
    base = group.registered_date or group.founding_meeting_date
    if base is None:
        return None
    return min(base + timedelta(days=rng.randint(14, 120)), max(base, PERIOD_END))


_T = TypeVar("_T")


def _weighted(rng: random.Random, options: Sequence[tuple[_T, int]]) -> _T:
    values = [v for v, _ in options]
    return rng.choices(values, weights=[w for _, w in options])[0]


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
    return _Generator(session, ctx, people_served, seed).run()
