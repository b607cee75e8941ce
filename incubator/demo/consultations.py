"""Turning the planned history into rows: consultations, their people's dates, upcoming bookings.

The planner (:mod:`incubator.demo.history`) decides who sees which expert on which slot; this
module dresses each decision as a :class:`~incubator.models.Consultation` with believable
booking, cancellation and note details, all drawn from the planner's ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..domain.calendar import local_date
from ..domain.slots import Slot, free_slots
from ..models import Consultation, ConsultationAttendee, ConsultationStatus, User
from .context import PERIOD_START, DemoContext, GroupInfo, Planned, at_local, within_workday
from .files import TOPICS_FILE, SeedFile, TextPool
from .people import Person

# How many upcoming bookings the demo client gets. Kept below the default BOOKING_MAX_ACTIVE (3)
# so the demo client can still book one more consultation in the demo.
UPCOMING_FOR_DEMO_CLIENT = 2


def read_texts(seed_dir: Path) -> TextPool:
    file = SeedFile(seed_dir, TOPICS_FILE)
    data = file.mapping(file.load(), "topics")
    file.only(data, "topics", ("topics", "cancel_reasons", "notes"))
    topics = file.mapping(data.get("topics", {}), "topics")
    return TextPool(
        topics={code: tuple(file.strings(topics, code, "topics")) for code in topics},
        cancel_reasons=tuple(file.strings(data, "cancel_reasons", "topics")),
        notes=tuple(_notes(file, data.get("notes", []))),
    )


def _notes(file: SeedFile, value: Any) -> list[str]:
    """Expert notes for attended consultations; "" is allowed (no note)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise file.error("'notes' must be a list of strings")
    return [v.strip() for v in value]


