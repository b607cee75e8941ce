"""Founding groups (grupy inicjatywne) followed until they register their entity (issue #12).

The history (`FoundingGroupStage`) is the one source of truth for dates: when the group was
formed, held its founding meeting, filed its application, was registered. A change of the target
legal form is a history row too.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..domain.founding import FOUNDING_STEP, GroupStage, LegalForm, Register
from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .branch import Branch
    from .user import User


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(m.value) for m in enum)})"


class LegalType(StrEnum):
    """What kind of legal person a member is (who may found a social cooperative)."""

    NGO = "ngo"
    LOCAL_GOVERNMENT = "local_government"  # jednostka samorządu terytorialnego (JST)
    CHURCH = "church"  # kościelna osoba prawna
    OTHER = "other"


class MemberKind(StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


class HistoryKind(StrEnum):
    STAGE = "stage"
    LEGAL_FORM = "legal_form"


class FoundingGroup(db.Model):
    __tablename__ = "founding_groups"
    __table_args__ = (
        CheckConstraint(_in("legal_form", LegalForm), name="legal_form"),
        CheckConstraint(_in("stage", GroupStage), name="stage"),
        CheckConstraint(f"register IS NULL OR {_in('register', Register)}", name="register"),
        # KRS numbers are 10 digits kept with their leading zeros.
        CheckConstraint("krs IS NULL OR length(krs) = 10", name="krs_length"),
        CheckConstraint("nip IS NULL OR length(nip) = 10", name="nip_length"),
        CheckConstraint("regon IS NULL OR length(regon) IN (9, 14)", name="regon_length"),
        CheckConstraint(
            "stage <> 'registered' OR krs IS NOT NULL OR ewidencja_number IS NOT NULL",
            name="registered_has_number",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(32))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    # The expert or manager who follows the group.
    guardian_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    locality: Mapped[str] = mapped_column(String(120), default="")
    stage: Mapped[str] = mapped_column(String(32), default=GroupStage.FORMED)
    register: Mapped[str | None] = mapped_column(String(16))
    krs: Mapped[str | None] = mapped_column(String(10), unique=True)
    ewidencja_number: Mapped[str | None] = mapped_column(String(40))
    nip: Mapped[str | None] = mapped_column(String(10))
    regon: Mapped[str | None] = mapped_column(String(14))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    branch: Mapped[Branch] = relationship()
    guardian: Mapped[User | None] = relationship()
    members: Mapped[list[FoundingGroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="FoundingGroupMember.id"
    )
    stage_history: Mapped[list[FoundingGroupStage]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        order_by="(FoundingGroupStage.on_date, FoundingGroupStage.id)",
    )

    def stage_date(self, stage: GroupStage) -> date | None:
        """The day the group last reached ``stage`` (from the history), or None."""
        days = [
            h.on_date
            for h in self.stage_history
            if h.kind == HistoryKind.STAGE and h.to_value == stage
        ]
        return days[-1] if days else None

    @property
    def formed_date(self) -> date | None:
        return self.stage_date(GroupStage.FORMED)

    @property
    def founding_meeting_date(self) -> date | None:
        return self.stage_date(FOUNDING_STEP[LegalForm(self.legal_form)])

    @property
    def application_filed_date(self) -> date | None:
        return self.stage_date(GroupStage.APPLICATION_FILED) or self.stage_date(
            GroupStage.APPLICATION_TO_STAROSTA
        )

    @property
    def registered_date(self) -> date | None:
        return self.stage_date(GroupStage.REGISTERED)


class FoundingGroupMember(db.Model):
    """A natural person (a client account, or a name entered by staff) or a legal person."""

    __tablename__ = "founding_group_members"
    __table_args__ = (
        CheckConstraint(_in("kind", MemberKind), name="kind"),
        CheckConstraint(
            "(kind = 'natural' AND legal_person_name IS NULL "
            "AND (user_id IS NOT NULL OR full_name IS NOT NULL)) OR "
            "(kind = 'legal' AND legal_person_name IS NOT NULL AND user_id IS NULL)",
            name="natural_or_legal",
        ),
        CheckConstraint(f"legal_type IS NULL OR {_in('legal_type', LegalType)}", name="legal_type"),
        CheckConstraint("left_date IS NULL OR joined_date IS NULL OR left_date >= joined_date",
                        name="dates"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("founding_groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=MemberKind.NATURAL)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    full_name: Mapped[str | None] = mapped_column(String(160))  # a person without an account
    legal_person_name: Mapped[str | None] = mapped_column(String(200))
    legal_type: Mapped[str | None] = mapped_column(String(20))
    krs: Mapped[str | None] = mapped_column(String(10))
    nip: Mapped[str | None] = mapped_column(String(10))
    is_founder: Mapped[bool] = mapped_column(default=True)
    # Art. 4 category code (`domain.at_risk`), "none" (not at risk) or None (not recorded).
    at_risk_category: Mapped[str | None] = mapped_column(String(40))
    joined_date: Mapped[date | None]
    left_date: Mapped[date | None]

    group: Mapped[FoundingGroup] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()

    @validates("legal_person_name")
    def _legal_name_makes_a_legal_person(self, _key: str, name: str | None) -> str | None:
        """A member given a legal person's name is a legal person (the kind follows)."""
        if name is not None:
            self.kind = MemberKind.LEGAL
        return name

    @property
    def is_legal_person(self) -> bool:
        return self.kind == MemberKind.LEGAL

    @property
    def display_name(self) -> str:
        if self.legal_person_name:
            return self.legal_person_name
        return self.user.full_name if self.user is not None else (self.full_name or "")


class FoundingGroupStage(db.Model):
    """One change in a group's history: a stage (or the target legal form) from, to, on which
    day it happened, who recorded it and when, a note, and a manager's override reason."""

    __tablename__ = "founding_group_stages"
    __table_args__ = (CheckConstraint(_in("kind", HistoryKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("founding_groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=HistoryKind.STAGE)
    from_value: Mapped[str | None] = mapped_column(String(32))
    to_value: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date]
    changed_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    override_reason: Mapped[str] = mapped_column(String(1000), default="")

    group: Mapped[FoundingGroup] = relationship(back_populates="stage_history")
    changed_by: Mapped[User | None] = relationship()

    @property
    def stage(self) -> str:
        return self.to_value
