"""Calendar feeds: the secret token behind each subscribable calendar address.

A feed belongs to one user and has a scope: their own consultations (``branch_id`` NULL: an
expert's calendar, a client's bookings) or, for a manager, one office (``branch_id``). There is
at most one live token per (user, scope): two partial unique indexes, since a unique constraint
would treat every NULL scope as different. Regenerating overwrites the token in place, so the
old address stops working in the same write (services/calendar_feeds.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .branch import Branch
    from .user import User

TOKEN_MAX_LENGTH = 64  # secrets.token_urlsafe(32) gives 43 characters


class CalendarFeed(db.Model):
    __tablename__ = "calendar_feeds"
    __table_args__ = (
        Index(
            "uq_calendar_feeds_own",
            "user_id",
            unique=True,
            sqlite_where=text("branch_id IS NULL"),
            postgresql_where=text("branch_id IS NULL"),
        ),
        Index(
            "uq_calendar_feeds_office",
            "user_id",
            "branch_id",
            unique=True,
            sqlite_where=text("branch_id IS NOT NULL"),
            postgresql_where=text("branch_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(TOKEN_MAX_LENGTH), unique=True)
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    branch: Mapped[Branch | None] = relationship()

    def __repr__(self) -> str:  # never the token
        return f"<CalendarFeed {self.id} user={self.user_id} branch={self.branch_id}>"
