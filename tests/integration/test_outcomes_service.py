"""Recording outcomes (services/outcomes.py) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incubator.domain.errors import NotAllowed, NotFound
from incubator.domain.outcomes import (
    AttendanceIncomplete,
    NotAnAttendee,
    NotStarted,
    UnknownTopicCategory,
)
from incubator.models import (
    AuditEvent,
    Consultation,
    ConsultationAttendee,
    ProjectParticipant,
    TopicCategory,
)
from incubator.services import outcomes
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
    create_project,
)
from tests.helpers import NOW


@pytest.fixture()
def world(db):
    branch = create_branch()
    area = create_domain()
    expert = create_expert(domains=[area], branches=[branch])
    other = create_expert(domains=[area], branches=[branch])
    manager = create_manager()
    client = create_client()
    guest = create_client()
    db.session.add_all(
        [
            TopicCategory(code="statute", name_pl="Statut", name_en="Statute", position=1),
            TopicCategory(code="old", name_pl="Stara", name_en="Old", position=2, active=False),
        ]
    )
    db.session.commit()
    past = create_consultation(
        expert=expert,
        client=client,
        branch=branch,
        area=area,
        attendees=[guest],
        start_dt=NOW - timedelta(days=1),
    )
    return {
        "branch": branch,
        "expert": expert,
        "other": other,
        "manager": manager,
        "client": client,
        "guest": guest,
        "past": past,
        "area": area,
    }


def _record(db, w, user=None, consultation=None, **kw):
    args = {
        "marks": [(w["client"].id, True), (w["guest"].id, False)],
        "duration_min": 45,
        "topic_category": "statute",
        "notes": "Tajne uwagi",
    }
    args.update(kw)
    return outcomes.record_outcome(
        db.session,
        user or w["expert"],
        (consultation or w["past"]).id,
        args["marks"],
        args["duration_min"],
        args["topic_category"],
        args["notes"],
        NOW,
        ip="127.0.0.1",
    )


def _audits(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_expert_records_the_outcome(db, world) -> None:
    _record(db, world)
    db.session.rollback()
    c = db.session.get(Consultation, world["past"].id)
    assert c.status == "attended"
    assert c.duration_min == 45
    assert c.topic_category.code == "statute"
    assert c.notes == "Tajne uwagi"
    assert c.outcome_at_dt == NOW and c.outcome_by_id == world["expert"].id
    assert {a.user_id: a.attended for a in c.attendees} == {
        world["client"].id: True,
        world["guest"].id: False,
    }
    [event] = _audits(db, "consultation.outcome")
    assert event.actor_id == world["expert"].id and event.target_id == c.id
    assert event.details["came"] == 1 and event.details["did_not_come"] == 1
    assert "Tajne" not in str(event.details)


def test_manager_corrects_with_an_audit_entry_naming_the_changes(db, world) -> None:
    _record(db, world)
    _record(
        db,
        world,
        user=world["manager"],
        marks=[(world["client"].id, False), (world["guest"].id, False)],
        notes="Inne tajne",
    )
    db.session.rollback()
    c = db.session.get(Consultation, world["past"].id)
    assert c.status == "no_show" and c.outcome_by_id == world["manager"].id
    [event] = _audits(db, "consultation.outcome_corrected")
    assert event.actor_id == world["manager"].id
    assert event.details["changed"] == ["attendance", "notes", "status"]
    assert event.details["expert_id"] == world["expert"].id
    assert event.details["by_manager"] is True
    assert "tajne" not in str(event.details).lower()


def test_project_entry_written_for_those_who_came(db, world) -> None:
    project = create_project(branches=[world["branch"]])
    _record(db, world)
    db.session.rollback()
    rows = list(db.session.scalars(select(ProjectParticipant)))
    assert [(r.project_id, r.user_id) for r in rows] == [(project.id, world["client"].id)]
    # Corrected to "did not come", with no other support in the project: the entry goes.
    _record(
        db,
        world,
        user=world["manager"],
        marks=[(world["client"].id, False), (world["guest"].id, True)],
    )
    db.session.rollback()
    rows = list(db.session.scalars(select(ProjectParticipant)))
    assert [(r.project_id, r.user_id) for r in rows] == [(project.id, world["guest"].id)]


@pytest.mark.parametrize(
    ("who", "kw", "error"),
    [
        ("client", {}, NotAllowed),
        ("other", {}, NotAllowed),
        ("expert", {"topic_category": "old"}, UnknownTopicCategory),
        ("expert", {"topic_category": "nope"}, UnknownTopicCategory),
        ("expert", {"marks": [(1_000_000, True)]}, NotAnAttendee),
        ("expert", {"marks": []}, AttendanceIncomplete),
    ],
)
def test_refusals_write_nothing(db, world, who, kw, error) -> None:
    with pytest.raises(error):
        _record(db, world, user=world[who], **kw)
    db.session.rollback()
    c = db.session.get(Consultation, world["past"].id)
    assert c.status == "booked" and c.duration_min is None and c.notes == ""
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ConsultationAttendee)
            .where(ConsultationAttendee.attended.is_not(None))
        )
        == 0
    )
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_future_consultation_is_not_started_and_unknown_is_not_found(db, world) -> None:
    future = create_consultation(
        expert=world["expert"],
        client=world["client"],
        branch=world["branch"],
        area=world["area"],
        start_dt=NOW + timedelta(hours=1),
    )
    with pytest.raises(NotStarted):
        _record(db, world, consultation=future, marks=[(world["client"].id, True)])
    with pytest.raises(NotFound):
        outcomes.record_outcome(db.session, world["expert"], 2**31 - 1, [], 60, "statute", "", NOW)


def test_awaiting_list_and_count(db, world) -> None:
    w = world
    older = create_consultation(
        expert=w["expert"],
        client=w["client"],
        branch=w["branch"],
        area=w["area"],
        start_dt=NOW - timedelta(days=3),
    )
    create_consultation(  # cancelled: never awaiting
        expert=w["expert"],
        client=w["client"],
        branch=w["branch"],
        area=w["area"],
        start_dt=NOW - timedelta(days=2),
        status="cancelled",
    )
    create_consultation(  # future
        expert=w["expert"],
        client=w["client"],
        branch=w["branch"],
        area=w["area"],
        start_dt=NOW + timedelta(days=2),
    )
    theirs = create_consultation(
        expert=w["other"],
        client=w["client"],
        branch=w["branch"],
        area=w["area"],
        start_dt=NOW - timedelta(days=5),
    )
    mine = outcomes.awaiting_outcome(db.session, w["expert"], NOW)
    assert [c.id for c in mine] == [older.id, w["past"].id]
    assert outcomes.count_awaiting_outcome(db.session, w["expert"], NOW) == 2
    everyone = outcomes.awaiting_outcome(db.session, w["manager"], NOW)
    assert [c.id for c in everyone] == [theirs.id, older.id, w["past"].id]
    assert outcomes.count_awaiting_outcome(db.session, w["manager"], NOW) == 3
    assert outcomes.awaiting_outcome(db.session, w["manager"], NOW, limit=1) == [theirs]
    assert outcomes.count_awaiting_outcome(db.session, w["client"], NOW) == 0
    _record(db, w)
    assert outcomes.count_awaiting_outcome(db.session, w["expert"], NOW) == 1
