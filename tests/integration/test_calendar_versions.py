"""Calendar versions per expert (migration 0005): raised by the database only by changes that
alter free time, pushed to every worker on PostgreSQL, and the key of every cached listing."""

from __future__ import annotations

import threading
import time as clock
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text, update

from incubator.models import DIRECTORY_CALENDAR, AvailabilityException, CalendarVersion, User
from incubator.services import slot_cache
from incubator.services.slot_cache import ListeningWatcher, LruCache, SqliteWatcher, Versions
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_rule,
)


@pytest.fixture()
def world(db):
    branch = create_branch()
    law = create_domain(code="law")
    first = create_expert(domains=[law], branches=[branch])
    second = create_expert(domains=[law], branches=[branch])
    return first, second, branch, law


def _versions(db) -> dict[int, int]:
    db.session.rollback()
    found = dict(db.session.execute(text("SELECT id, version FROM calendar_versions")).all())
    db.session.rollback()
    return found


def _raised(db, change) -> set[int]:
    """The calendars whose version `change` (committed) raised."""
    before = _versions(db)
    change()
    db.session.commit()
    after = _versions(db)
    return {k for k, v in after.items() if v > before.get(k, 0)}


def test_rules_and_exceptions_raise_only_their_experts_calendar(db, world) -> None:
    first, second, branch, _ = world
    assert _raised(db, lambda: create_rule(first, branch)) == {first.id}
    day = date(2027, 1, 4)
    off = AvailabilityException(expert_id=second.id, kind="off", start_date=day, end_date=day)
    assert _raised(db, lambda: db.session.add(off)) == {second.id}
    assert _raised(db, lambda: db.session.delete(off)) == {second.id}


def test_a_consultation_raises_its_expert_but_notes_and_topics_do_not(db, world) -> None:
    first, second, branch, law = world
    customer = create_client()
    before = _versions(db)
    consultation = create_consultation(expert=first, client=customer, branch=branch, area=law)
    after = _versions(db)
    assert {k for k, v in after.items() if v > before.get(k, 0)} == {first.id}
    assert _raised(db, lambda: setattr(consultation, "notes", "Przyniesie umowę najmu.")) == set()
    assert _raised(db, lambda: setattr(consultation, "topic", "Umowa spółdzielni")) == set()

    def move() -> None:
        consultation.start_dt += timedelta(hours=2)
        consultation.end_dt += timedelta(hours=2)

    assert _raised(db, move) == {first.id}
    # Handed to another expert: both calendars change.
    assert _raised(db, lambda: setattr(consultation, "expert_id", second.id)) == {
        first.id,
        second.id,
    }
    assert _raised(db, lambda: setattr(consultation, "status", "cancelled")) == {second.id}


def test_directory_changes_raise_the_directory_but_clients_and_logins_do_not(db, world) -> None:
    first, _, _, _ = world
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert _raised(db, lambda: create_client()) == set()
    login = update(User).where(User.id == first.id).values(last_login_dt=now)
    assert _raised(db, lambda: db.session.execute(login)) == set()
    deactivate = update(User).where(User.id == first.id).values(active=False)
    assert _raised(db, lambda: db.session.execute(deactivate)) == {DIRECTORY_CALENDAR}
    assert _raised(db, lambda: create_branch()) == {DIRECTORY_CALENDAR}
    assert DIRECTORY_CALENDAR in _raised(db, lambda: create_expert())


def test_every_trigger_of_migration_0005_exists(db) -> None:
    """A batch migration on SQLite recreates tables and silently drops their triggers."""
    from importlib import import_module

    migration = import_module("incubator.migrations.versions.0005_calendar_versions")
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        suffixes = ("write", "update", "truncate")
        expected = {
            f"trg_{t}_calendar_{s}"
            for t in migration.TRIGGERS
            for s in suffixes
            if not (t in migration.UPDATE_ONLY and s == "write")
        }
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {
            f"trg_{t}_calendar_{e}"
            for t in migration.TRIGGERS
            for e in ("insert", "delete", "update")
            if not (t in migration.UPDATE_ONLY and e != "update")
        }
    present = set(db.session.scalars(text(sql)))
    assert expected <= present
    assert not {name for name in present if name.endswith("_calendar")}  # 0003's are gone


