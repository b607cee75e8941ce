"""The waitlist: people waiting for a free slot in an area at an office, and the slots offered
to them.

An entry waits (``waiting``) until a matching slot frees up; the first in line is then offered
that slot (``offered``), which is held for them alone until the offer's ``expires_at_dt``. They
confirm (the consultation is booked, ``booked``), decline (back to ``waiting``) or let it lapse
(``lapsed``: the slot passes to the next person). Two partial unique indexes hold on both
engines: one live entry per person, area and office, and one open offer per expert and start, so
a slot is never held for two people at once. The bookings themselves keep their own guarantees
(consultations' constraints): an offer only ever leads to an ordinary booking.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .area import Area
    from .branch import Branch
    from .consultation import Consultation
    from .user import User


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"  # a slot is held for them (see SlotOffer)
    BOOKED = "booked"  # they confirmed an offer: `consultation_id`
    LEFT = "left"  # they withdrew, or staff took them off
    LAPSED = "lapsed"  # an offer went unanswered: the slot passed to the next person


LIVE_STATUSES = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class OfferStatus(StrEnum):
    OPEN = "open"  # held until expires_at_dt
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the person left the waitlist while it was open


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'offered', 'booked', 'left', 'lapsed')", name="status"
        ),
        CheckConstraint(
            "from_date IS NULL OR to_date IS NULL OR from_date <= to_date", name="date_range"
        ),
        Index(
            "uq_waitlist_entries_live",
            "client_id",
            "area_id",
            "branch_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'offered')"),
            postgresql_where=text("status IN ('waiting', 'offered')"),
        ),
        Index("ix_waitlist_entries_queue", "area_id", "branch_id", "status", "created_at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    from_date: Mapped[date | None] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=WaitlistStatus.WAITING)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL")
    )

    client: Mapped[User] = relationship(foreign_keys=[client_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    area: Mapped[Area] = relationship()
    branch: Mapped[Branch] = relationship()
    consultation: Mapped[Consultation | None] = relationship()
    offers: Mapped[list[SlotOffer]] = relationship(
        back_populates="entry", order_by="SlotOffer.id", cascade="all, delete-orphan"
    )

    @property
    def open_offer(self) -> SlotOffer | None:
        return next((o for o in self.offers if o.status == OfferStatus.OPEN), None)


class SlotOffer(db.Model):
    """A slot held for one waiting person. Holding it keeps it out of everyone else's listings
    and bookings (services/slots.py counts open, unexpired offers as busy time)."""

    __tablename__ = "slot_offers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')", name="status"
        ),
        CheckConstraint("end_dt > start_dt", name="times"),
        Index(
            "uq_slot_offers_open_slot",
            "expert_id",
            "start_dt",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index(
            "uq_slot_offers_open_entry",
            "entry_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    end_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    buffer_min: Mapped[int] = mapped_column(default=0)
    offered_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=OfferStatus.OPEN)
    answered_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entry: Mapped[WaitlistEntry] = relationship(back_populates="offers")
    expert: Mapped[User] = relationship()
