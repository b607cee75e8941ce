"""People: clients, experts and managers, with their profiles."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from .types import UTCDateTime

if TYPE_CHECKING:
    from .area import Area
    from .branch import Branch


class Role(StrEnum):
    CLIENT = "client"
    EXPERT = "expert"
    MANAGER = "manager"


class User(UserMixin, db.Model):
    """Anyone who can be served or can log in.

    Clients entered by staff over the phone may have no e-mail and no password: they exist so a
    consultation can be booked for them and counted, and they cannot log in until they get both.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('client', 'expert', 'manager')", name="role"),
        CheckConstraint("preferred_language IN ('pl', 'en')", name="language"),
        CheckConstraint("role = 'client' OR email IS NOT NULL", name="staff_email"),
        CheckConstraint(
            "informed_via IS NULL OR informed_via IN ('page', 'phone')", name="informed_via"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (see normalise_email); unique, NULLs allowed for phone-only clients.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CLIENT, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="pl")
    created_at_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # RODO: when the person accepted the information clause (self-registration) or staff recorded
    # that it was read out to them on the phone.
    consent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    informed_via: Mapped[str | None] = mapped_column(String(8))  # "page" or "phone"
    # Set when the person was anonymised (RODO art. 17): name, contacts and notes are gone, the
    # answers the funder's totals need are kept (services/erasure.py).
    erased_at_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Raised to end every open session of the account (logout, password change or reset,
    # deactivation, reactivation): a session remembers the value it was opened with, and the
    # user loader refuses it once the account has moved on (services/authentication.py).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    expert_profile: Mapped[ExpertProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )
    client_profile: Mapped[ClientProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )

    # Flask-Login reads is_active; inactive accounts cannot log in.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    @property
    def is_expert(self) -> bool:
        return self.role == Role.EXPERT

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.EXPERT, Role.MANAGER)

    @property
    def public_name(self) -> str:
        """The name clients see: an expert's with their professional title (``mec. Anna Nowak``)."""
        profile = self.expert_profile
        return profile.display_name if profile is not None else self.full_name

    @property
    def is_erased(self) -> bool:
        return self.erased_at_dt is not None

    @property
    def can_log_in(self) -> bool:
        return self.active and self.email is not None and self.password_hash is not None

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


expert_domains = Table(
    "expert_domains",
    db.metadata,
    Column(
        "expert_id", ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("domain_id", ForeignKey("domains.id", ondelete="RESTRICT"), primary_key=True),
)

expert_branches = Table(
    "expert_branches",
    db.metadata,
    Column(
        "expert_id", ForeignKey("expert_profiles.user_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("branch_id", ForeignKey("branches.id", ondelete="RESTRICT"), primary_key=True),
)


class ExpertProfile(db.Model):
    """What an expert offers: areas, branches, a short bio and the usual consultation length."""

    __tablename__ = "expert_profiles"
    __table_args__ = (
        CheckConstraint("default_length_min BETWEEN 15 AND 480", name="default_length"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(40), default="")  # e.g. "mec.", "dr"
    bio: Mapped[str] = mapped_column(Text, default="")
    default_length_min: Mapped[int] = mapped_column(SmallInteger, default=60)

    user: Mapped[User] = relationship(back_populates="expert_profile")
    domains: Mapped[list[Area]] = relationship(secondary=expert_domains, order_by="Area.position")
    branches: Mapped[list[Branch]] = relationship(secondary=expert_branches, order_by="Branch.name")

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.user.full_name}".strip()


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    REFUSED = "refused"


class LabourStatus(StrEnum):
    """Labour-market status at entry, as EFS monitoring asks for it."""

    REGISTERED_UNEMPLOYED = "registered_unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    UNREGISTERED_UNEMPLOYED = "unregistered_unemployed"
    INACTIVE = "inactive"
    EMPLOYED = "employed"


class Education(StrEnum):
    ISCED_0_2 = "isced_0_2"
    ISCED_3_4 = "isced_3_4"
    ISCED_5_8 = "isced_5_8"


class SensitiveAnswer(StrEnum):
    """A yes/no question the person may refuse to answer (disability is art. 9 RODO data).

    None in a column means "not asked" (e.g. 2007-2013 records before the 2012 fields): it is
    reported as unknown, never as "no".
    """

    YES = "yes"
    NO = "no"
    REFUSED = "refused"


class Residence(StrEnum):
    RURAL = "rural"
    URBAN = "urban"


def _in(column: str, enum: type[StrEnum]) -> str:
    values = ", ".join(f"'{member.value}'" for member in enum)
    return f"{column} IS NULL OR {column} IN ({values})"


class ClientProfile(db.Model):
    """Participant data the funder's monitoring asks for, recorded at entry (all optional)."""

    __tablename__ = "client_profiles"
    __table_args__ = (
        CheckConstraint(_in("gender", Gender), name="gender"),
        CheckConstraint(_in("labour_status", LabourStatus), name="labour_status"),
        CheckConstraint(_in("education", Education), name="education"),
        CheckConstraint(_in("disability", SensitiveAnswer), name="disability"),
        CheckConstraint(_in("residence", Residence), name="residence"),
        CheckConstraint(_in("third_country", SensitiveAnswer), name="third_country"),
        CheckConstraint(_in("foreign_background", SensitiveAnswer), name="foreign_background"),
        CheckConstraint(_in("minority", SensitiveAnswer), name="minority"),
        CheckConstraint(_in("homeless", SensitiveAnswer), name="homeless"),
        CheckConstraint(
            "birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth_year"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)  # also set from birth_date
    birth_date: Mapped[date | None]
    labour_status: Mapped[str | None] = mapped_column(String(32))
    education: Mapped[str | None] = mapped_column(String(16))
    disability: Mapped[str | None] = mapped_column(String(16))
    residence: Mapped[str | None] = mapped_column(String(16))
    # ESF+ 2021-2027 (Reg. 2021/1057 Annex I) fields; managers only see minority and disability.
    third_country: Mapped[str | None] = mapped_column(String(16))
    foreign_background: Mapped[str | None] = mapped_column(String(16))
    minority: Mapped[str | None] = mapped_column(String(16))
    homeless: Mapped[str | None] = mapped_column(String(16))
    pesel: Mapped[str | None] = mapped_column(String(11), unique=True)
    locality: Mapped[str] = mapped_column(String(120), default="")
    entry_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="client_profile")