def test_cache_computes_once_per_key_and_evicts_oldest() -> None:
    cache = LruCache(maxsize=2)
    calls: list[str] = []

    def compute(value: str):
        return lambda: calls.append(value) or value

    assert cache.get_or_compute("a", compute("a")) == "a"
    assert cache.get_or_compute("a", compute("other")) == "a"
    cache.get_or_compute("b", compute("b"))
    cache.get_or_compute("c", compute("c"))  # evicts "a"
    assert cache.get_or_compute("a", compute("a2")) == "a2"
    assert calls == ["a", "b", "c", "a2"] and cache.hits == 1


def test_versions_only_grow_and_a_restored_database_starts_a_new_epoch() -> None:
    versions = Versions()
    versions.merge([(0, 3), (7, 5)])
    key = versions.key([7])
    versions.raise_to(7, 4)  # a late notification: older than what is known
    assert versions.key([7]) == key
    versions.raise_to(7, 6)
    assert versions.get(7) == 6
    versions.merge([(0, 3), (7, 2)])  # lower than known: the database was replaced
    assert versions.epoch == 1 and versions.get(7) == 2


def _slots_url(branch, days=(2, 9)) -> str:
    today = datetime.now(UTC).date()
    return (
        f"/api/v1/slots?domain=law&branch={branch.id}&from={today + timedelta(days=days[0])}"
        f"&to={today + timedelta(days=days[1])}"
    )


def test_api_slots_are_served_from_cache_until_a_booking_changes_them(client, db, world) -> None:
    first, _, branch, _ = world
    for weekday in range(6):
        create_rule(first, branch, weekday=weekday)
    url = _slots_url(branch)
    slot_cache.slot_listings.clear()
    listed = client.get(url).get_json()
    assert listed and client.get(url).get_json() == listed
    assert slot_cache.slot_listings.hits == 1 and slot_cache.slot_listings.misses == 1

    create_client(email="k@example.org")
    client.post(
        "/api/v1/session", json={"email": "k@example.org", "password": "correct-horse-battery"}
    )
    taken = listed[0]
    response = client.post(
        "/api/v1/consultations",
        json={
            "expert_id": first.id,
            "branch_id": branch.id,
            "domain": "law",
            "start": taken["start"],
        },
    )
    assert response.status_code == 201, response.get_json()
    after = client.get(url).get_json()
    assert taken not in after and len(after) == len(listed) - 1


def test_a_change_to_one_expert_leaves_other_experts_listings_cached(client, db, world) -> None:
    first, second, branch, _ = world
    for expert in (first, second):
        for weekday in range(6):
            create_rule(expert, branch, weekday=weekday)
    only = {e.id: f"{_slots_url(branch)}&expert={e.id}" for e in (first, second)}
    slot_cache.slot_listings.clear()
    listed = {e: client.get(url).get_json() for e, url in only.items()}
    assert all(listed.values()) and slot_cache.slot_listings.misses == 2

    day = datetime.now(UTC).date() + timedelta(days=3)
    db.session.add(
        AvailabilityException(expert_id=first.id, kind="off", start_date=day, end_date=day)
    )
    db.session.commit()
    again = {e: client.get(url).get_json() for e, url in only.items()}
    assert again[second.id] == listed[second.id]
    assert len(again[first.id]) < len(listed[first.id])
    assert slot_cache.slot_listings.hits == 1 and slot_cache.slot_listings.misses == 3


def test_cached_listing_still_respects_minimum_notice_to_the_second(
    client, db, world, monkeypatch
) -> None:
    """The listing is computed for the start of the minute; a slot that falls inside the
    24-hour notice during that minute must disappear at once, although the cache entry stays."""
    from incubator.domain.calendar import WARSAW
    from incubator.web.api import views

    first, _, branch, _ = world
    create_rule(first, branch, weekday=2)  # Wednesdays 09:00-12:00
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


def _wait(condition, seconds: float = 5.0) -> bool:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if condition():
            return True
        clock.sleep(0.005)
    return condition()


def _raise_elsewhere(database_url: str, expert_id: int) -> None:
    """A change committed by another process's connection (no session event of this one)."""
    other = create_engine(database_url)
    try:
        with other.begin() as connection:
            connection.execute(
                text("UPDATE availability_rules SET end_time = end_time WHERE expert_id = :e"),
                {"e": expert_id},
            )
    finally:
        other.dispose()


@pytest.fixture()
def postgres_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite has PRAGMA data_version (tested below)")


