"""Branch offices (oddziały) and their filie."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Branch(db.Model):
    """An office where consultations happen; a filia has the office it belongs to as parent."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("branches.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Branch | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Branch]] = relationship(back_populates="parent", order_by="Branch.name")

    @property
    def is_filia(self) -> bool:
        return self.parent_id is not None

    def __repr__(self) -> str:
        return f"<Branch {self.code}>"
