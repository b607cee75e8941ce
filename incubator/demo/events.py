"""The demo's trainings and information meetings (issue #14), 2008-2011.

The events come from ``demo/events.json`` (titles, places, trainers, sessions, head counts); the
people who came are chosen here so that the report of the original project's period gives the
original figures **exactly, by construction**: ``trained`` (242) distinct people came to one or
more sessions of a training, and ``meeting_attendees`` (492) came to information meetings —
the distinct registered people who came plus the anonymous head counts of the file.

* The in-period events of a kind get ``target`` distinct people between them (in proportion to
  their free seats); some of them come again to a later event of the kind, which adds no one.
* Some people are clients already served by advice (or trained), the rest new clients made by
  `people.PeopleMaker`; a person can therefore be in several forms, and the total across forms
  counts them once.
* Registered people who never came and cancelled registrations are added for realism: they are
  not present at any session, so they count nowhere.
* Events after the period take people from those already there: they add no one to the period.

Trainers' sessions are written to ``expert_busy_times`` as `services.events.create` writes them,
and the database refuses an overlap with a consultation or another session. Trainings are on
Saturdays and meetings on weekday evenings (after the consultation hours); a trainer who is
busy all the same (a Saturday consultation, another session) is left off that event, so the
load never fails on it. One ``random.Random(seed)``: the same rows every time.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date, local_day_bounds
from ..models import (
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    Event,
    EventKind,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
    RegistrationStatus,
    Role,
    SessionAttendance,
    User,
)
from .context import PERIOD_END, PERIOD_START, DemoContext, at_local
from .files import SeedFile
from .people import PeopleMaker

EVENTS_FILE = "demo/events.json"
DEFAULT_TRAINED = 242
DEFAULT_MEETING_ATTENDEES = 492
# How many of the people come from earlier forms: advice clients among the trained, advice
# clients or trained people among those registered at meetings.
REUSED_TRAINED = 70
REUSED_AT_MEETINGS = 45
_EVENT_FIELDS = ("kind", "title", "topic", "area", "branch", "venue", "trainers", "capacity")


@dataclass(frozen=True)
class SessionSpec:
    day: date
    start: time
    end: time
    anonymous: int = 0


@dataclass(frozen=True)
class EventSpec:
    kind: str
    title: str
    topic: str
    area: str | None
    branch: str
    venue: str
    trainers: tuple[str, ...]
    capacity: int
    sessions: tuple[SessionSpec, ...]

    @property
    def in_period(self) -> bool:
        return all(PERIOD_START <= s.day <= PERIOD_END for s in self.sessions)


@dataclass
class EventsSummary:
    events: int = 0
    sessions: int = 0
    trained: int = 0
    meeting_attendees: int = 0
    new_people: int = 0
    trainers_left_off: int = 0  # (event, trainer) pairs dropped for a busy trainer


def _session(file: SeedFile, raw: object, where: str) -> SessionSpec:
    raw = file.mapping(raw, where)
    file.only(raw, where, ("date", "start", "end", "anonymous"))
    spec = SessionSpec(
        day=file.day(raw, "date", where),
        start=file.clock(raw, "start", where),
        end=file.clock(raw, "end", where),
        anonymous=file.integer(raw, "anonymous", where, default=0, lo=0, hi=10000),
    )
    if spec.end <= spec.start:
        raise file.error(f"{where}: a session ends after it starts")
    return spec


def read_events(
    seed_dir: Path, branch_codes: set[str], area_codes: set[str], experts: set[str]
) -> list[EventSpec]:
    """``demo/events.json``, checked: known offices, areas and trainers; sessions in order."""
    file = SeedFile(seed_dir, EVENTS_FILE)
    data = file.mapping(file.load(), "events")
    specs = []
    for n, raw in enumerate(file.records(data.get("events"), "event"), 1):
        where = f"event {n}"
        file.only(raw, where, (*_EVENT_FIELDS, "sessions"))
        kind = file.text(raw, "kind", where)
        if kind not in (EventKind.TRAINING, EventKind.INFORMATION_MEETING):
            raise file.error(f"{where}: kind {kind!r} is not training or information_meeting")
        area = file.optional_text(raw, "area", where)
        if area is not None and area not in area_codes:
            raise file.error(f"{where}: unknown area {area!r}")
        trainers = tuple(e.lower() for e in file.optional_list(raw, "trainers", where))
        unknown = [e for e in trainers if e not in experts]
        if unknown:
            raise file.error(f"{where}: {unknown[0]!r} is not a demo expert")
        sessions = [
            _session(file, s, f"{where} session {i}")
            for i, s in enumerate(file.optional_list(raw, "sessions", where), 1)
        ]
        if not sessions:
            raise file.error(f"{where}: needs at least one session")
        specs.append(
            EventSpec(
                kind=kind,
                title=file.text(raw, "title", where, max_len=200),
                topic=file.text(raw, "topic", where, default="", max_len=300),
                area=area,
                branch=file.known_code(raw, "branch", where, branch_codes),
                venue=file.text(raw, "venue", where, default="", max_len=300),
                trainers=trainers,
                capacity=file.integer(raw, "capacity", where, lo=1, hi=10000),
                sessions=tuple(sorted(sessions, key=lambda s: (s.day, s.start))),
            )
        )
    return specs


@dataclass(eq=False)
class _Planned:
    spec: EventSpec
    row: Event
    no_shows: int
    present: list[User] = field(default_factory=list)

    @property
    def room(self) -> int:
        return self.spec.capacity - self.no_shows


def _shares(rooms: Sequence[int], total: int) -> list[int]:
    """``total`` split over ``rooms`` in proportion (largest remainders), none over its room."""
    if total > sum(rooms):
        raise ValueError(f"{total} people do not fit the {sum(rooms)} free seats of the events")
    if total == 0:
        return [0] * len(rooms)
    quotas = [total * r / sum(rooms) for r in rooms]
    counts = [min(r, int(q)) for r, q in zip(rooms, quotas, strict=True)]
    order = sorted(range(len(rooms)), key=lambda i: (int(quotas[i]) - quotas[i], i))
    while sum(counts) < total:
        for i in order:
            if sum(counts) < total and counts[i] < rooms[i]:
                counts[i] += 1
    return counts


class _Builder:
    """One run: the random source, the people made, the rows."""

    def __init__(self, session: Session, ctx: DemoContext, seed: int):
        self.session, self.ctx = session, ctx
        self.rng = random.Random(seed)
        taken = frozenset(e for e in session.scalars(select(User.email)) if e)
        self.maker = PeopleMaker(
            self.rng, ctx.names, ctx.branch_codes, ctx.manager.id, taken | ctx.taken_emails
        )
        self.branch_ids = {code: i for i, code in ctx.branch_codes.items()}
        self.area_ids = {code: i for i, code in ctx.domain_codes.items()}
        experts = session.scalars(select(User).where(User.role == Role.EXPERT))
        self.experts = {u.email: u for u in experts}
        self.first_seen: dict[int, datetime] = {}  # id(user) -> first session they came to
        self.registrations: dict[int, list[EventRegistration]] = {}  # id(user) -> theirs

    def new_people(self, n: int, branch_id: int) -> list[User]:
        return [self.maker.new_person("event", branch_id).user for _ in range(n)]

    def event_row(self, spec: EventSpec) -> _Planned:
        first = at_local(spec.sessions[0].day, spec.sessions[0].start)
        row = Event(
            kind=spec.kind, title=spec.title, topic=spec.topic,
            area_id=self.area_ids[spec.area] if spec.area else None,
            branch_id=self.branch_ids[spec.branch], venue=spec.venue, capacity=spec.capacity,
            seats_taken=0, created_by_id=self.ctx.manager.id,
            created_at_dt=first - timedelta(days=30),
        )  # fmt: skip
        row.sessions = [
            EventSession(
                start_dt=at_local(s.day, s.start), end_dt=at_local(s.day, s.end),
                anonymous_count=s.anonymous,
            )
            for s in spec.sessions
        ]  # fmt: skip
        return _Planned(spec, row, no_shows=self.rng.randint(0, 2))


def _served_by_advice(session: Session) -> list[User]:
    """The people advice served in the period, by id (the pool reused by events)."""
    lo, hi = local_day_bounds(PERIOD_START, PERIOD_END)
    A, C = ConsultationAttendee, Consultation
    ids = select(A.user_id).join(C, C.id == A.consultation_id).where(
        A.attended.is_(True), C.status == ConsultationStatus.ATTENDED, C.start_dt >= lo,
        C.start_dt < hi,
    )  # fmt: skip
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)))


def _fill(b: _Builder, plans: list[_Planned], target: int, reused: list[User]) -> list[User]:
    """Give the in-period ``plans`` exactly ``target`` distinct people who came: ``reused``
    first, then new people; then a few come again to a later event. Returns the people."""
    shares = _shares([p.room for p in plans], target)
    queue: list[User] = list(reused[:target])
    b.rng.shuffle(queue)
    people: list[User] = []
    for plan, share in zip(plans, shares, strict=True):
        take, queue = queue[:share], queue[share:]
        plan.present = take + b.new_people(share - len(take), plan.row.branch_id or 0)
        people += plan.present
    assert len({id(u) for u in people}) == target  # noqa: S101 - by construction
    for i, plan in enumerate(plans[1:], 1):
        earlier = [u for p in plans[:i] for u in p.present if u not in plan.present]
        again = min(plan.room - len(plan.present), b.rng.randint(0, 3), len(set(earlier)))
        plan.present += b.rng.sample(list(dict.fromkeys(earlier)), again)
    return people


def _register(b: _Builder, plan: _Planned, pool: Sequence[User]) -> None:
    """Registrations (who came, who never came, who cancelled) and attendance per session."""
    rng, row = b.rng, plan.row
    first = row.sessions[0].start_dt
    others = [u for u in pool if u not in plan.present]
    absent = rng.sample(others, min(plan.no_shows, len(others)))
    rest = [u for u in others if u not in absent]
    cancelled = rng.sample(rest, min(1, len(rest)))
    recorder = row.trainers[0].id if row.trainers else b.ctx.manager.id
    for user in plan.present + absent:
        since = first - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 8))
        registration = EventRegistration(
            user=user, status=RegistrationStatus.REGISTERED, created_at_dt=since,
            seat_since_dt=since,
        )  # fmt: skip
        row.registrations.append(registration)
        b.registrations.setdefault(id(user), []).append(registration)
        came = _sessions_came(rng, len(row.sessions)) if user in plan.present else ()
        for i, s in enumerate(row.sessions):
            s.attendance.append(
                SessionAttendance(
                    user=user, attended=i in came, recorded_by_id=recorder,
                    recorded_at_dt=s.end_dt + timedelta(minutes=10),
                )
            )  # fmt: skip
            if i in came:
                b.first_seen.setdefault(id(user), s.start_dt)
                b.first_seen[id(user)] = min(b.first_seen[id(user)], s.start_dt)
    for user in cancelled:
        since = first - timedelta(days=rng.randint(10, 25))
        registration = EventRegistration(
            user=user, status=RegistrationStatus.CANCELLED, created_at_dt=since,
            cancelled_at_dt=since + timedelta(days=rng.randint(1, 5)),
        )  # fmt: skip
        row.registrations.append(registration)
        b.registrations.setdefault(id(user), []).append(registration)
    row.seats_taken = len(plan.present) + len(absent)


def _sessions_came(rng: random.Random, sessions: int) -> set[int]:
    """The sessions one person came to: each most of the time, at least one."""
    came = {i for i in range(sessions) if rng.random() < 0.85}
    return came or {rng.randrange(sessions)}


def _busy(
    session: Session, expert_ids: Sequence[int]
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Every expert's taken time so far (their consultations, kept by the database)."""
    busy: dict[int, list[tuple[datetime, datetime]]] = {i: [] for i in expert_ids}
    rows = session.execute(
        select(ExpertBusyTime.expert_id, ExpertBusyTime.start_dt, ExpertBusyTime.end_dt).where(
            ExpertBusyTime.expert_id.in_(expert_ids)
        )
    )
    for expert_id, start, end in rows:
        busy[expert_id].append((start, end))
    return busy


