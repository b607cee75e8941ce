"""Consultations of the last two weeks still waiting for their outcome, so a new user of the demo
can record one (as the demo expert) and watch the manager's count move.

Each is ``booked``, started before ``now`` (ended, in fact), with every attendee's ``attended``
left None: nothing about the outcome is invented. They lie on the experts' weekly hours (the
first slot of a rule on that weekday), on working days (no Sundays or Polish public holidays)
inside 08:00-17:00, and never two at one start for one expert (the unique index). The history's
207 people are counted in 2008-2011 only, and these are neither held nor in that period.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calendar import WARSAW, daterange, is_closed_day, local_date
from ..domain.slots import Rule, Slot
from ..models import Consultation, ConsultationAttendee, ConsultationStatus, Role, User
from ..services.calendar_days import polish_holidays
from .context import DemoContext, ExpertInfo, within_workday

RECENT_DAYS = 14
FOR_FEATURED_EXPERT = 4  # the demo expert's "to record" list
FOR_OTHER_EXPERTS = 2
SEED = 20260101


def _slot_on(rule: Rule, day: date) -> Slot:
    start = datetime.combine(day, rule.start, WARSAW)
    end = start + timedelta(minutes=rule.length_min)
    return Slot(start, end, rule.expert_id, rule.branch_id, rule.buffer_min)


def _past_slots(expert: ExpertInfo, now: datetime, holidays: frozenset[date]) -> list[Slot]:
    """The first slot of each of the expert's rules on the last RECENT_DAYS working days,
    ended before ``now``; newest first."""
    today = local_date(now)
    found = []
    for day in daterange(today - timedelta(days=RECENT_DAYS), today):
        if is_closed_day(day, holidays):
            continue
        for rule in expert.rules:
            if rule.weekday != day.weekday():
                continue
            slot = _slot_on(rule, day)
            if within_workday(slot) and slot.end <= now:
                found.append(slot)
    return sorted(found, key=lambda s: s.start, reverse=True)


def _clients(session: Session, ctx: DemoContext) -> list[User]:
    """The generated clients (not the demo client: their own list stays as the booking demo
    expects it), in id order."""
    skip = ctx.demo_client.id if ctx.demo_client is not None else -1
    return list(
        session.scalars(
            select(User).where(User.role == Role.CLIENT, User.id != skip).order_by(User.id)
        )
    )


def _row(rng: random.Random, ctx: DemoContext, slot: Slot, people: list[User]) -> Consultation:
    expert = next(e for e in ctx.experts if e.user_id == slot.expert_id)
    domain_id = rng.choice(expert.domain_ids)
    topics = ctx.texts.topics.get(ctx.domain_codes[domain_id], ())
    booked = slot.start.astimezone(UTC) - timedelta(days=rng.randint(3, 10), hours=2)
    return Consultation(
        uid=f"{rng.getrandbits(128):032x}",
        expert_id=slot.expert_id,
        branch_id=slot.branch_id,
        domain_id=domain_id,
        client=people[0],
        created_by=ctx.manager,
        start_dt=slot.start.astimezone(UTC),
        end_dt=slot.end.astimezone(UTC),
        buffer_min=slot.buffer_min,
        status=ConsultationStatus.BOOKED,
        topic=rng.choice(topics) if topics else "",
        created_at_dt=booked,
        updated_at_dt=booked,
        attendees=[ConsultationAttendee(user=p, attended=None) for p in people],
    )


def add_awaiting_outcome(session: Session, ctx: DemoContext, seed: int = SEED) -> int:
    """Add the recent consultations waiting for an outcome (no flush); returns how many.

    The demo expert gets FOR_FEATURED_EXPERT (the first of them a group consultation of two),
    every other expert FOR_OTHER_EXPERTS, fewer when their hours leave fewer slots.
    """
    rng = random.Random(seed)
    clients = _clients(session, ctx)
    if not clients:
        return 0
    today = local_date(ctx.now)
    holidays = polish_holidays(today - timedelta(days=RECENT_DAYS + 1), today)
    rng.shuffle(clients)  # each client at most once: nobody is in two places at one time
    rows: list[Consultation] = []
    for expert in ctx.experts:
        featured = expert.user_id == ctx.featured_expert_id
        wanted = FOR_FEATURED_EXPERT if featured else FOR_OTHER_EXPERTS
        for n, slot in enumerate(_past_slots(expert, ctx.now, holidays)[:wanted]):
            size = 2 if featured and n == 0 else 1
            if len(clients) < size:
                break
            people, clients = clients[:size], clients[size:]
            rows.append(_row(rng, ctx, slot, people))
    session.add_all(rows)
    return len(rows)
