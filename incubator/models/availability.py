"""An expert's weekly availability per branch, and its exceptions (leave, extra hours)."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import slots
from ..domain.slots import ExceptionKind
from ..extensions import db

if TYPE_CHECKING:
    from .branch import Branch
    from .user import User


class AvailabilityRule(db.Model):
    """Every <weekday> from <start> to <end> at <branch>, consultations of <length> minutes."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("end_time > start_time", name="time_order"),
        CheckConstraint("length_min BETWEEN 5 AND 480", name="length"),
        CheckConstraint("buffer_min BETWEEN 0 AND 240", name="buffer"),
        CheckConstraint(
            "valid_to_date IS NULL OR valid_from_date IS NULL OR valid_to_date >= valid_from_date",
            name="validity",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday, like date.weekday()
    start_time: Mapped[time]
    end_time: Mapped[time]
    length_min: Mapped[int] = mapped_column(SmallInteger, default=60)
    buffer_min: Mapped[int] = mapped_column(SmallInteger, default=0)
    valid_from_date: Mapped[date | None]
    valid_to_date: Mapped[date | None]

    expert: Mapped[User] = relationship()
    branch: Mapped[Branch] = relationship()

    @classmethod
    def from_domain(cls, rule: slots.Rule) -> AvailabilityRule:
        return cls(
            expert_id=rule.expert_id,
            branch_id=rule.branch_id,
            weekday=rule.weekday,
            start_time=rule.start,
            end_time=rule.end,
            length_min=rule.length_min,
            buffer_min=rule.buffer_min,
            valid_from_date=rule.valid_from,
            valid_to_date=rule.valid_to,
        )

    def to_domain(self) -> slots.Rule:
        """The rule as the slot engine takes it."""
        return slots.Rule(
            expert_id=self.expert_id,
            branch_id=self.branch_id,
            weekday=self.weekday,
            start=self.start_time,
            end=self.end_time,
            length_min=self.length_min,
            buffer_min=self.buffer_min,
            valid_from=self.valid_from_date,
            valid_to=self.valid_to_date,
        )


class AvailabilityException(db.Model):
    """A date or date range that differs from the weekly rules."""

    __tablename__ = "availability_exceptions"
    __table_args__ = (
        CheckConstraint("kind IN ('off', 'extra')", name="kind"),
        CheckConstraint("end_date >= start_date", name="date_order"),
        CheckConstraint(
            "(start_time IS NULL AND end_time IS NULL) OR "
            "(start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)",
            name="time_order",
        ),
        CheckConstraint(
            "kind = 'off' OR (branch_id IS NOT NULL AND start_time IS NOT NULL)",
            name="extra_needs_branch_and_hours",
        ),
        CheckConstraint("length_min BETWEEN 5 AND 480", name="length"),
        CheckConstraint("buffer_min BETWEEN 0 AND 240", name="buffer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    start_date: Mapped[date]
    end_date: Mapped[date]
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    length_min: Mapped[int] = mapped_column(SmallInteger, default=60)
    buffer_min: Mapped[int] = mapped_column(SmallInteger, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")

    expert: Mapped[User] = relationship()
    branch: Mapped[Branch | None] = relationship()

    def to_domain(self) -> slots.AvailabilityException:
        """The exception as the slot engine takes it."""
        return slots.AvailabilityException(
            expert_id=self.expert_id,
            kind=ExceptionKind(self.kind),
            start_date=self.start_date,
            end_date=self.end_date,
            branch_id=self.branch_id,
            start_time=self.start_time,
            end_time=self.end_time,
            length_min=self.length_min,
            buffer_min=self.buffer_min,
        )
