"""The demo's funded projects: the original incubator's, 2008-05-01..2011-06-30, and a current one.

Both cover every office; the contract numbers are invented. The current project (ESF+ 2021-2027,
from last January to the end of next year) holds the consultations of the last 14 days still
waiting for an outcome, so the manager's start page — the current project's report — moves as
soon as an expert records one. Each person served in the project gets their entry data (the
participant record as it was at their first consultation in it), as `services.project_entries`
would have written it when the outcome was recorded.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date, local_day_bounds
from ..models import (
    Branch,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    Project,
)
from ..services.project_entries import entry_row
from .context import PERIOD_END, PERIOD_START

DEMO_PROJECT = {
    "code": "ies-malopolska",
    "name": "Inkubator Ekonomii Społecznej — Klucze i Nowy Sącz",
    "programme": "efs_2007_2013",
    "contract_number": "POKL.07.02.02-12-000/08 (fikcyjny)",
    "start_date": PERIOD_START,
    "end_date": PERIOD_END,
    # PO KL documentation had to be kept until the end of 2020: past, so `incubator retention
    # --dry-run` shows who the run would anonymise (and who stays, served since).
    "retention_until": date(2020, 12, 31),
}


def current_project(today: date) -> dict:
    return {
        "code": "ies-kontynuacja",
        "name": "Inkubator Ekonomii Społecznej — kontynuacja",
        "programme": "efs_2021_2027",
        "contract_number": "FEMP.06.00-IP.00-000/00 (fikcyjny)",
        "start_date": date(today.year - 1, 1, 1),
        "end_date": date(today.year + 1, 12, 31),
        "retention_until": date(today.year + 6, 12, 31),  # five years after the project ends
    }


def add_demo_project(session: Session, now: datetime) -> Project:
    """Both projects over every office, with the old one's entry rows (flush, no commit)."""
    offices = list(session.scalars(select(Branch).order_by(Branch.id)))
    project = Project(**DEMO_PROJECT, created_at_dt=now, branches=offices)
    session.add(project)
    session.add(Project(**current_project(local_date(now)), created_at_dt=now, branches=offices))
    session.flush()
    lo, hi = local_day_bounds(PERIOD_START, PERIOD_END)
    first = (
        select(ConsultationAttendee.user_id, func.min(Consultation.start_dt).label("first_dt"))
        .join(Consultation, Consultation.id == ConsultationAttendee.consultation_id)
        .where(
            ConsultationAttendee.attended.is_(True),
            Consultation.status == ConsultationStatus.ATTENDED,
            and_(Consultation.start_dt >= lo, Consultation.start_dt < hi),
        )
        .group_by(ConsultationAttendee.user_id)
        .subquery()
    )
    rows = session.execute(
        select(first.c.user_id, first.c.first_dt, ClientProfile).join(
            ClientProfile, ClientProfile.user_id == first.c.user_id, isouter=True
        )
    )
    for user_id, first_dt, profile in rows:
        session.add(entry_row(project.id, user_id, local_date(first_dt), profile))
    return project
