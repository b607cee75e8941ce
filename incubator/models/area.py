"""Consultation areas (dziedziny doradztwa)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AreaCode(StrEnum):
    LAW = "law"
    ACCOUNTING = "accounting"
    MARKETING = "marketing"
    SOCIAL_ENTERPRISE = "social-enterprise"


class Area(db.Model):
    """A consultation area. Names are data (editable in seed_data), one per UI language."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_pl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    # What the area helps with, in a line (the home page's cards); "" when not given.
    summary_pl: Mapped[str] = mapped_column(String(200), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(String(200), default="", server_default="")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_pl

    def summary(self, locale: str) -> str:
        return self.summary_en if locale == "en" else self.summary_pl

    def __repr__(self) -> str:
        return f"<Area {self.code}>"
