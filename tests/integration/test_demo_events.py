"""The demo's trainings and information meetings (issue #14): the original project's figures
by construction, the trainers' busy time kept, the same rows every time."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from incubator.demo import DEFAULT_SEED_DIR, SeedError
from incubator.domain.calendar import local_date
from incubator.models import (
    Event,
    EventRegistration,
    EventSession,
    ExpertBusyTime,
    SessionAttendance,
)
from incubator.services import report_options
from incubator.services.report_scope import resolve_scope
from tests.integration.test_event_reports import SETTINGS
from tests.integration.test_seeding import _load

PERIOD = {"first_day": date(2008, 5, 1), "last_day": date(2011, 6, 30)}


HISTORY_END = datetime(2012, 1, 1, tzinfo=UTC)


def _forms(db, **filters):
    scope = resolve_scope(db.session, today=date(2026, 1, 1), **{**PERIOD, **filters})
    return report_options.count(db.session, scope, SETTINGS).forms


def test_the_demo_gives_the_original_figures(app, db) -> None:
    summary = _load(app, db.session)
    assert (summary.events.trained, summary.events.meeting_attendees) == (242, 492)
    forms = _forms(db)
    assert forms.by_form() == {"advice": 207, "training": 242, "information_meeting": 492}
    assert forms.anonymous_attendees == 238
    assert forms.people_served_total == 588
    # Some people were served by more than one form, and counted once.
    meeting = forms.of("information_meeting")
    assert forms.people_served_total < 207 + 242 + meeting.people
    assert forms.of("training").events_held == 14 and meeting.events_held == 16


def test_trainers_sessions_are_busy_time_and_the_places_are_real(app, db) -> None:
    _load(app, db.session)
    events = [e for e in db.session.scalars(select(Event)) if e.starts_at.year < 2012]
    with_trainers = [e for e in events if e.trainers]
    assert len(with_trainers) >= 15
    for event in with_trainers:
        for s in event.sessions:
            rows = db.session.scalars(
                select(ExpertBusyTime.expert_id).where(ExpertBusyTime.session_id == s.id)
            ).all()
            assert sorted(rows) == sorted(t.id for t in event.trainers)
    names = {e.branch.name for e in events}
    assert names == {"Klucze", "Nowy Sącz", "Piwniczna-Zdrój"}
    assert sum(1 for e in events if e.venue) >= 10  # outside venues
    trainings = [e for e in events if e.kind == "training"]
    assert all(local_date(s.start_dt).weekday() == 5 for e in trainings for s in e.sessions)
    for event in events:  # seats held are the live registrations, within capacity
        live = sum(1 for r in event.registrations if r.status == "registered")
        assert event.seats_taken == live <= event.capacity


def test_no_shows_and_cancellations_count_nowhere(app, db) -> None:
    _load(app, db.session)
    cancelled = db.session.scalar(
        select(func.count())
        .select_from(EventRegistration)
        .where(EventRegistration.status == "cancelled")
    )
    absent = db.session.scalar(
        select(func.count(func.distinct(SessionAttendance.user_id))).where(
            SessionAttendance.attended.is_(False)
        )
    )
    assert cancelled >= 20 and absent > 0
    sessions = db.session.scalar(
        select(func.count()).select_from(EventSession).where(EventSession.start_dt < HISTORY_END)
    )
    assert sessions == 48


def test_the_demo_has_events_ahead_to_register_for(app, db) -> None:
    """Upcoming events (incubator/demo/upcoming_events.py): free seats, a full one with people
    waiting, one at an outside venue; the demo client holds a seat; trainers' time is taken."""
    _load(app, db.session)
    ahead = [e for e in db.session.scalars(select(Event)) if e.starts_at.year >= 2012]
    assert len(ahead) == 3
    full = [e for e in ahead if e.seats_taken == e.capacity]
    assert len(full) == 1
    assert any(r.status == "waitlisted" for r in full[0].registrations)
    assert any(e.branch_id is None and e.venue for e in ahead)
    seated = {r.user.email for e in ahead for r in e.registrations if r.status == "registered"}
    assert "klient@example.org" in seated
    for event in ahead:
        for s in event.sessions:
            rows = db.session.scalars(
                select(ExpertBusyTime.expert_id).where(ExpertBusyTime.session_id == s.id)
            ).all()
            assert sorted(rows) == sorted(t.id for t in event.trainers)


def test_the_demo_events_are_the_same_every_time(app, db) -> None:
    _load(app, db.session)
    first = [
        (e.title, e.seats_taken, len(e.registrations), [t.id for t in e.trainers])
        for e in db.session.scalars(select(Event).order_by(Event.id))
    ]
    figures = _forms(db, branch_id=None)
    from tests.conftest import _empty_all_tables

    _empty_all_tables()
    _load(app, db.session)
    again = [
        (e.title, e.seats_taken, len(e.registrations), [t.id for t in e.trainers])
        for e in db.session.scalars(select(Event).order_by(Event.id))
    ]
    assert [x[:3] for x in again] == [x[:3] for x in first]
    assert _forms(db).by_form() == figures.by_form()


def test_a_bad_events_file_is_refused_in_one_line(app, db, tmp_path) -> None:
    seed = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed)
    path = seed / "demo" / "events.json"
    data = json.loads(path.read_text("utf-8"))
    data["events"][0]["trainers"] = ["nobody@example.org"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(SeedError, match="events.json: event 1: 'nobody@example.org'"):
        _load(app, db.session, seed_dir=seed)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
