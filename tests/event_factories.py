"""Trainings and information meetings for tests (issue #14), made through the services, so the
trainers' busy time and the seats are what the app itself writes.

Sessions may lie in the past: the event is created, and people registered, as of a day before
its first session (`now` is a parameter of every service)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from incubator.domain.events import SessionTimes
from incubator.extensions import db
from incubator.models import Event, EventKind, User
from incubator.services import event_attendance, event_registrations, events


def create_event(
    *,
    actor: User,
    sessions: Sequence[tuple[datetime, datetime]],
    registered: Sequence[User] = (),
    trainers: Sequence[User] = (),
    kind: str = EventKind.TRAINING,
    title: str = "Ekonomia społeczna od podstaw",
    capacity: int = 30,
    branch_id: int | None = None,
    venue: str = "",
) -> Event:
    """An event as of a day before its first session, with `registered` holding seats."""
    before = min(start for start, _ in sessions) - timedelta(days=1)
    new = events.NewEvent(
        kind=kind, title=title, capacity=capacity, branch_id=branch_id, venue=venue,
        sessions=[SessionTimes(start, end) for start, end in sessions],
        trainer_ids=[t.id for t in trainers],
    )  # fmt: skip
    event = events.create(db.session, new, actor=actor, now=before)
    for person in registered:
        event_registrations.register(
            db.session, event.id, actor=actor, now=before, user_id=person.id
        )
    return events.get(db.session, event.id)


def record_attendance(event: Event, came: dict[int, Sequence[User]], *, actor: User) -> None:
    """`came` maps a session's index (in time order) to the people who came to it."""
    registered = [r.user for r in event.registrations if r.status == "registered"]
    for index, people in came.items():
        item = event.sessions[index]
        marks = {u.id: u in people for u in registered}
        event_attendance.record(
            db.session, item.id, marks, actor=actor, now=item.end_dt + timedelta(minutes=1)
        )
