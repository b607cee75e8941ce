"""Trainings and information meetings (issue #14): events with sessions, registrations within a
capacity the database keeps, attendance per person and session, and certificates.

Capacity: `Event.seats_taken` counts the live registrations (``registered``); a registration
takes its seat with one conditional ``UPDATE … SET seats_taken = seats_taken + 1 WHERE
seats_taken < capacity`` and a CHECK keeps ``seats_taken <= capacity`` whatever any code does, so
concurrent registrations for the last seats cannot overbook on either engine.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .area import Area
    from .branch import Branch
    from .user import User


class EventKind(StrEnum):
    TRAINING = "training"  # szkolenie: several sessions, certificates
    INFORMATION_MEETING = "information_meeting"  # spotkanie informacyjne: head counts allowed


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"  # holds a seat
    WAITLISTED = "waitlisted"  # waits for a seat, promoted first come first served
    CANCELLED = "cancelled"


LIVE_REGISTRATION = "status IN ('registered', 'waitlisted')"

event_trainers = Table(
    "event_trainers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("expert_id", ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True),
)


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("kind IN ('training', 'information_meeting')", name="kind"),
        CheckConstraint("capacity BETWEEN 1 AND 10000", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
        CheckConstraint("branch_id IS NOT NULL OR venue <> ''", name="place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(300), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"))
    branch_id: Mapped[int | None] = mapped_column(
        ForeignKey("branches.id", ondelete="RESTRICT"), index=True
    )
    venue: Mapped[str] = mapped_column(String(300), default="")  # an outside address
    capacity: Mapped[int] = mapped_column()
    seats_taken: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area | None] = relationship()
    branch: Mapped[Branch | None] = relationship()
    trainers: Mapped[list[User]] = relationship(secondary=event_trainers, order_by="User.id")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", order_by="EventSession.start_dt", cascade="all, delete-orphan"
    )
    registrations: Mapped[list[EventRegistration]] = relationship(
        back_populates="event", order_by="EventRegistration.id", cascade="all, delete-orphan"
    )

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].start_dt if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return max((s.end_dt for s in self.sessions), default=None)

    def trainers_busy_times(self) -> list[ExpertBusyTime]:
        """The rows that take each trainer's time for each session (the sessions flushed, so
        they have ids); whoever writes an event's trainers adds these with it."""
        return [
            ExpertBusyTime(
                expert_id=trainer.id,
                start_dt=item.start_dt,
                end_dt=item.end_dt,
                session_id=item.id,
            )  # fmt: skip
            for trainer in self.trainers
            for item in self.sessions
        ]


class EventSession(db.Model):
    __tablename__ = "event_sessions"
    __table_args__ = (
        CheckConstraint("end_dt > start_dt", name="time_order"),
        CheckConstraint("anonymous_count >= 0", name="anonymous_count"),
        Index("ix_event_sessions_start", "start_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    # People who came without registering (information meetings): counted as attendees, never
    # as participants (DOMAIN.md, "Counting people served").
    anonymous_count: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="sessions")
    attendance: Mapped[list[SessionAttendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class EventRegistration(db.Model):
    __tablename__ = "event_registrations"
    __table_args__ = (
        CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name="status"),
        Index(
            "uq_event_registrations_live",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=text(LIVE_REGISTRATION),
            postgresql_where=text(LIVE_REGISTRATION),
        ),
        Index("ix_event_registrations_queue", "event_id", "status", "created_at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    seat_since_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)  # registered, or promoted
    cancelled_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SessionAttendance(db.Model):
    """Who came to a session (one row per registered person ticked, present or not)."""

    __tablename__ = "session_attendance"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    attended: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[EventSession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class EventCertificate(db.Model):
    """A certificate of completion; anyone can check its `code` on a public page."""

    __tablename__ = "event_certificates"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_certificates_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    issued_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sessions_attended: Mapped[int] = mapped_column()
    sessions_held: Mapped[int] = mapped_column()

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ExpertBusyTime(db.Model):
    """Every stretch of an expert's time that is taken, whatever takes it: an active consultation
    (rows kept by database triggers on `consultations`) or a session they train at. No two rows
    of one expert may overlap: an exclusion constraint on PostgreSQL, a trigger on SQLite
    (migration 0013). So a session cannot be scheduled over a booking, nor a booking made over a
    session, by any code path."""

    __tablename__ = "expert_busy_times"
    __table_args__ = (
        CheckConstraint("end_dt > start_dt", name="time_order"),
        CheckConstraint("(consultation_id IS NULL) <> (session_id IS NULL)", name="one_source"),
        UniqueConstraint("expert_id", "session_id", name="uq_expert_busy_times_session"),
        Index("ix_expert_busy_times_expert_start", "expert_id", "start_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_sessions.id", ondelete="CASCADE"), index=True
    )
