"""What a report page, the API and the command line need around `services.reports.summary`.

A project named by id or code, the settings a summary is counted with, the participant list of
a scope (aggregated by the database: one row per person, never their consultations) and the
audit entry every view or export of a report or of the participant list writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..config import resource_dir
from ..domain.bounds import MAX_ID
from ..domain.calendar import local_date
from ..domain.counting import REQUIRED_DIMENSIONS, Summary, age_on
from ..domain.schemes import Scheme
from ..models import ClientProfile, Consultation, ConsultationAttendee, Project, User
from . import audit, event_reports
from .report_scope import ReportScope
from .reports import HELD, _in_scope, load_schemes, summary
from .transactions import write


@dataclass(frozen=True)
class ReportSettings:
    """What a summary is counted with, read from the configuration by the caller."""

    schemes: tuple[Scheme, ...]
    cancel_notice: timedelta


def settings_from_config(config: Mapping[str, Any]) -> ReportSettings:
    path = config.get("BREAKDOWN_SCHEMES_FILE") or (
        resource_dir("seed_data") / "breakdown_schemes.json"
    )
    return ReportSettings(load_schemes(Path(path)), config["BOOKING_CANCEL_NOTICE"])


def count(session: Session, scope: ReportScope, settings: ReportSettings) -> Summary:
    """The report of ``scope``: advice (`reports.summary`) with the people served per form of
    support and across forms (`event_reports.forms_served`)."""
    counted = summary(
        session, scope, schemes=settings.schemes, cancel_notice=settings.cancel_notice
    )
    return replace(counted, forms=event_reports.forms_served(session, scope, counted.scheme))


def project_id_for(session: Session, value: str) -> int | None:
    """A project named by id or by code (the command line accepts either); None if unknown."""
    if value.isdigit() and 0 < int(value) <= MAX_ID:
        found = session.get(Project, int(value))
        if found is not None:
            return found.id
    return session.scalar(select(Project.id).where(Project.code == value))


@dataclass(frozen=True)
class ParticipantRow:
    """One person of the participant list (no disability or minority answers)."""

    user_id: int
    name: str
    first_support: date
    gender: str | None
    age: int | None
    labour_status: str | None
    education: str | None

    @property
    def missing(self) -> tuple[str, ...]:
        """The required answers this record lacks (DOMAIN.md: incomplete records)."""
        values = {
            "gender": None if self.gender == "refused" else self.gender,
            "age": self.age,
            "labour_status": self.labour_status,
            "education": self.education,
        }
        return tuple(d for d in REQUIRED_DIMENSIONS if values[d] is None)


def participants(
    session: Session, scope: ReportScope, *, incomplete_only: bool = False
) -> list[ParticipantRow]:
    """People served in ``scope`` with their first support in it, by name.

    The database groups the attendance rows per person (MIN of the start); only one row per
    person comes back. Entry data of the scope's project is not used here: the list is for
    completing the records, which are the current profiles.
    """
    A, C, P = ConsultationAttendee, Consultation, ClientProfile
    first = (
        select(A.user_id.label("user_id"), func.min(C.start_dt).label("first_dt"))
        .join(C, C.id == A.consultation_id)
        .where(A.attended.is_(True), C.status == HELD, _in_scope(scope))
        .group_by(A.user_id)
        .subquery()
    )
    stmt = (
        select(
            User.id,
            User.full_name,
            first.c.first_dt,
            P.gender,
            P.birth_date,
            P.birth_year,
            P.labour_status,
            P.education,
        )
        .join(first, first.c.user_id == User.id)
        .outerjoin(P, P.user_id == User.id)
        .order_by(User.full_name, User.id)
    )
    if incomplete_only:
        stmt = stmt.where(
            or_(
                P.user_id.is_(None),
                P.gender.is_(None),
                P.gender == "refused",
                and_(P.birth_date.is_(None), P.birth_year.is_(None)),
                P.labour_status.is_(None),
                P.education.is_(None),
            )
        )
    rows = []
    for uid, name, first_dt, gender, birth_date, birth_year, labour, education in session.execute(
        stmt
    ):
        day = local_date(_aware(first_dt))
        age = age_on(birth_date, birth_year, day)
        rows.append(ParticipantRow(uid, name, day, gender, age, labour, education))
    return rows


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes; PostgreSQL aware ones."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


REPORT_EXPORTED = "report.exported"
PARTICIPANTS_EXPORTED = "participants.exported"


def record_export(
    session: Session,
    *,
    actor: User | None,
    action: str,
    scope: ReportScope,
    fmt: str,
    now: datetime,
    ip: str = "",
) -> None:
    """Who looked at or exported which report (the filters, never the data itself)."""
    details = {
        "format": fmt,
        "from": scope.first_day.isoformat(),
        "to": scope.last_day.isoformat(),
        "project": scope.project_id,
        "branch": scope.branch.id if scope.branch else None,
        "include_filia": scope.include_filia,
        "area": scope.area.code if scope.area else None,
        "expert": scope.expert_id,
    }
    with write(session):
        audit.record(session, actor=actor, action=action, details=details, ip=ip, now=now)
