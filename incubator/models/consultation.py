"""Consultations (bookings) and who attended them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.consultations import ConsultationStatus
from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .area import Area
    from .branch import Branch
    from .founding_group import FoundingGroup
    from .topic_category import TopicCategory
    from .user import User


# Every status but "cancelled" occupies the expert's time. The partial unique index below (and,
# on PostgreSQL, an exclusion constraint over the time range) makes a double booking impossible
# at the database level, whatever the application code does.
ACTIVE_PREDICATE = "status <> 'cancelled'"


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled', 'attended', 'no_show')", name="status"),
        CheckConstraint("end_dt > start_dt", name="time_order"),
        CheckConstraint("sequence >= 0", name="sequence"),
        Index(
            "uq_consultations_active_expert_start",
            "expert_id",
            "start_dt",
            unique=True,
            sqlite_where=text(ACTIVE_PREDICATE),
            postgresql_where=text(ACTIVE_PREDICATE),
        ),
        CheckConstraint("duration_min IS NULL OR duration_min BETWEEN 1 AND 1440", name="duration"),
        Index("ix_consultations_branch_start", "branch_id", "start_dt"),
        # Reports select a period of consultations (issue #11).
        Index("ix_consultations_start", "start_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable identity for calendars (.ics UID); never changes, even on reschedule.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: uuid.uuid4().hex)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"))
    # The person the consultation is for (also an attendee); who typed it in may differ.
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    founding_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("founding_groups.id", ondelete="SET NULL"), index=True
    )
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    buffer_min: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default=ConsultationStatus.BOOKED)
    topic: Mapped[str] = mapped_column(String(300), default="")
    # The expert's private notes on the outcome: only its expert and managers may read them.
    notes: Mapped[str] = mapped_column(Text, default="")
    # The outcome (issue #11): recorded by the expert (or corrected by a manager) after the start.
    # Who came is per attendee (ConsultationAttendee.attended); `status` follows from it:
    # ``attended`` (held) when at least one came, ``no_show`` when nobody did.
    duration_min: Mapped[int | None] = mapped_column(SmallInteger)  # the actual length
    topic_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic_categories.id", ondelete="RESTRICT")
    )
    outcome_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cancelled_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, raised on every change
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    expert: Mapped[User] = relationship(foreign_keys=[expert_id])
    client: Mapped[User] = relationship(foreign_keys=[client_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    branch: Mapped[Branch] = relationship()
    domain: Mapped[Area] = relationship()
    founding_group: Mapped[FoundingGroup | None] = relationship()
    topic_category: Mapped[TopicCategory | None] = relationship()
    outcome_by: Mapped[User | None] = relationship(foreign_keys=[outcome_by_id])
    attendees: Mapped[list[ConsultationAttendee]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )

    @property
    def attendee_ids(self) -> list[int]:
        return [a.user_id for a in self.attendees]

    @property
    def is_active(self) -> bool:
        return self.status != ConsultationStatus.CANCELLED

    @property
    def is_cancelled(self) -> bool:
        return self.status == ConsultationStatus.CANCELLED

    @property
    def took_place(self) -> bool:
        return self.status == ConsultationStatus.ATTENDED

    @property
    def has_outcome(self) -> bool:
        return self.status in (ConsultationStatus.ATTENDED, ConsultationStatus.NO_SHOW)


class ConsultationAttendee(db.Model):
    """One person at a consultation. Each one who came (``attended``) counts as served."""

    __tablename__ = "consultation_attendees"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    # Whether this person came: None until the expert records the outcome (never automatic).
    attended: Mapped[bool | None]

    consultation: Mapped[Consultation] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()
