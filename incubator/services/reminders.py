"""Reminders the day before: an e-mail to every attendee with an address, a line on the "to call"
list for the others. Safe to run as often as cron likes: the outbox and the call list refuse a
second entry with the same key, so each person is reminded once per consultation and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..domain.calendar import local_date, local_day_bounds
from ..domain.consultations import ConsultationStatus
from ..domain.errors import InvalidInput
from ..models import Consultation, ConsultationAttendee
from . import notifications
from .transactions import write


@dataclass(frozen=True)
class ReminderRun:
    day: date
    consultations: int
    emails: int
    calls: int

    @property
    def queued(self) -> int:
        return self.emails + self.calls


def default_day(now: datetime) -> date:
    """Tomorrow in Warsaw."""
    return local_date(now) + timedelta(days=1)


def queue_reminders(
    session: Session, day: date, *, now: datetime, settings: notifications.NoticeSettings
) -> ReminderRun:
    """Queue the reminders for the booked consultations on `day` (not a past day)."""
    if day < local_date(now):
        raise InvalidInput(field="date", reason="past_day")
    start, end = local_day_bounds(day, day)
    emails = calls = 0
    with write(session):
        found = list(
            session.scalars(
                select(Consultation)
                .where(
                    Consultation.start_dt >= start,
                    Consultation.start_dt < end,
                    Consultation.start_dt > now,
                    Consultation.status == ConsultationStatus.BOOKED,
                )
                .order_by(Consultation.start_dt, Consultation.id)
                .options(selectinload(Consultation.attendees).joinedload(ConsultationAttendee.user))
            )
        )
        for consultation in found:
            e, c = notifications.remind(session, consultation, now=now, settings=settings)
            emails += e
            calls += c
    return ReminderRun(day=day, consultations=len(found), emails=emails, calls=calls)