def _outcome(rng: random.Random, ctx: DemoContext, row: Consultation, planned: Planned) -> None:
    """Who cancelled and why, or the expert's note; and when the row was last changed."""
    slot = planned.slot
    if planned.status == ConsultationStatus.CANCELLED:
        by_expert = rng.random() < 0.2
        span = (row.start_dt - row.created_at_dt).total_seconds()
        row.cancelled_at_dt = row.created_at_dt + timedelta(seconds=span * rng.uniform(0.3, 0.95))
        row.cancelled_by_id = slot.expert_id if by_expert else None
        if not by_expert:
            row.cancelled_by = planned.client.user
        reasons = ctx.texts.cancel_reasons
        row.cancel_reason = rng.choice(reasons) if reasons else ""
        row.sequence = 1
        row.updated_at_dt = row.cancelled_at_dt
    elif planned.status == ConsultationStatus.ATTENDED:
        notes = ctx.texts.notes
        row.notes = rng.choice(notes) if notes else ""
        _recorded(rng, row)
        # The actual length: mostly as booked, sometimes a quarter of an hour shorter or longer.
        booked = int((row.end_dt - row.start_dt).total_seconds() // 60)
        row.duration_min = max(15, booked + rng.choice((0, 0, 0, -15, 15)))
    elif planned.status == ConsultationStatus.NO_SHOW:
        _recorded(rng, row)


def _recorded(rng: random.Random, row: Consultation) -> None:
    """The expert recorded the outcome shortly after the end."""
    row.updated_at_dt = row.end_dt + timedelta(minutes=rng.randint(1, 30))
    row.outcome_at_dt = row.updated_at_dt
    row.outcome_by_id = row.expert_id


def _came(status: ConsultationStatus) -> bool | None:
    """Attendance per person: everyone at a held consultation came, nobody at a no-show."""
    if status == ConsultationStatus.ATTENDED:
        return True
    if status == ConsultationStatus.NO_SHOW:
        return False
    return None


def _note_dates(planned: Planned, created: datetime, start: datetime) -> None:
    """Each attendee's first booking and first consultation that took place."""
    for person in planned.attendees:
        if person.first_booking is None or created < person.first_booking:
            person.first_booking = created
        if planned.status == ConsultationStatus.ATTENDED and (
            person.first_attended is None or start < person.first_attended
        ):
            person.first_attended = start


def build_consultation(rng: random.Random, ctx: DemoContext, planned: Planned) -> Consultation:
    """The row for one planned consultation (booked 2-21 days ahead, in office hours)."""
    slot = planned.slot
    start, end = slot.start.astimezone(UTC), slot.end.astimezone(UTC)
    created = at_local(
        local_date(slot.start) - timedelta(days=rng.randint(2, 21)),
        time(rng.randint(8, 15), rng.choice((0, 15, 30, 45))),
    )
    client = planned.client
    staff_booked = planned.group is not None or client.phone_only
    topics = ctx.texts.topics.get(ctx.domain_codes[planned.domain_id], ())
    topic = rng.choice(topics) if topics else ""
    if planned.group is not None and topic:
        topic = f"{topic} (konsultacja grupowa)"
    row = Consultation(
        uid=f"{rng.getrandbits(128):032x}",
        expert_id=slot.expert_id,
        branch_id=slot.branch_id,
        domain_id=planned.domain_id,
        client=client.user,
        created_by=ctx.manager if staff_booked else client.user,
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
    _outcome(rng, ctx, row, planned)
    came = _came(planned.status)
    row.attendees = [ConsultationAttendee(user=p.user, attended=came) for p in planned.attendees]
    _note_dates(planned, created, start)
    return row


def finish_people(people: list[Person], groups: tuple[GroupInfo, ...]) -> None:
    """Date each person by their first booking and set the entry date and year of birth."""
    for person in people:
        user = person.user
        joined = person.first_booking
        if joined is None:
            # A group member with no consultation: on record since the group was formed.
            membership = next((m for g in groups for m in g.group.members if m.user is user), None)
            formed = membership.group.formed_date if membership else PERIOD_START
            joined = at_local(formed or PERIOD_START, time(10))
        user.created_at_dt = joined
        user.consent_dt, user.informed_via = joined, person.informed_via
        profile = user.client_profile
        assert profile is not None
        profile.entry_dt = person.first_attended
        entry_year = local_date(person.first_attended or joined).year
        person.set_birth(entry_year - person.age)


def _upcoming_slots(ctx: DemoContext, holidays: Container[date]) -> list[Slot]:
    """Free slots a few days after ``now``, the featured expert and the home branch first,
    never two with one expert or on one day."""
    now = ctx.now
    today = local_date(now)
    horizon = timedelta(days=60)
    rules = [r for e in ctx.experts for r in e.rules]
    slots = free_slots(
        rules,
        (),
        {},
        holidays,
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
    for slot in sorted((s for s in slots if within_workday(s)), key=preference):
        clash = any(
            s.expert_id == slot.expert_id or local_date(s.start) == local_date(slot.start)
            for s in chosen
        )
        if not clash:
            chosen.append(slot)
        if len(chosen) == UPCOMING_FOR_DEMO_CLIENT:
            break
    return sorted(chosen)


def upcoming_for_demo_client(
    rng: random.Random, ctx: DemoContext, holidays: Container[date]
) -> list[Consultation]:
    """A couple of booked consultations for the demo client, soon after ``now``."""
    client: User | None = ctx.demo_client
    if client is None or UPCOMING_FOR_DEMO_CLIENT <= 0:
        return []
    experts = {e.user_id: e for e in ctx.experts}
    rows = []
    for n, slot in enumerate(_upcoming_slots(ctx, holidays)):
        booked = ctx.now - timedelta(days=1 + n, hours=2)
        domain_id = experts[slot.expert_id].domain_ids[0]
        topics = ctx.texts.topics.get(ctx.domain_codes[domain_id], ())
        rows.append(
            Consultation(
                uid=f"{rng.getrandbits(128):032x}",
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