def _assign_trainers(b: _Builder, plans: Sequence[_Planned], summary: EventsSummary) -> None:
    """Each event's trainers, unless one is busy at one of its sessions (then left off)."""
    busy = _busy(b.session, [u.id for u in b.experts.values()])
    for plan in plans:
        times = [(s.start_dt, s.end_dt) for s in plan.row.sessions]
        for email in plan.spec.trainers:
            trainer = b.experts[email]
            taken = busy[trainer.id]
            if any(s < e2 and s2 < e for s, e in times for s2, e2 in taken):
                summary.trainers_left_off += 1
                continue
            plan.row.trainers.append(trainer)
            taken.extend(times)


def _busy_rows(session: Session, plans: Sequence[_Planned]) -> None:
    """The trainers' sessions as busy time (flushed: the sessions need their ids)."""
    session.flush()
    for plan in plans:
        session.add_all(plan.row.trainers_busy_times())


def _finish_new_people(b: _Builder) -> None:
    """Date each new person by their first registration, entry and birth year by their first
    session."""
    for person in b.maker.people:
        user = person.user
        first = b.first_seen.get(id(user))
        registered = min((r.created_at_dt for r in _registrations(b, user)), default=first)
        joined = registered or at_local(PERIOD_START, time(10))
        user.created_at_dt = user.consent_dt = joined
        user.informed_via = person.informed_via
        profile = user.client_profile
        assert profile is not None  # noqa: S101 - PeopleMaker makes one
        profile.entry_dt = first
        person.set_birth(local_date(first or joined).year - person.age)


