"""The calendar feeds service against SQLite and PostgreSQL (issue #13): one live token per
(user, scope) in the schema itself, who may have which feed, regenerating (audited without the
token) and resolving a token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from incubator.domain.errors import InvalidInput, NotAllowed, UnknownBranch
from incubator.models import AuditEvent, CalendarFeed
from incubator.services import calendar_feeds
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)

NOW = datetime(2027, 3, 21, 10, 0, tzinfo=UTC)


@pytest.fixture()
def world(db):
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    return {
        "sacz": sacz,
        "filia": create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=sacz.id),
        "closed": create_branch(code="stary", name="Stary", active=False),
        "law": create_domain(code="law"),
        "expert": create_expert(full_name="Anna Nowak"),
        "client": create_client(full_name="Maria Lis"),
        "manager": create_manager(full_name="Ewa Kierownik"),
    }


def test_the_schema_keeps_one_token_per_user_and_scope(db, world) -> None:
    expert, manager, sacz = world["expert"], world["manager"], world["sacz"]
    for user_id, branch_id in ((expert.id, None), (manager.id, sacz.id)):
        db.session.add(
            CalendarFeed(
                user_id=user_id, branch_id=branch_id, token=f"a{user_id}" * 10, created_at_dt=NOW
            )
        )
        db.session.commit()
        db.session.add(
            CalendarFeed(
                user_id=user_id, branch_id=branch_id, token=f"b{user_id}" * 10, created_at_dt=NOW
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add(
        CalendarFeed(
            user_id=expert.id, branch_id=None, token=f"a{expert.id}" * 10, created_at_dt=NOW
        )
    )
    with pytest.raises(IntegrityError):  # the token itself is unique too
        db.session.commit()
    db.session.rollback()


def test_get_or_create_is_lazy_and_stable(db, world) -> None:
    expert = world["expert"]
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
    first = calendar_feeds.get_or_create(db.session, user=expert, now=NOW)
    again = calendar_feeds.get_or_create(db.session, user=expert, now=NOW + timedelta(days=1))
    assert first.token == again.token and len(first.token) == 43
    assert calendar_feeds.is_well_formed(first.token)


def test_who_may_have_which_feed(db, world) -> None:
    manager, expert, client = world["manager"], world["expert"], world["client"]
    with pytest.raises(InvalidInput) as missing:
        calendar_feeds.get_or_create(db.session, user=manager, now=NOW)
    assert missing.value.field == "branch_id"
    for branch in ("filia", "closed"):
        with pytest.raises(UnknownBranch):
            calendar_feeds.get_or_create(
                db.session, user=manager, branch_id=world[branch].id, now=NOW
            )
    with pytest.raises(UnknownBranch):
        calendar_feeds.get_or_create(db.session, user=manager, branch_id=10_000, now=NOW)
    for user in (expert, client):
        with pytest.raises(NotAllowed):
            calendar_feeds.get_or_create(db.session, user=user, branch_id=world["sacz"].id, now=NOW)
    offices = calendar_feeds.feeds_for(db.session, manager, now=NOW)
    assert [office.id for office, _ in offices] == [world["sacz"].id]  # no filia, no closed one
    assert [office for office, _ in calendar_feeds.feeds_for(db.session, client, now=NOW)] == [None]


def test_regenerating_replaces_the_token_and_audits_without_it(db, world) -> None:
    client = world["client"]
    old = calendar_feeds.get_or_create(db.session, user=client, now=NOW).token
    assert calendar_feeds.resolve(db.session, old, now=NOW) is not None
    new = calendar_feeds.regenerate(db.session, user=client, now=NOW, ip="192.0.2.1").token
    assert new != old
    assert calendar_feeds.resolve(db.session, old, now=NOW) is None
    assert calendar_feeds.resolve(db.session, new, now=NOW) is not None
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 1
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == calendar_feeds.REGENERATED)
    )
    assert event.actor_id == client.id and event.ip == "192.0.2.1"
    assert old not in str(event.details) and new not in str(event.details)


def test_the_window_starts_on_the_local_day_30_days_ago(db, world) -> None:
    expert, client, sacz, law = world["expert"], world["client"], world["sacz"], world["law"]
    rows = {
        days: create_consultation(
            expert=expert, client=client, branch=sacz, area=law, start_dt=NOW - timedelta(days=days)
        )
        for days in (29, 31, -200)
    }
    token = calendar_feeds.get_or_create(db.session, user=expert, now=NOW).token
    found = calendar_feeds.resolve(db.session, token, now=NOW)
    assert found is not None and found.audience == "expert"
    assert {c.id for c in found.consultations} == {rows[29].id, rows[-200].id}


def test_a_deactivated_owner_resolves_to_nothing(db, world) -> None:
    client = world["client"]
    token = calendar_feeds.get_or_create(db.session, user=client, now=NOW).token
    client.active = False
    db.session.commit()
    assert calendar_feeds.resolve(db.session, token, now=NOW) is None
    assert calendar_feeds.resolve(db.session, "x" * 300, now=NOW) is None
