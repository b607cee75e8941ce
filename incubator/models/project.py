"""Funded projects (projekty) and each participant's data at entry into one."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, SmallInteger, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .branch import Branch
    from .user import User


project_branches = Table(
    "project_branches",
    db.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", ForeignKey("branches.id", ondelete="RESTRICT"), primary_key=True),
)


class Project(db.Model):
    """A grant-funded project: a period and the offices it covers.

    A report for a project counts the support given at its offices within its period; each person
    once. ``programme`` names the programme period (``efs_2007_2013``, ``efs_2014_2020``,
    ``efs_2021_2027``), which chooses the breakdown scheme (seed_data/breakdown_schemes.json).
    """

    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    programme: Mapped[str] = mapped_column(String(40))
    contract_number: Mapped[str] = mapped_column(String(80), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    # The last day the grant agreement requires the project's documentation (and so its
    # participants' identity) to be kept; None until a manager sets it.
    retention_until: Mapped[date | None]
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    branches: Mapped[list[Branch]] = relationship(
        secondary=project_branches, order_by="Branch.name"
    )

    def __repr__(self) -> str:
        return f"<Project {self.code}>"


class ProjectParticipant(db.Model):
    """A person's data at their first support in a project, kept as it was then.

    Written once, when the person is first served in the project (or staff fill the record for
    it); a later project gets its own row, so a status at entry is never overwritten.
    """

    __tablename__ = "project_participants"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    entry_date: Mapped[date]
    age_at_entry: Mapped[int | None] = mapped_column(SmallInteger)
    labour_status: Mapped[str | None] = mapped_column(String(32))
    education: Mapped[str | None] = mapped_column(String(16))
    residence: Mapped[str | None] = mapped_column(String(16))

    project: Mapped[Project] = relationship()
    user: Mapped[User] = relationship()