def _registrations(b: _Builder, user: User) -> list[EventRegistration]:
    return b.registrations.get(id(user), [])


def _came(plans: Sequence[_Planned], kind: str) -> set[int]:
    """Distinct people ticked present at the in-period events of ``kind`` (by object)."""
    return {
        id(a.user)
        for p in plans
        if p.spec.kind == kind and p.spec.in_period
        for s in p.row.sessions
        for a in s.attendance
        if a.attended
    }


def _check(plans: Sequence[_Planned], trained: int, meeting_attendees: int) -> None:
    """The period's figures are the targets (a guard on the construction above)."""
    heads = sum(
        s.anonymous_count
        for p in plans
        if p.spec.kind == EventKind.INFORMATION_MEETING and p.spec.in_period
        for s in p.row.sessions
    )
    got = (len(_came(plans, EventKind.TRAINING)), len(_came(plans, EventKind.INFORMATION_MEETING)))
    if got != (trained, meeting_attendees - heads):  # pragma: no cover - a bug
        raise RuntimeError(f"demo events bug: {got}, expected {trained}, {meeting_attendees}")


def _people_for(
    b: _Builder, plans: list[_Planned], advice: list[User], trained: int, attendees: int
) -> tuple[list[User], list[User]]:
    """Who came to the period's trainings and to its meetings (registered people)."""
    in_period = [p for p in plans if p.spec.in_period]
    trainings = [p for p in in_period if p.spec.kind == EventKind.TRAINING]
    meetings = [p for p in in_period if p.spec.kind == EventKind.INFORMATION_MEETING]
    heads = sum(s.anonymous for p in meetings for s in p.spec.sessions)
    if heads > attendees:
        raise ValueError(f"the head counts ({heads}) exceed {attendees} meeting attendees")
    reused = b.rng.sample(advice, min(REUSED_TRAINED, len(advice), trained))
    trainees = _fill(b, trainings, trained, reused)
    earlier = list(dict.fromkeys(advice + trainees))
    reused = b.rng.sample(earlier, min(REUSED_AT_MEETINGS, len(earlier), attendees - heads))
    met = _fill(b, meetings, attendees - heads, reused)
    for plan in plans:
        if not plan.spec.in_period:  # after the project: people who came before
            pool = trainees if plan.spec.kind == EventKind.TRAINING else met
            plan.present = b.rng.sample(pool, min(plan.room, b.rng.randint(8, 15), len(pool)))
    return trainees, met


