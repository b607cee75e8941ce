"""Audit trail: who did what, when (account changes, bookings, views of health data).

Append-only: the database refuses UPDATE and DELETE on the table (migration 0014). Ids are kept
without foreign keys, so an entry outlives the account or record it names.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    # The person whose data the entry is about (a view of their record, a booking for them...).
    subject_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. "user.login"
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")
