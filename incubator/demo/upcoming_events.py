"""Trainings and an information meeting in the weeks after `now`, so the demo's pages have
events to register for (issue #14): one with free seats, one full with a waiting list, one at an
outside venue. Written directly in the demo's transaction (the services commit on their own);
a trainer busy at a session is left off it, as the history's events do."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calendar import WARSAW, local_date
from ..models import Event, EventRegistration, EventSession, ExpertBusyTime, Role, User
from .context import DemoContext

SEED = 2026


def _saturday_after(day: date, weeks: int) -> date:
    return day + timedelta(days=(5 - day.weekday()) % 7 + 7 * weeks)


def _at(day: date, hour: int, hours: int) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(hour), tzinfo=WARSAW)
    return start, start + timedelta(hours=hours)


def _free(session: Session, expert_id: int, times: list[tuple[datetime, datetime]]) -> bool:
    for start, end in times:
        clash = session.scalar(
            select(ExpertBusyTime.id).where(
                ExpertBusyTime.expert_id == expert_id,
                ExpertBusyTime.start_dt < end,
                ExpertBusyTime.end_dt > start,
            )
        )
        if clash is not None:
            return False
    return True


def _plans(today: date, branches: dict[str, int]) -> list[dict]:
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 + 7)
    return [
        {"kind": "training", "title": "Spółdzielnia socjalna krok po kroku",
         "topic": "Statut, założyciele, rejestracja w KRS", "branch_id": branches.get("klucze"),
         "capacity": 15, "seated": 6, "waiting": 0,
         "times": [_at(_saturday_after(today, w), 10, 4) for w in (1, 2, 3)]},
        {"kind": "information_meeting", "title": "Ekonomia społeczna — spotkanie informacyjne",
         "topic": "Czym jest przedsiębiorstwo społeczne i jak pomaga inkubator",
         "branch_id": branches.get("nowy-sacz"), "capacity": 4, "seated": 4, "waiting": 2,
         "times": [_at(thursday, 17, 2)]},
        {"kind": "training", "title": "Księgowość w stowarzyszeniu i spółdzielni",
         "venue": "Gminny Ośrodek Kultury, ul. Zdrojowa 12, 33-350 Piwniczna-Zdrój",
         "capacity": 12, "seated": 3, "waiting": 0,
         "times": [_at(_saturday_after(today, w), 9, 5) for w in (2, 4)]},
    ]  # fmt: skip


def add_upcoming_events(session: Session, ctx: DemoContext, branches: dict[str, int]) -> int:
    """The upcoming events, with registrations from the demo's clients; returns how many."""
    rng = random.Random(SEED)
    today = local_date(ctx.now)
    clients = list(
        session.scalars(
            select(User).where(User.role == Role.CLIENT, User.active.is_(True)).order_by(User.id)
        )
    )
    experts = [e.user_id for e in ctx.experts]
    for number, plan in enumerate(_plans(today, branches)):
        times = plan.pop("times")
        seated, waiting = plan.pop("seated"), plan.pop("waiting")
        event = Event(
            **plan, seats_taken=seated, created_at_dt=ctx.now, created_by_id=ctx.manager.id
        )
        event.sessions = [EventSession(start_dt=s, end_dt=e) for s, e in times]
        trainer_id = experts[number % len(experts)] if experts else None
        if trainer_id is not None and _free(session, trainer_id, times):
            event.trainers = [session.get(User, trainer_id)]
        people = rng.sample(clients, min(len(clients), seated + waiting))
        if number == 0 and ctx.demo_client is not None and ctx.demo_client not in people:
            people[:1] = [ctx.demo_client]
        for index, person in enumerate(people):
            seat = index < seated
            event.registrations.append(
                EventRegistration(
                    user_id=person.id, status="registered" if seat else "waitlisted",
                    created_at_dt=ctx.now - timedelta(days=3, minutes=index),
                    seat_since_dt=ctx.now - timedelta(days=3) if seat else None,
                )
            )  # fmt: skip
        event.seats_taken = sum(1 for r in event.registrations if r.status == "registered")
        session.add(event)
        session.flush()
        session.add_all(event.trainers_busy_times())
    session.flush()
    return 3
