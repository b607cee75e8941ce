"""The retention run: anonymise the people no project needs to keep any more.

A person is anonymised by `incubator retention --apply` when every project they took part in
(`ProjectParticipant`) has a retention date (`Project.retention_until`) that has passed, they
have nothing ahead (the same refusals as a manager's erasure, `domain.erasure`), and they were
not supported after the end of their last project (then they are a current client outside the
projects, and their data are in use). People in no project are left alone: no retention date
applies to them. The dry run lists every person considered and why they would be anonymised or
kept; the run records `person.erased` with the ground ``retention_ended`` for each, one
transaction per person, so an interrupted run can simply be run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import erasure as rules
from ..domain.calendar import local_date
from ..models import Project, ProjectParticipant, Role, User
from . import erasure

ANONYMISE = "retention_ended"
KEEP_SUPPORTED_LATER = "supported_after_projects"


@dataclass(frozen=True)
class Decision:
    person_id: int
    name: str
    anonymise: bool
    reason: str  # ANONYMISE, KEEP_SUPPORTED_LATER or a refusal code from domain.erasure
    projects: tuple[rules.ProjectRetention, ...]
    detail: str = ""


def _check_settings(session: Session) -> None:
    dated = session.scalar(
        select(func.count()).select_from(Project).where(Project.retention_until.is_not(None))
    )
    if not dated:
        raise rules.NoRetentionSettings()


def _decide(session: Session, person: User, now: datetime, today: date) -> Decision:
    facts = erasure.facts_of(session, person, now)
    refusal = rules.erasure_refusal(facts, actor_id=None, ground=None, today=today)
    base = {"person_id": person.id, "name": person.full_name, "projects": facts.projects}
    if refusal is not None:
        return Decision(**base, anonymise=False, reason=refusal.code, detail=_detail(refusal))
    last_end = session.scalar(
        select(func.max(Project.end_date))
        .join(ProjectParticipant, ProjectParticipant.project_id == Project.id)
        .where(ProjectParticipant.user_id == person.id)
    )
    later = [d for d in erasure.support_days(session, person.id) if last_end and d > last_end]
    if later:
        return Decision(
            **base, anonymise=False, reason=KEEP_SUPPORTED_LATER, detail=max(later).isoformat()
        )
    return Decision(**base, anonymise=True, reason=ANONYMISE)


def _detail(refusal: rules.ErasureError) -> str:
    params = refusal.params
    if isinstance(refusal, rules.RetentionRequired):
        if params.get("unset"):
            return "no retention date: " + ", ".join(params["unset"])
        return f"kept until {params['until'].isoformat()}"
    if isinstance(refusal, rules.UpcomingSupport) and params.get("first"):
        return f"next on {params['first'].isoformat()}"
    return ""


def review(session: Session, *, now: datetime) -> list[Decision]:
    """Every client in a project who is not anonymised yet, with what the run would do."""
    _check_settings(session)
    today = local_date(now)
    in_projects = select(ProjectParticipant.user_id).distinct()
    people = session.scalars(
        select(User)
        .where(User.role == Role.CLIENT, User.erased_at_dt.is_(None), User.id.in_(in_projects))
        .order_by(User.id)
    )
    return [_decide(session, person, now, today) for person in people]


def apply(session: Session, *, now: datetime) -> list[Decision]:
    """Anonymise everyone `review` says may be; returns their decisions."""
    done = []
    for decision in review(session, now=now):
        if not decision.anonymise:
            continue
        codes = ", ".join(p.code for p in decision.projects)
        erasure.erase(
            session,
            actor=None,
            person_id=decision.person_id,
            reason=f"Retention period ended for every project: {codes}",
            ground=rules.LegalGround.RETENTION_ENDED,
            now=now,
        )
        done.append(decision)
    return done
