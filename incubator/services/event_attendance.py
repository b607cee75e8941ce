"""Who came to each session, anonymous head counts of meetings, and certificates of completion.

Attendance is recorded by the event's trainers and by managers, once a session has begun, for
registered people only. A certificate needs attendance of `share` of the sessions held since
the person took their seat (`domain.events.check_certificate`); its code can be checked by
anyone (`verify`), which shows initials, the training and its dates, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain.calendar import local_date
from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.events import (
    NotRegistered,
    WrongEventKind,
    check_attendance_time,
    check_certificate,
    initials,
    new_certificate_code,
    normalise_code,
)
from ..models import (
    Event,
    EventCertificate,
    EventKind,
    EventRegistration,
    EventSession,
    RegistrationStatus,
    SessionAttendance,
    User,
)
from . import audit
from .transactions import write

MAX_HEAD_COUNT = 10000


def can_record(actor: User, event: Event) -> bool:
    return actor.is_manager or any(t.id == actor.id for t in event.trainers)


def _session_for(
    session: Session, session_id: int, actor: User, event_id: int | None = None
) -> EventSession:
    found = session.get(EventSession, session_id)
    if found is None or found.event.cancelled_at_dt is not None:
        raise NotFound(session_id=session_id)
    if event_id is not None and found.event_id != event_id:
        raise NotFound(session_id=session_id)
    if not can_record(actor, found.event):
        raise NotAllowed(reason="not_trainer")
    return found


def session_to_record(
    session: Session, event_id: int, session_id: int, *, actor: User
) -> EventSession:
    """A session of `event_id` whose attendance `actor` may record (NotFound / NotAllowed)."""
    return _session_for(session, session_id, actor, event_id)


def record(
    session: Session,
    session_id: int,
    marks: Mapping[int, bool],
    *,
    actor: User,
    now: datetime,
) -> EventSession:
    """Tick who came (True) or not (False) to a session that has begun; registered people only."""
    with write(session):
        found = _session_for(session, session_id, actor)
        check_attendance_time(found.start_dt, now)
        registered = _registered_ids(session, found.event_id)
        for user_id in marks:
            if user_id not in registered:
                raise NotRegistered(user_id=user_id)
        existing = {a.user_id: a for a in found.attendance}
        for user_id, came in marks.items():
            row = existing.get(user_id)
            if row is None:
                row = SessionAttendance(session_id=found.id, user_id=user_id)
                found.attendance.append(row)
            row.attended, row.recorded_by_id, row.recorded_at_dt = bool(came), actor.id, now
        audit.record(
            session, actor=actor, action="event.attendance", target=found.event,
            details={"session": found.id, "came": sum(map(bool, marks.values()))}, now=now,
        )  # fmt: skip
    return found


def _registered_ids(session: Session, event_id: int) -> set[int]:
    return set(
        session.scalars(
            select(EventRegistration.user_id).where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == RegistrationStatus.REGISTERED,
            )
        )
    )


def set_head_count(
    session: Session, session_id: int, count: int, *, actor: User, now: datetime
) -> EventSession:
    """People at a meeting who did not register: attendees, never participants (DOMAIN.md)."""
    with write(session):
        found = _session_for(session, session_id, actor)
        if found.event.kind != EventKind.INFORMATION_MEETING:
            raise WrongEventKind(kind=found.event.kind)
        check_attendance_time(found.start_dt, now)
        if not 0 <= count <= MAX_HEAD_COUNT:
            raise InvalidInput(field="anonymous_count", reason="out_of_range")
        found.anonymous_count = count
        audit.record(
            session, actor=actor, action="event.head_count", target=found.event,
            details={"session": found.id, "count": count}, now=now,
        )  # fmt: skip
    return found


@dataclass(frozen=True)
class Progress:
    attended: int
    held: int


def progress(session: Session, registration: EventRegistration, now: datetime) -> Progress:
    """Sessions attended of those held since the person took their seat."""
    since = registration.seat_since_dt or registration.created_at_dt
    held = [s for s in registration.event.sessions if since <= s.end_dt and s.start_dt <= now]
    came = set(
        session.scalars(
            select(SessionAttendance.session_id).where(
                SessionAttendance.user_id == registration.user_id,
                SessionAttendance.attended.is_(True),
                SessionAttendance.session_id.in_([s.id for s in held] or [0]),
            )
        )
    )
    return Progress(attended=len(came), held=len(held))


def issue_certificate(
    session: Session, event_id: int, user_id: int, *, actor: User, now: datetime, share: float
) -> EventCertificate:
    """The certificate of completion (the same one when asked again), or why not."""
    with write(session):
        event = session.get(Event, event_id)
        if event is None or not (actor.is_staff or actor.id == user_id):
            raise NotFound(event_id=event_id)
        if event.kind != EventKind.TRAINING:
            raise WrongEventKind(kind=event.kind)
        existing = session.scalar(
            select(EventCertificate).where(
                EventCertificate.event_id == event_id, EventCertificate.user_id == user_id
            )
        )
        if existing is not None:
            return existing
        registration = session.scalar(
            select(EventRegistration).where(
                EventRegistration.event_id == event_id,
                EventRegistration.user_id == user_id,
                EventRegistration.status == RegistrationStatus.REGISTERED,
            )
        )
        if registration is None:
            raise NotRegistered(user_id=user_id)
        done = progress(session, registration, now)
        check_certificate(done.attended, done.held, share)
        certificate = EventCertificate(
            event_id=event_id, user_id=user_id, code=_unused_code(session), issued_at_dt=now,
            issued_by_id=actor.id, sessions_attended=done.attended, sessions_held=done.held,
        )  # fmt: skip
        session.add(certificate)
        session.flush()
        audit.record(
            session, actor=actor, action="event.certificate", target=registration.user,
            details={"event": event_id, "certificate": certificate.id}, now=now,
        )  # fmt: skip
    return certificate


def _unused_code(session: Session) -> str:
    for _ in range(10):
        code = new_certificate_code()
        if session.scalar(select(EventCertificate.id).where(EventCertificate.code == code)) is None:
            return code
    raise IntegrityError("certificate code", None, Exception("no unused code"))  # ~never


@dataclass(frozen=True)
class CertificateCheck:
    """All a public check shows: whose initials, which training, when."""

    initials: str
    title: str
    first_day: date | None
    last_day: date | None
    issued_on: date


def verify(session: Session, typed_code: str) -> CertificateCheck | None:
    certificate = session.scalar(
        select(EventCertificate).where(EventCertificate.code == normalise_code(typed_code))
    )
    if certificate is None:
        return None
    event = certificate.event
    return CertificateCheck(
        # An anonymised holder's certificate still verifies, naming nobody.
        initials="—" if certificate.user.is_erased else initials(certificate.user.full_name),
        title=event.title,
        first_day=local_date(event.starts_at) if event.starts_at else None,
        last_day=local_date(event.ends_at) if event.ends_at else None,
        issued_on=local_date(certificate.issued_at_dt),
    )
