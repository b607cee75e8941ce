"""Topic categories of a consultation's outcome: a configurable list (seed_data)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class TopicCategory(db.Model):
    """What a consultation was about, for the funder's record ("founding documents", "VAT")."""

    __tablename__ = "topic_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl

    def __repr__(self) -> str:
        return f"<TopicCategory {self.code}>"
