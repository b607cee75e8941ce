"""Loading what the printed documents of events need: the attendance lists of an event's sessions
and a person's certificate of completion, each only for someone `domain.event_printouts` allows.

Both documents carry people's names: printing one is an export of personal data, so each print
leaves an audit event (ids and counts only, no names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput, NotAllowed, NotFound
from ..domain.event_printouts import (
    WALK_IN_ROWS,
    may_print_attendance,
    may_print_certificate,
    name_sort_key,
)
from ..models import (
    Event,
    EventCertificate,
    EventKind,
    EventSession,
    RegistrationStatus,
    User,
)
from . import audit, event_attendance, events
from .transactions import write

ATTENDANCE_PRINTED = "event.attendance_list_printed"
CERTIFICATE_PRINTED = "event.certificate_printed"


@dataclass(frozen=True)
class AttendanceSheets:
    """An event, the sessions to print a list for (in time order), the registered people in
    name order, and the blank rows each list leaves for walk-ins."""

    event: Event
    sessions: list[EventSession]
    people: list[User]
    walk_in_rows: int


def attendance_lists(
    session: Session,
    actor: User,
    event_id: int,
    *,
    session_id: int | None = None,
    now: datetime,
    ip: str = "",
) -> AttendanceSheets:
    """The list of one session (`session_id`) or of every session of the event. A client: not
    allowed; an expert who does not train at the event: not found, as a missing event."""
    if not actor.is_staff:
        raise NotAllowed(reason="staff_only")
    event = events.get(session, event_id)
    if event.cancelled_at_dt is not None:
        raise NotFound(event_id=event_id)
    if not may_print_attendance(actor, [t.id for t in event.trainers]):
        raise NotFound(event_id=event_id)
    chosen = [s for s in event.sessions if session_id is None or s.id == session_id]
    if not chosen:
        raise NotFound(session_id=session_id)
    people = sorted(
        (r.user for r in event.registrations if r.status == RegistrationStatus.REGISTERED),
        key=lambda u: name_sort_key(u.full_name),
    )
    walk_ins = WALK_IN_ROWS if event.kind == EventKind.INFORMATION_MEETING else 0
    sheets = AttendanceSheets(event, chosen, people, walk_ins)
    with write(session):
        audit.record(
            session, actor=actor, action=ATTENDANCE_PRINTED, target=event, ip=ip, now=now,
            details={"event_id": event_id, "sessions": [s.id for s in chosen],
                     "people": len(people)},
        )  # fmt: skip
    return sheets


def certificate(
    session: Session,
    actor: User,
    event_id: int,
    *,
    user_id: int | None,
    share: float,
    now: datetime,
    ip: str = "",
) -> EventCertificate:
    """The certificate of `user_id` (a client: their own, when None), issued now if it was not
    yet (`event_attendance.issue_certificate`, which refuses below `share` of the sessions)."""
    if user_id is None:
        if actor.is_staff:
            raise InvalidInput(field="user", reason="missing")
        user_id = actor.id
    event = session.get(Event, event_id)
    if event is None or not may_print_certificate(actor, user_id, [t.id for t in event.trainers]):
        raise NotFound(event_id=event_id)
    issued = event_attendance.issue_certificate(
        session, event_id, user_id, actor=actor, now=now, share=share
    )
    certificate_id = issued.id
    with write(session):
        audit.record(
            session, actor=actor, action=CERTIFICATE_PRINTED, target=issued.user, ip=ip,
            now=now, details={"event_id": event_id, "certificate_id": certificate_id},
        )  # fmt: skip
    found = session.get(EventCertificate, certificate_id)
    assert found is not None  # just issued or read
    return found
