"""The calendar version is raised by the database on every change that affects free slots, so a
slot listing cached under it can never be served after such a change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from incubator.models import AvailabilityException, User
from incubator.services import slot_cache
from incubator.services.slot_cache import VersionedCache, calendar_version
from tests.factories import create_branch, create_client, create_domain, create_expert, create_rule


@pytest.fixture()
def expert(db):
    branch = create_branch()
    law = create_domain(code="law")
    return create_expert(domains=[law], branches=[branch]), branch


def _bumps(db, change) -> bool:
    before = calendar_version(db.session)
    db.session.rollback()
    change()
    db.session.commit()
    return calendar_version(db.session) > before


def test_availability_changes_raise_the_version(db, expert) -> None:
    user, branch = expert
    assert _bumps(db, lambda: create_rule(user, branch))
    assert _bumps(
        db,
        lambda: db.session.add(
            AvailabilityException(
                expert_id=user.id,
                kind="off",
                start_date=date(2027, 1, 4),
                end_date=date(2027, 1, 4),
            )
        ),
    )
    assert _bumps(db, lambda: create_branch())
    assert _bumps(db, lambda: create_expert())


def test_deactivating_an_expert_raises_the_version_but_a_login_does_not(db, expert) -> None:
    user, _ = expert
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert not _bumps(db, lambda: db.session.execute(update(User).values(last_login_dt=now)))
    assert _bumps(db, lambda: db.session.execute(update(User).values(active=False)))


def test_bookings_and_cancellations_raise_the_version(db, client, expert) -> None:
    from incubator.models import Consultation

    user, branch = expert
    customer = create_client()
    start = datetime.combine(date(2027, 1, 5), time(9), tzinfo=UTC)
    consultation = Consultation(
        expert_id=user.id,
        client_id=customer.id,
        branch_id=branch.id,
        domain_id=user.expert_profile.domains[0].id,
        start_dt=start,
        end_dt=start + timedelta(hours=1),
        created_at_dt=start,
        updated_at_dt=start,
    )
    assert _bumps(db, lambda: db.session.add(consultation))
    assert _bumps(db, lambda: setattr(consultation, "status", "cancelled"))


def test_every_trigger_of_migration_0003_exists(db) -> None:
    """A batch migration on SQLite recreates tables and silently drops their triggers."""
    from importlib import import_module

    migration = import_module("incubator.migrations.versions.0003_calendar_version")
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        expected = {f"trg_{t}_calendar" for t in migration.TRIGGERED}
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {
            f"trg_{t}_{e}_calendar"
            for t in migration.TRIGGERED
            for e in ("insert", "delete", "update")
        }
    from sqlalchemy import text

    present = set(db.session.scalars(text(sql)))
    assert expected <= present


def test_cache_computes_once_per_key_and_evicts_oldest() -> None:
    cache = VersionedCache(maxsize=2)
    calls: list[str] = []

    def compute(value: str):
        return lambda: calls.append(value) or value

    assert cache.get_or_compute("a", compute("a")) == "a"
    assert cache.get_or_compute("a", compute("other")) == "a"
    cache.get_or_compute("b", compute("b"))
    cache.get_or_compute("c", compute("c"))  # evicts "a"
    assert cache.get_or_compute("a", compute("a2")) == "a2"
    assert calls == ["a", "b", "c", "a2"] and cache.hits == 1


def test_api_slots_are_served_from_cache_until_a_booking_changes_them(client, db, expert) -> None:
    user, branch = expert
    for weekday in range(6):
        create_rule(user, branch, weekday=weekday)
    today = datetime.now(UTC).date()
    url = (
        f"/api/v1/slots?domain=law&branch={branch.id}&from={today + timedelta(days=2)}"
        f"&to={today + timedelta(days=9)}"
    )
    slot_cache.slot_listings.clear()
    first = client.get(url).get_json()
    assert first and client.get(url).get_json() == first
    assert slot_cache.slot_listings.hits == 1 and slot_cache.slot_listings.misses == 1

    create_client(email="k@example.org")
    client.post(
        "/api/v1/session", json={"email": "k@example.org", "password": "correct-horse-battery"}
    )
    taken = first[0]
    response = client.post(
        "/api/v1/consultations",
        json={
            "expert_id": user.id,
            "branch_id": branch.id,
            "domain": "law",
            "start": taken["start"],
        },
    )
    assert response.status_code == 201, response.get_json()
    after = client.get(url).get_json()
    assert taken not in after and len(after) == len(first) - 1


def test_version_clock_rereads_after_ttl_or_a_local_commit(db) -> None:
    from incubator.services.slot_cache import VersionClock

    ticks = iter([0.0, 0.5, 0.9, 1.5, 1.6])
    clock = VersionClock(clock=lambda: next(ticks))
    first = clock.current(db.session, ttl_seconds=1)  # t=0.0: read
    assert clock.current(db.session, ttl_seconds=1) == first  # t=0.5: trusted
    assert clock.reads == 1
    clock.invalidate()  # what a commit in this process does
    clock.current(db.session, ttl_seconds=1)  # t=0.9: read again
    assert clock.reads == 2
    clock.current(db.session, ttl_seconds=1)  # t=1.5: still fresh (read at 0.9)
    assert clock.reads == 2
    clock.current(db.session, ttl_seconds=0)  # ttl 0: always read
    assert clock.reads == 3


def test_a_commit_in_this_process_invalidates_the_shared_clock(db, expert) -> None:
    from incubator.services.slot_cache import version_clock

    before = version_clock.current(db.session, ttl_seconds=3600)
    db.session.rollback()
    create_branch()  # commits; the trigger raises the version
    assert version_clock.current(db.session, ttl_seconds=3600) > before


def test_cached_listing_still_respects_minimum_notice_to_the_second(
    client, db, expert, monkeypatch
) -> None:
    """The listing is computed for the start of the minute; a slot that falls inside the
    24-hour notice during that minute must disappear at once, although the cache entry stays."""
    from incubator.domain.calendar import WARSAW
    from incubator.web.api import views

    user, branch = expert
    create_rule(user, branch, weekday=2)  # Wednesdays 09:00-12:00
    start = datetime(2027, 3, 3, 10, 0, tzinfo=WARSAW)
    url = f"/api/v1/slots?domain=law&branch={branch.id}&from=2027-03-03&to=2027-03-03"
    slot_cache.slot_listings.clear()

    def starts_at(now: datetime) -> list[str]:
        monkeypatch.setattr(views, "utcnow", lambda: now)
        return [s["start"] for s in client.get(url).get_json()]

    exactly_24h_before = (start - timedelta(hours=24)).astimezone(UTC)
    assert "2027-03-03T10:00:00+01:00" in starts_at(exactly_24h_before)
    half_a_minute_later = starts_at(exactly_24h_before + timedelta(seconds=30))
    assert "2027-03-03T10:00:00+01:00" not in half_a_minute_later
    assert "2027-03-03T11:00:00+01:00" in half_a_minute_later
    assert slot_cache.slot_listings.hits == 1  # same minute, same entry
