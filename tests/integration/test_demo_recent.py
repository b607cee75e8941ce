"""The demo's recent consultations waiting for an outcome (incubator/demo/recent.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incubator.demo import DEFAULT_SEED_DIR, load_demo_data
from incubator.domain.calendar import WARSAW, is_closed_day, local_date
from incubator.models import Consultation, TopicCategory, User
from incubator.services import outcomes
from incubator.services.calendar_days import polish_holidays
from tests.helpers import NOW


def test_recent_consultations_wait_for_their_outcome(app, db) -> None:
    summary = load_demo_data(
        db.session,
        DEFAULT_SEED_DIR,
        now=NOW,
        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
    )
    assert summary.history.people_served == 207
    expert = db.session.scalar(select(User).where(User.email == "ekspert@example.org"))
    manager = db.session.scalar(select(User).where(User.email == "kierownik@example.org"))
    mine = outcomes.awaiting_outcome(db.session, expert, NOW)
    everyone = outcomes.awaiting_outcome(db.session, manager, NOW)
    assert len(mine) >= 3
    assert len(everyone) == summary.awaiting_outcome > len(mine)
    assert outcomes.count_awaiting_outcome(db.session, manager, NOW) == len(everyone)
    assert any(len(c.attendees) == 2 for c in mine)  # a group one
    holidays = polish_holidays(local_date(NOW) - timedelta(days=30), local_date(NOW))
    for c in everyone:
        start, end = c.start_dt.astimezone(WARSAW), c.end_dt.astimezone(WARSAW)
        assert NOW - timedelta(days=15) < c.start_dt and c.end_dt <= NOW
        assert not is_closed_day(start.date(), holidays)
        assert start.hour >= 8 and (end.hour, end.minute) <= (17, 0)
        assert all(a.attended is None for a in c.attendees)
        assert c.duration_min is None and c.notes == ""
    # The categories are loaded with the reference data, ready for the form.
    codes = db.session.scalars(select(TopicCategory.code).order_by(TopicCategory.position)).all()
    assert codes[0] == "statute" and codes[-1] == "other" and len(codes) == 9
    # Recording one moves nothing in 2008-2011 and empties one line of the list.
    c = mine[0]
    outcomes.record_outcome(
        db.session, expert, c.id, [(a.user_id, True) for a in c.attendees], 60, "other", "", NOW
    )
    assert outcomes.count_awaiting_outcome(db.session, expert, NOW) == len(mine) - 1
    assert db.session.get(Consultation, c.id).status == "attended"