@pytest.fixture()
def sqlite_only(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PRAGMA data_version is SQLite's; PostgreSQL pushes changes (tested above)")


def test_listener_applies_another_workers_commit_without_a_query(
    db, world, database_url, postgres_only
) -> None:
    first, second, branch, _ = world
    create_rule(first, branch)
    watcher = ListeningWatcher(db.engine)
    try:
        watcher.fresh()
        assert watcher.listening.wait(10), "the listener did not connect"
        watcher.fresh()  # the first call read the table; from now on nothing is read
        reads, key_before = watcher.reads, watcher.versions.key([first.id, second.id])
        _raise_elsewhere(database_url, first.id)
        assert _wait(lambda: watcher.versions.key([first.id, second.id]) != key_before)
        assert watcher.versions.key([second.id])[2] == key_before[3]  # the other one stayed
        watcher.fresh()
        assert watcher.reads == reads and watcher.notifications >= 1
    finally:
        watcher.stop()


def test_listener_falls_back_to_reading_while_disconnected_and_reconnects(
    db, world, database_url, postgres_only
) -> None:
    first, _, branch, _ = world
    create_rule(first, branch)
    watcher = ListeningWatcher(db.engine)
    try:
        watcher.fresh()
        assert watcher.listening.wait(10)
        killed = db.session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'incubator calendar listener' "
                "AND pid <> pg_backend_pid() AND datname = current_database()"
            )
        ).all()
        db.session.rollback()
        assert killed
        assert _wait(lambda: not watcher.listening.is_set())
        # Down: every listing reads the table, so a change is never missed.
        reads = watcher.reads
        before = watcher.fresh().get(first.id)
        _raise_elsewhere(database_url, first.id)
        assert watcher.fresh().get(first.id) > before
        assert watcher.reads >= reads + 2
        assert watcher.listening.wait(10), "the listener did not reconnect"
    finally:
        watcher.stop()


def test_writers_for_different_experts_do_not_wait_for_each_other(
    db, world, database_url, postgres_only
) -> None:
    """Each expert's version is its own row: an open transaction that changed one expert's
    rules does not hold up a change to another's (the single counter of 0003 did)."""
    first, second, branch, _ = world
    create_rule(first, branch)
    create_rule(second, branch)
    engine = create_engine(database_url)
    try:
        with engine.connect() as holder, engine.connect() as other:
            holder.begin()
            holder.execute(
                text("UPDATE availability_rules SET end_time = end_time WHERE expert_id = :e"),
                {"e": first.id},
            )
            other.begin()
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            other.execute(
                text("UPDATE availability_rules SET end_time = end_time WHERE expert_id = :e"),
                {"e": second.id},
            )
            other.commit()
            holder.rollback()
    finally:
        engine.dispose()


def test_sqlite_watcher_reads_the_table_only_after_another_commit(
    db, world, database_url, sqlite_only
) -> None:
    first, _, branch, _ = world
    create_rule(first, branch)
    watcher = SqliteWatcher(db.engine, db.engine.url.database)
    try:
        before = watcher.fresh().get(first.id)
        reads = watcher.reads
        for _ in range(5):
            watcher.fresh()
        assert watcher.reads == reads  # nothing committed: only PRAGMA data_version was read
        _raise_elsewhere(database_url, first.id)
        assert watcher.fresh().get(first.id) == before + 1
        assert watcher.reads == reads + 1
    finally:
        watcher.stop()


def test_concurrent_listings_and_commits_never_serve_a_stale_listing(client, db, world) -> None:
    """A listing read after a commit returned never shows what that commit removed."""
    first, _, branch, _ = world
    for weekday in range(6):
        create_rule(first, branch, weekday=weekday)
    url = f"{_slots_url(branch)}&expert={first.id}"
    slot_cache.slot_listings.clear()
    listed = client.get(url).get_json()
    stop = threading.Event()
    failures: list[BaseException] = []

    def browse() -> None:
        try:
            while not stop.is_set():
                client.get(url)
        except BaseException as error:  # reported below
            failures.append(error)

    browser = threading.Thread(target=browse)
    browser.start()
    try:
        for n, day_offset in enumerate((3, 4, 5)):
            day = datetime.now(UTC).date() + timedelta(days=day_offset)
            db.session.add(
                AvailabilityException(expert_id=first.id, kind="off", start_date=day, end_date=day)
            )
            db.session.commit()
            now_listed = client.get(url).get_json()
            assert not any(s["start"].startswith(day.isoformat()) for s in now_listed), n
    finally:
        stop.set()
        browser.join(10)
    assert not failures
    assert len(now_listed) < len(listed)
    assert db.session.get(CalendarVersion, first.id).version > 0
