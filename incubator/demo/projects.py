"""The demo's funded project: the original incubator's, 2008-05-01..2011-06-30, all offices.

The contract number is invented. Each person served in the project gets their entry data (the
participant record as it was at their first consultation in it), as `services.project_entries`
would have written it when the outcome was recorded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date, local_day_bounds
from ..domain.counting import age_on
from ..models import (
    Branch,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    Project,
    ProjectParticipant,
)
from .context import PERIOD_END, PERIOD_START

DEMO_PROJECT = {
    "code": "ies-malopolska",
    "name": "Inkubator Ekonomii Społecznej — Klucze i Nowy Sącz",
    "programme": "efs_2007_2013",
    "contract_number": "POKL.07.02.02-12-000/08 (fikcyjny)",
    "start_date": PERIOD_START,
    "end_date": PERIOD_END,
}


def add_demo_project(session: Session, now: datetime) -> Project:
    """The project over every office, with its participants' entry rows (flush, no commit)."""
    project = Project(**DEMO_PROJECT, created_at_dt=now)
    project.branches = list(session.scalars(select(Branch).order_by(Branch.id)))
    session.add(project)
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
        day = local_date(first_dt)
        entry = ProjectParticipant(project_id=project.id, user_id=user_id, entry_date=day)
        if profile is not None:
            entry.age_at_entry = age_on(profile.birth_date, profile.birth_year, day)
            entry.labour_status = profile.labour_status
            entry.education = profile.education
            entry.residence = profile.residence
        session.add(entry)
    return project
