"""Founding groups (grupy inicjatywne) followed until they register their entity."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain.founding import GroupStage, LegalForm
from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .branch import Branch
    from .user import User


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class FoundingGroup(db.Model):
    __tablename__ = "founding_groups"
    __table_args__ = (
        CheckConstraint(_in("legal_form", LegalForm), name="legal_form"),
        CheckConstraint(_in("stage", GroupStage), name="stage"),
        # KRS numbers are 10 digits kept with their leading zeros.
        CheckConstraint("krs IS NULL OR length(krs) = 10", name="krs_length"),
        CheckConstraint("nip IS NULL OR length(nip) = 10", name="nip_length"),
        CheckConstraint("regon IS NULL OR length(regon) IN (9, 14)", name="regon_length"),
        CheckConstraint(
            "stage <> 'registered' OR (registered_date IS NOT NULL)", name="registered_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(32))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    locality: Mapped[str] = mapped_column(String(120), default="")
    stage: Mapped[str] = mapped_column(String(32), default=GroupStage.FORMED)
    formed_date: Mapped[date | None]
    founding_meeting_date: Mapped[date | None]
    application_filed_date: Mapped[date | None]
    registered_date: Mapped[date | None]
    krs: Mapped[str | None] = mapped_column(String(10), unique=True)
    nip: Mapped[str | None] = mapped_column(String(10))
    regon: Mapped[str | None] = mapped_column(String(14))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    branch: Mapped[Branch] = relationship()
    members: Mapped[list[FoundingGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="FoundingGroupMember.id"
    )
    stage_history: Mapped[list[FoundingGroupStage]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        order_by="FoundingGroupStage.changed_at_dt",
    )


class FoundingGroupMember(db.Model):
    """A natural person (a client account) or a legal person (an NGO, a gmina) in a group."""

    __tablename__ = "founding_group_members"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NOT NULL AND legal_person_name IS NULL) OR "
            "(user_id IS NULL AND legal_person_name IS NOT NULL)",
            name="natural_or_legal",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("founding_groups.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    legal_person_name: Mapped[str | None] = mapped_column(String(200))
    is_founder: Mapped[bool] = mapped_column(default=True)
    # Member of an at-risk group under art. 4 of the social cooperatives act (None = not recorded).
    at_risk: Mapped[bool | None]
    joined_date: Mapped[date | None]
    left_date: Mapped[date | None]

    group: Mapped[FoundingGroup] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @property
    def is_legal_person(self) -> bool:
        return self.legal_person_name is not None


class FoundingGroupStage(db.Model):
    """One step in a group's history: which stage, when, who recorded it."""

    __tablename__ = "founding_group_stages"
    __table_args__ = (CheckConstraint(_in("stage", GroupStage), name="stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("founding_groups.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(32))
    changed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")

    group: Mapped[FoundingGroup] = relationship(back_populates="stage_history")
