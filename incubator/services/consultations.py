"""Reading consultations: what each user may see, one or a listing.

Who may see or change a consultation is decided in `incubator.domain.consultations`; this module
only loads rows and applies those rules (a listing filters in SQL by the same rule). Staff shown
a consultation's private notes leave an audit entry (`record_notes_viewed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.availability_rules import hit_by_day_off
from ..domain.calendar import local_date, local_day_bounds, local_midnight
from ..domain.consultations import ConsultationStatus, can_read_notes, can_view
from ..domain.errors import NotFound
from ..domain.slots import ExceptionKind
from ..models import AvailabilityException, Consultation, ConsultationAttendee, User
from . import audit
from .transactions import write

NOTES_VIEWED = "consultation.notes_viewed"


def _shown_with() -> tuple:
    """What showing a consultation reads besides its row: expert (with the title), office,
    area and attendees, loaded together (2 queries instead of one per relation)."""
    return (
        joinedload(Consultation.expert).joinedload(User.expert_profile),
        joinedload(Consultation.branch),
        joinedload(Consultation.domain),
        selectinload(Consultation.attendees),
    )


def load(session: Session, consultation_id: int) -> Consultation | None:
    """The consultation with what showing it needs (also refreshes an expired one)."""
    return session.get(Consultation, consultation_id, options=_shown_with(), populate_existing=True)


def get_visible(session: Session, consultation_id: int, user: User) -> Consultation:
    """The consultation, if `user` may see it; someone else's is "not found", so ids cannot be
    probed."""
    consultation = session.get(Consultation, consultation_id, options=_shown_with())
    if consultation is None or not can_view(user, consultation):
        raise NotFound(consultation_id=consultation_id)
    return consultation


def list_consultations(
    session: Session,
    actor: User,
    *,
    expert_id: int | None = None,
    branch_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    include_cancelled: bool = True,
    limit: int | None = None,
) -> list[Consultation]:
    """What `actor` may see: a client their own, an expert their calendar, a manager everything;
    in time order, at most `limit` of them when given."""
    stmt = select(Consultation).options(
        selectinload(Consultation.attendees).selectinload(ConsultationAttendee.user),
        selectinload(Consultation.expert).selectinload(User.expert_profile),
        selectinload(Consultation.branch),
        selectinload(Consultation.domain),
    )
    if actor.is_client:
        stmt = stmt.where(
            or_(
                Consultation.client_id == actor.id,
                Consultation.attendees.any(ConsultationAttendee.user_id == actor.id),
            )
        )
    elif actor.is_expert:
        stmt = stmt.where(Consultation.expert_id == actor.id)
    if expert_id is not None and not actor.is_client:
        stmt = stmt.where(Consultation.expert_id == expert_id)
    if branch_id is not None:
        stmt = stmt.where(Consultation.branch_id == branch_id)
    if date_from is not None:
        stmt = stmt.where(Consultation.start_dt >= local_midnight(date_from))
    if date_to is not None:
        stmt = stmt.where(Consultation.start_dt < local_day_bounds(date_to, date_to)[1])
    if not include_cancelled:
        stmt = stmt.where(Consultation.status != ConsultationStatus.CANCELLED)
    stmt = stmt.order_by(Consultation.start_dt, Consultation.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def on_day_off(
    session: Session, consultations: Iterable[Consultation], *, now: datetime
) -> set[int]:
    """The ids of the active, not yet over consultations that fall on their expert's day off
    (added after they were booked: a day off never cancels anything). One query for all."""
    active = [c for c in consultations if c.is_active and c.end_dt > now]
    if not active:
        return set()
    first = min(local_date(c.start_dt) for c in active)
    last = max(local_date(c.end_dt) for c in active)
    offs: dict[int, list] = {}
    for row in session.scalars(
        select(AvailabilityException).where(
            AvailabilityException.expert_id.in_({c.expert_id for c in active}),
            AvailabilityException.kind == ExceptionKind.OFF,
            AvailabilityException.start_date <= last,
            AvailabilityException.end_date >= first,
        )
    ):
        offs.setdefault(row.expert_id, []).append(row.to_domain())
    return {
        c.id
        for c in active
        if any(
            hit_by_day_off(off, c.start_dt, c.end_dt, c.branch_id)
            for off in offs.get(c.expert_id, ())
        )
    }


def record_notes_viewed(
    session: Session,
    viewer: User,
    consultations: Iterable[Consultation],
    *,
    now: datetime,
    via: str,
    ip: str = "",
) -> int:
    """Audit that `viewer` was shown these consultations' private notes; how many entries.

    One entry per consultation whose notes are not empty and are shown to someone other than
    its client (its expert or a manager: `can_read_notes`); its subject is the client. The
    entry names the consultation and `via` (``page``, ``api``), never the notes. Call it after
    what is shown has been read: the write begins a fresh transaction.
    """
    shown = [
        c.id
        for c in consultations
        if c.notes and c.client_id != viewer.id and can_read_notes(viewer, c)
    ]
    if not shown:
        return 0
    with write(session):
        rows = session.scalars(select(Consultation).where(Consultation.id.in_(shown)))
        for c in sorted(rows, key=lambda row: row.id):
            audit.record(
                session,
                actor=viewer,
                action=NOTES_VIEWED,
                target=c,
                details={"expert_id": c.expert_id, "via": via},
                ip=ip,
                now=now,
            )
    return len(shown)