def add_demo_events(
    session: Session,
    ctx: DemoContext,
    specs: Sequence[EventSpec],
    *,
    seed: int,
    trained: int = DEFAULT_TRAINED,
    meeting_attendees: int = DEFAULT_MEETING_ATTENDEES,
) -> EventsSummary:
    """Add the events of ``specs`` with their people (flushed, no commit).

    Call after the consultation history is flushed: the trainers' busy time is read from the
    database, and the people advice served in the period are reused.
    """
    b = _Builder(session, ctx, seed)
    plans = [b.event_row(spec) for spec in specs]
    everyone_before = _served_by_advice(session)
    trainees, met = _people_for(b, plans, everyone_before, trained, meeting_attendees)
    summary = EventsSummary(events=len(plans), sessions=sum(len(p.row.sessions) for p in plans))
    _assign_trainers(b, plans, summary)
    pool = list(dict.fromkeys(everyone_before + trainees + met))
    for plan in plans:
        _register(b, plan, pool)
    _check(plans, trained, meeting_attendees)
    _finish_new_people(b)
    session.add_all(p.user for p in b.maker.people)
    session.add_all(p.row for p in plans)
    _busy_rows(session, plans)
    session.flush()
    summary.trained, summary.new_people = len(trainees), len(b.maker.people)
    summary.meeting_attendees = meeting_attendees
    return summary
