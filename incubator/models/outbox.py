"""The outbox: e-mails written in the same transaction as the change they report, sent later,
and the "to call" list for people who have no e-mail address."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime
from .user import User


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting to be sent (again, after a failure: see next_attempt_at_dt)
    SENT = "sent"  # accepted by the SMTP server (or written to the outbox folder)
    FAILED = "failed"  # refused for good (the server rejected the address) or gave up


class OutboxMessage(db.Model):
    """One e-mail, whole (RFC 5322 bytes), built when the change was committed.

    `key` is unique: one message per consultation, kind, sequence and recipient, so however
    often a change is retried or a sender runs, a message exists once and is sent once.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed')", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index(
            "ix_outbox_messages_due",
            "next_attempt_at_dt",
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(400))
    subject: Mapped[str] = mapped_column(String(300))
    message: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    # A sender claims a message until this instant, so two senders never send the same one.
    claimed_until_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User | None] = relationship()


class CallTask(db.Model):
    """Someone staff should phone: a reminder, a change or an offer for a person without e-mail
    (or whose address the mail server refused). Ticked off when called."""

    __tablename__ = "call_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="SET NULL"))
    # The expert whose consultation it is (experts see their own calls; managers see all).
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])
