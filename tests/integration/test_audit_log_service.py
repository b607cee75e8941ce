"""Browsing the audit trail (`services.audit_log`): managers only, each filter, merged people,
Warsaw days around the DST changes, paging (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from incubator.domain.audit_trail import AuditFilters
from incubator.domain.errors import InvalidInput, NotAllowed
from incubator.extensions import db as _db
from incubator.models import AuditEvent
from incubator.services import audit_log
from tests.factories import create_client, create_expert, create_manager
from tests.helpers import NOW


def _event(action: str, at: datetime, *, actor=None, subject=None, **details) -> int:
    event = AuditEvent(
        at_dt=at, action=action, actor_id=actor.id if actor else None,
        subject_id=subject if isinstance(subject, int) or subject is None else subject.id,
        target_type="user" if subject is not None else "", details=details, ip="198.51.100.4",
    )  # fmt: skip
    _db.session.add(event)
    _db.session.commit()
    return event.id


@pytest.fixture()
def w(db):
    return {
        "manager": create_manager(full_name="Kinga Kierownik"),
        "expert": create_expert(full_name="Anna Nowak"),
        "maria": create_client(full_name="Maria Wiśniewska"),
        "jan": create_client(full_name="Jan Kowalski"),
    }


def _actions(page: audit_log.AuditPage) -> list[str]:
    return [row.action for row in page.rows]


def _browse(w, **filters) -> audit_log.AuditPage:
    return audit_log.browse(_db.session, w["manager"], AuditFilters(**filters))


def test_only_managers_browse(db, w) -> None:
    _event("user.login", NOW, actor=w["jan"], subject=w["jan"])
    for who in ("expert", "maria"):
        with pytest.raises(NotAllowed):
            audit_log.browse(db.session, w[who], AuditFilters())
        with pytest.raises(NotAllowed):  # refused before the filters are even read
            audit_log.browse_query(db.session, w[who], {"person_id": "nonsense"})
    w["manager"].active = False
    db.session.commit()
    with pytest.raises(NotAllowed):
        audit_log.browse(db.session, w["manager"], AuditFilters())


def test_rows_name_people_newest_first(db, w) -> None:
    _event("participant.viewed", NOW, actor=w["expert"], subject=w["maria"], sensitive=False)
    _event("user.login_failed", NOW + timedelta(minutes=1), subject=w["jan"])
    page = _browse(w)
    assert page.total == 2 and _actions(page) == ["user.login_failed", "participant.viewed"]
    failed, viewed = page.rows
    assert failed.actor is None  # the system: nobody was logged in
    assert failed.subject.name == "Jan Kowalski"
    assert viewed.actor == audit_log.Person(w["expert"].id, "Anna Nowak", "expert")
    assert viewed.subject.id == w["maria"].id and viewed.details == {"sensitive": False}
    assert viewed.ip == "198.51.100.4" and viewed.at == NOW
    assert viewed.target_type == "user"


def test_an_account_that_is_gone_keeps_its_id(db, w) -> None:
    event = AuditEvent(at_dt=NOW, action="user.login", actor_id=999_999, subject_id=999_999)
    db.session.add(event)
    db.session.commit()
    (row,) = _browse(w).rows
    assert row.actor == audit_log.Person(999_999, None, None)
    assert row.subject == audit_log.Person(999_999, None, None)


def test_filter_by_person_actor_and_action(db, w) -> None:
    _event("participant.viewed", NOW, actor=w["expert"], subject=w["maria"])
    _event("participant.updated", NOW, actor=w["manager"], subject=w["maria"])
    _event("participant.viewed", NOW, actor=w["expert"], subject=w["jan"])
    _event("participants.exported", NOW, actor=w["manager"])
    _event("user.login", NOW, actor=w["jan"], subject=w["jan"])
    assert _browse(w, person_id=w["maria"].id).total == 2
    assert _browse(w, person_id=w["jan"].id).total == 2
    assert _browse(w, actor_id=w["expert"].id).total == 2
    assert _browse(w, action="participant.viewed").total == 2
    # a family: its prefix only ("participants." is another family)
    assert sorted(_actions(_browse(w, action="participant."))) == [
        "participant.updated", "participant.viewed", "participant.viewed",
    ]  # fmt: skip
    assert _browse(w, action="participant").total == 0  # exact, not a prefix
    assert _browse(w, person_id=w["jan"].id, actor_id=w["expert"].id).total == 1
    # ids that match nothing give nothing, without an error
    assert _browse(w, person_id=123_456).total == 0
    assert _browse(w, actor_id=123_456).rows == []
    assert _browse(w, action="no.such_action").total == 0


def test_a_family_filter_treats_underscore_literally(db, w) -> None:
    _event("calendar_feed.regenerated", NOW, actor=w["jan"], subject=w["jan"])
    _event("calendarXfeed.regenerated", NOW, actor=w["jan"], subject=w["jan"])
    assert _actions(_browse(w, action="calendar_feed.")) == ["calendar_feed.regenerated"]


def test_person_filter_follows_merged_records(db, w) -> None:
    maria, dropped, older = w["maria"], 5001, 5002
    _event("participant.viewed", NOW, actor=w["expert"], subject=dropped)
    _event("consultation.book", NOW, actor=w["expert"], subject=older)
    _event("user.login", NOW, actor=w["jan"], subject=w["jan"])
    # 5002 was merged into 5001, then 5001 into Maria: the trail keeps both ids.
    _event("person.merged", NOW + timedelta(hours=1), actor=w["manager"], subject=dropped,
           dropped=older)  # fmt: skip
    _event("person.merged", NOW + timedelta(hours=2), actor=w["manager"], subject=maria,
           dropped=dropped)  # fmt: skip
    found = _browse(w, person_id=maria.id)
    assert found.total == 4
    assert {row.subject.id for row in found.rows} == {maria.id, dropped, older}
    assert _browse(w, person_id=dropped).total == 3  # not Maria's own entry
    assert _browse(w, person_id=w["jan"].id).total == 1


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        (  # 25 October 2026, 25 hours: 00:00 CEST = 22:00 UTC the day before, 24:00 CET = 23:00
            date(2026, 10, 25),
            [datetime(2026, 10, 24, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 22, 59, tzinfo=UTC)],
            [datetime(2026, 10, 24, 21, 59, tzinfo=UTC), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)],
        ),
        (  # 29 March 2026, 23 hours: 00:00 CET = 23:00 UTC the day before, 24:00 CEST = 22:00
            date(2026, 3, 29),
            [datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 21, 59, tzinfo=UTC)],
            [datetime(2026, 3, 28, 22, 59, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)],
        ),
    ],
)
def test_warsaw_days_around_dst(db, w, day, inside, outside) -> None:
    ids_in = {_event("user.login", at, actor=w["jan"]) for at in inside}
    for at in outside:
        _event("user.logout", at, actor=w["jan"])
    page = _browse(w, first_day=day, last_day=day)
    assert {row.id for row in page.rows} == ids_in
    assert _browse(w, first_day=day).total == 3  # from the day on: its two and the later one
    assert _browse(w, last_day=day).total == 3  # up to the day: the earlier one and its two


def test_paging_fifty_a_page_with_the_total(db, w) -> None:
    for n in range(120):
        _db.session.add(AuditEvent(at_dt=NOW + timedelta(minutes=n), action="user.login",
                                   actor_id=w["jan"].id, details={"n": n}))  # fmt: skip
    _db.session.commit()
    first = _browse(w)
    assert (first.total, first.page, first.per_page, first.pages) == (120, 1, 50, 3)
    assert [r.details["n"] for r in first.rows] == list(range(119, 69, -1))
    third = audit_log.browse(_db.session, w["manager"], AuditFilters(), page=3)
    assert [r.details["n"] for r in third.rows] == list(range(19, -1, -1))
    beyond = audit_log.browse(_db.session, w["manager"], AuditFilters(), page=4)
    assert beyond.rows == [] and beyond.total == 120
    _, again = audit_log.browse_query(_db.session, w["manager"], {"page": "2"})
    assert [r.details["n"] for r in again.rows] == list(range(69, 19, -1))


@pytest.mark.parametrize(
    ("filters", "page", "field"),
    [
        (AuditFilters(first_day=date(2026, 3, 2), last_day=date(2026, 3, 1)), 1, "to"),
        (AuditFilters(person_id=0), 1, "person_id"),
        (AuditFilters(action="Robert'); DROP TABLE"), 1, "action"),
        (AuditFilters(), 0, "page"),
    ],
)
def test_bad_filters_are_refused_with_their_field(db, w, filters, page, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        audit_log.browse(db.session, w["manager"], filters, page=page)
    assert refused.value.field == field


def test_browse_query_reads_a_query_string(db, w) -> None:
    _event("user.login", NOW, actor=w["jan"], subject=w["jan"])
    filters, page = audit_log.browse_query(
        db.session, w["manager"], {"person_id": str(w["jan"].id), "from": "2026-11-23"}
    )
    assert filters.person_id == w["jan"].id and page.total == 1
    with pytest.raises(InvalidInput) as refused:
        audit_log.browse_query(db.session, w["manager"], {"actor_id": "x1"})
    assert refused.value.field == "actor_id"
