"""One row that changes whenever anything that decides free slots changes."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class CalendarState(db.Model):
    """`version` is raised by database triggers (migration 0003) on every insert, update or
    delete of consultations, availability rules and exceptions, expert profiles and their areas
    and offices, offices, areas, and on a user's role or active flag. Caches of computed slots are
    keyed by it, so they can never outlive a change, whichever code path (or person with psql)
    made it."""

    __tablename__ = "calendar_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
