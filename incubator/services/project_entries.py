"""A person's data at entry into a funded project, written once when they are first served in it.

EFS monitoring counts each participant with the data of their first entry into the project
(labour-market status, education, age): a later change of the participant record, or a later
project, never rewrites it. The outcome service calls `record_entries` in the transaction that
records who came.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date, local_day_bounds
from ..domain.counting import age_on
from ..models import (
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    Project,
    ProjectParticipant,
    project_branches,
)


def projects_covering(session: Session, consultation: Consultation) -> list[Project]:
    """The projects whose period holds the consultation's (Warsaw) date and whose offices hold
    its office."""
    day = local_date(consultation.start_dt)
    return list(
        session.scalars(
            select(Project)
            .join(project_branches, project_branches.c.project_id == Project.id)
            .where(
                project_branches.c.branch_id == consultation.branch_id,
                Project.start_date <= day,
                Project.end_date >= day,
            )
            .order_by(Project.id)
        )
    )


def entry_row(
    project_id: int, user_id: int, day: date, profile: ClientProfile | None
) -> ProjectParticipant:
    """The entry of ``user_id`` into the project on ``day``: the participant record as it is now
    (labour status, education, residence) and the age on that day."""
    row = ProjectParticipant(project_id=project_id, user_id=user_id, entry_date=day)
    if profile is not None:
        row.age_at_entry = age_on(profile.birth_date, profile.birth_year, day)
        row.labour_status = profile.labour_status
        row.education = profile.education
        row.residence = profile.residence
    return row


def record_entries(
    session: Session, consultation: Consultation, came: Iterable[int]
) -> list[ProjectParticipant]:
    """Add the entry row of every person in ``came`` who has none yet in a project covering the
    consultation (no flush, no commit: the caller's transaction). Returns the rows added."""
    people = sorted(set(came))
    if not people:
        return []
    day = local_date(consultation.start_dt)
    added: list[ProjectParticipant] = []
    for project in projects_covering(session, consultation):
        known = set(
            session.scalars(
                select(ProjectParticipant.user_id).where(
                    ProjectParticipant.project_id == project.id,
                    ProjectParticipant.user_id.in_(people),
                )
            )
        )
        profiles = {
            p.user_id: p
            for p in session.scalars(select(ClientProfile).where(ClientProfile.user_id.in_(people)))
        }
        for user_id in people:
            if user_id in known:
                continue
            row = entry_row(project.id, user_id, day, profiles.get(user_id))
            session.add(row)
            added.append(row)
    return added


def forget_entries(
    session: Session, consultation: Consultation, did_not_come: Iterable[int]
) -> int:
    """Remove the entry rows of people now marked as not having come, when no other held
    consultation of theirs falls in the project (a correction of "came" to "did not come").

    A person still served in the project keeps the entry written at their first support.
    Returns the number of rows removed (no commit: the caller's transaction).
    """
    people = sorted(set(did_not_come))
    removed = 0
    for project in projects_covering(session, consultation) if people else []:
        lo, hi = local_day_bounds(project.start_date, project.end_date)
        still_served = set(
            session.scalars(
                select(ConsultationAttendee.user_id)
                .join(Consultation, Consultation.id == ConsultationAttendee.consultation_id)
                .join(
                    project_branches,
                    and_(
                        project_branches.c.branch_id == Consultation.branch_id,
                        project_branches.c.project_id == project.id,
                    ),
                )
                .where(
                    ConsultationAttendee.user_id.in_(people),
                    ConsultationAttendee.attended.is_(True),
                    Consultation.status == ConsultationStatus.ATTENDED,
                    Consultation.id != consultation.id,
                    Consultation.start_dt >= lo,
                    Consultation.start_dt < hi,
                )
            )
        )
        gone = [p for p in people if p not in still_served]
        if gone:
            result = session.execute(
                delete(ProjectParticipant).where(
                    ProjectParticipant.project_id == project.id,
                    ProjectParticipant.user_id.in_(gone),
                )
            )
            removed += result.rowcount or 0
    return removed
