"""The consultation-hours service against the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from incubator.domain import availability_rules as rules
from incubator.domain import errors
from incubator.models import (
    AuditEvent,
    AvailabilityException,
    AvailabilityRule,
    ConsultationStatus,
    ExceptionKind,
)
from incubator.services import availability as av
from incubator.services import booking
from incubator.services import slots as slot_service
from incubator.web.common.errors import STATUS
from tests.factories import (
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
    create_rule,
)
from tests.helpers import NOTICES, NOW, POLICY, TODAY, local

MON, TUE, WED = date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)
SUN = date(2026, 11, 29)


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze")
    sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    piwniczna = create_branch(code="piwniczna", name="Piwniczna-Zdrój")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    nowak = create_expert(domains=[law], branches=[klucze, sacz], full_name="Anna Nowak")
    kos = create_expert(domains=[law], branches=[klucze], full_name="Jan Kos")
    for weekday in range(6):
        create_rule(nowak, klucze, weekday=weekday)  # 09:00-12:00
        create_rule(kos, klucze, weekday=weekday)
    create_rule(nowak, sacz, weekday=1, start_time=time(13), end_time=time(15))
    return {
        "klucze": klucze,
        "sacz": sacz,
        "piwniczna": piwniczna,
        "law": law,
        "nowak": nowak,
        "kos": kos,
        "manager": create_manager(full_name="Kinga Kierownik"),
        "client": create_client(full_name="Maria Wiśniewska"),
    }


def rows(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def draft(w, **kw) -> av.RuleDraft:
    kw.setdefault("branch_id", w["sacz"].id)
    kw.setdefault("weekday", 2)  # Wednesday: free at Nowy Sącz in the afternoon
    kw.setdefault("start", time(13))
    kw.setdefault("end", time(15))
    kw.setdefault("length_min", 60)
    return av.RuleDraft(**kw)


def off(w, **kw) -> av.ExceptionDraft:
    kw.setdefault("kind", ExceptionKind.OFF)
    kw.setdefault("start_date", MON)
    return av.ExceptionDraft(**kw)


def extra(w, **kw) -> av.ExceptionDraft:
    kw.setdefault("kind", ExceptionKind.EXTRA)
    kw.setdefault("start_date", WED)
    kw.setdefault("branch_id", w["sacz"].id)
    kw.setdefault("start_time", time(16))
    kw.setdefault("end_time", time(18))
    return av.ExceptionDraft(**kw)


@pytest.fixture()
def booked(db, world):
    """A consultation with Anna Nowak at Klucze, Monday 30 November 09:00."""
    return booking.book(
        db.session,
        booking.BookingRequest(
            expert_id=world["nowak"].id,
            branch_id=world["klucze"].id,
            domain_code="law",
            start=local(MON, 9),
        ),
        actor=world["client"],
        now=NOW,
        notices=NOTICES,
        policy=POLICY,
    )


def slots(db, w, day: date, branch: str = "klucze", expert: str = "nowak"):
    return slot_service.find_slots(
        db.session,
        area=w["law"],
        branch=w[branch],
        start_date=day,
        end_date=day,
        now=NOW,
        policy=POLICY,
        expert_id=w[expert].id,
    )


# --- reading --------------------------------------------------------------------------------


def test_calendar_groups_weekly_hours_by_branch_and_weekday(db, world) -> None:
    cal = av.calendar(db.session, world["nowak"], world["nowak"].id, now=NOW)
    assert [h.branch.name for h in cal.hours] == ["Klucze", "Nowy Sącz"]
    assert [r.weekday for r in cal.hours[0].rules] == [0, 1, 2, 3, 4, 5]
    assert [(r.weekday, r.start_time) for r in cal.hours[1].rules] == [(1, time(13))]
    assert [b.name for b in cal.branches] == ["Klucze", "Nowy Sącz"]


def test_calendar_lists_upcoming_exceptions_first_and_hides_ended_hours(db, world) -> None:
    nowak = world["nowak"]
    for start, end in ((date(2026, 12, 10), date(2026, 12, 11)), (MON, MON)):
        db.session.add(
            AvailabilityException(
                expert_id=nowak.id, kind="off", start_date=start, end_date=end, reason="urlop"
            )
        )
    db.session.add(
        AvailabilityException(
            expert_id=nowak.id, kind="off", start_date=date(2026, 11, 2), end_date=date(2026, 11, 3)
        )
    )
    create_rule(
        nowak,
        world["sacz"],
        weekday=4,
        start_time=time(13),
        end_time=time(14),
        valid_to_date=TODAY - timedelta(days=1),
    )
    cal = av.calendar(db.session, nowak, nowak.id, now=NOW)
    assert [x.start_date for x in cal.upcoming] == [MON, date(2026, 12, 10)]
    assert [x.start_date for x in cal.past] == [date(2026, 11, 2)]
    assert all(r.weekday != 4 for r in cal.hours[1].rules)


# --- weekly hours ---------------------------------------------------------------------------


def test_adding_weekly_hours_at_another_branch(db, world) -> None:
    added = av.add_rule(db.session, world["nowak"], world["nowak"].id, draft(world), now=NOW)
    rule = db.session.get(AvailabilityRule, added.rule.id)
    assert (rule.branch_id, rule.weekday, rule.start_time, rule.end_time) == (
        world["sacz"].id,
        2,
        time(13),
        time(15),
    )
    assert rule.valid_from_date == TODAY  # empty "valid from" means today
    assert (added.per_day, added.unused_min) == (2, 0)
    event = db.session.scalars(select(AuditEvent)).one()
    assert event.action == "availability.rule_add" and event.target_id == rule.id
    assert event.actor_id == world["nowak"].id
    assert [s.start for s in slots(db, world, WED, "sacz")] == [local(WED, 13), local(WED, 14)]


@pytest.mark.parametrize(
    ("start", "end", "branch"),
    [
        (time(11), time(13), "sacz"),  # 11-12 clashes with Klucze 09-12, another branch
        (time(8), time(10), "klucze"),  # and the same branch
        (time(8), time(13), "sacz"),  # around it
    ],
)
def test_overlapping_hours_at_any_branch_are_refused(db, world, start, end, branch) -> None:
    before = rows(db, AvailabilityRule)
    with pytest.raises(rules.Overlap) as caught:
        av.add_rule(
            db.session,
            world["nowak"],
            world["nowak"].id,
            draft(world, branch_id=world[branch].id, start=start, end=end),
            now=NOW,
        )
    other = caught.value.other
    assert (other.weekday, other.start, other.end, other.branch_name) == (
        2,
        time(9),
        time(12),
        "Klucze",
    )
    assert caught.value.code == "overlap" and caught.value.field is None
    assert rows(db, AvailabilityRule) == before
    assert rows(db, AuditEvent) == 0


def test_touching_hours_and_other_experts_do_not_clash(db, world) -> None:
    nowak, kos = world["nowak"], world["kos"]
    av.add_rule(db.session, nowak, nowak.id, draft(world, start=time(12), end=time(13)), now=NOW)
    # Jan Kos's Wednesday 09-12 at Klucze is his, not Anna Nowak's.
    av.add_rule(
        db.session,
        world["manager"],
        kos.id,
        draft(world, branch_id=world["klucze"].id, start=time(13), end=time(15)),
        now=NOW,
    )
    assert rows(db, AvailabilityRule) == 6 + 6 + 1 + 2


def test_validity_periods_that_do_not_meet_do_not_clash(db, world) -> None:
    nowak = world["nowak"]
    first = draft(world, valid_to=date(2026, 12, 31))
    av.add_rule(db.session, nowak, nowak.id, first, now=NOW)
    later = draft(world, branch_id=world["klucze"].id, start=time(14), end=time(16))
    av.add_rule(db.session, nowak, nowak.id, replace(later, valid_from=date(2027, 1, 1)), now=NOW)
    with pytest.raises(rules.Overlap) as caught:
        av.add_rule(
            db.session, nowak, nowak.id, replace(later, valid_from=date(2026, 12, 15)), now=NOW
        )
    assert caught.value.other.valid_to == date(2026, 12, 31)
    assert caught.value.other.branch_name == "Nowy Sącz"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"end": time(12)}, rules.EndNotAfterStart, "end"),
        ({"end": time(13)}, rules.EndNotAfterStart, "end"),
        ({"length_min": 0}, rules.LengthOutOfRange, "length"),
        ({"length_min": 481}, rules.LengthOutOfRange, "length"),
        ({"buffer_min": -5}, rules.BufferOutOfRange, "buffer"),
        ({"buffer_min": 241}, rules.BufferOutOfRange, "buffer"),
        ({"end": time(13, 30)}, rules.WindowTooShort, "length"),
        ({"weekday": 6}, rules.ClosedWeekday, "weekday"),
        ({"weekday": 7}, rules.ClosedWeekday, "weekday"),
        ({"branch_id": 999_999}, errors.UnknownBranch, "branch"),
        ({"branch_id": None}, rules.BranchRequired, "branch"),
        ({"valid_from": TODAY - timedelta(days=1)}, errors.InThePast, "valid_from"),
        (
            {"valid_from": date(2027, 1, 10), "valid_to": date(2027, 1, 9)},
            rules.DatesOutOfOrder,
            "valid_to",
        ),
        ({"valid_to": TODAY - timedelta(days=1)}, rules.DatesOutOfOrder, "valid_to"),
    ],
)
def test_bad_weekly_hours_are_refused_and_nothing_is_written(
    db, world, changes, error, field
) -> None:
    before = rows(db, AvailabilityRule)
    with pytest.raises(error) as caught:
        av.add_rule(db.session, world["nowak"], world["nowak"].id, draft(world, **changes), now=NOW)
    assert caught.value.field == field
    assert STATUS[caught.value.code] == 422
    assert rows(db, AvailabilityRule) == before and rows(db, AuditEvent) == 0


def test_a_branch_the_expert_does_not_serve_is_refused(db, world) -> None:
    with pytest.raises(rules.BranchNotServed) as caught:
        av.add_rule(
            db.session,
            world["nowak"],
            world["nowak"].id,
            draft(world, branch_id=world["piwniczna"].id),
            now=NOW,
        )
    assert caught.value.params["branch_name"] == "Piwniczna-Zdrój"


@pytest.mark.parametrize(
    ("length", "buffer", "per_day", "unused"),
    [(60, 0, 2, 0), (45, 0, 2, 30), (50, 10, 2, 0), (40, 0, 3, 0), (55, 10, 2, 0), (90, 0, 1, 30)],
)
def test_what_the_window_holds(db, world, length, buffer, per_day, unused) -> None:
    added = av.add_rule(
        db.session,
        world["nowak"],
        world["nowak"].id,
        draft(world, length_min=length, buffer_min=buffer),
        now=NOW,
    )
    assert (added.per_day, added.unused_min) == (per_day, unused)
    starts = [s.start for s in slots(db, world, WED, "sacz")]
    assert len(starts) == per_day


# --- permissions ----------------------------------------------------------------------------


def test_an_expert_manages_only_their_own_calendar(db, world) -> None:
    nowak, kos = world["nowak"], world["kos"]
    kos_rule = db.session.scalars(
        select(AvailabilityRule).where(AvailabilityRule.expert_id == kos.id)
    ).first()
    calls = [
        lambda: av.calendar(db.session, nowak, kos.id, now=NOW),
        lambda: av.add_rule(db.session, nowak, kos.id, draft(world), now=NOW),
        lambda: av.end_rule(db.session, nowak, kos_rule.id, now=NOW),
        lambda: av.add_exception(db.session, nowak, kos.id, off(world), now=NOW),
    ]
    for call in calls:
        with pytest.raises(errors.NotAllowed) as caught:
            call()
        assert STATUS[caught.value.code] == 403
    assert rows(db, AuditEvent) == 0 and rows(db, AvailabilityException) == 0


def test_clients_manage_no_calendar(db, world) -> None:
    with pytest.raises(errors.NotAllowed):
        av.calendar(db.session, world["client"], world["nowak"].id, now=NOW)
    with pytest.raises(errors.NotAllowed):
        av.add_rule(db.session, world["client"], world["nowak"].id, draft(world), now=NOW)
    assert av.manageable_experts(db.session, world["client"]) == []


def test_a_manager_manages_any_experts_calendar(db, world) -> None:
    manager, kos = world["manager"], world["kos"]
    assert [e.full_name for e in av.manageable_experts(db.session, manager)] == [
        "Anna Nowak",
        "Jan Kos",
    ]
    added = av.add_exception(db.session, manager, kos.id, off(world), now=NOW)
    assert added.exception.expert_id == kos.id
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id) == ("availability.exception_add", manager.id)
    with pytest.raises(errors.UnknownExpert):
        av.calendar(db.session, manager, world["client"].id, now=NOW)


# --- ending weekly hours --------------------------------------------------------------------


def test_ending_hours_in_force_keeps_them_until_yesterday(db, world, booked) -> None:
    rule = db.session.scalars(
        select(AvailabilityRule).where(
            AvailabilityRule.expert_id == world["nowak"].id, AvailabilityRule.weekday == 0
        )
    ).one()
    ended = av.end_rule(db.session, world["nowak"], rule.id, now=NOW)
    assert not ended.deleted
    assert [c.id for c in ended.affected] == [booked.id]  # Monday 09:00 stays booked
    db.session.expire_all()
    assert db.session.get(AvailabilityRule, rule.id).valid_to_date == TODAY - timedelta(days=1)
    assert db.session.get(type(booked), booked.id).status == ConsultationStatus.BOOKED
    assert slots(db, world, date(2026, 12, 7)) == []  # the next Monday: no hours any more
    assert (
        db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1]
        == "availability.rule_end"
    )
    with pytest.raises(errors.NotFound):  # already ended
        av.end_rule(db.session, world["nowak"], rule.id, now=NOW)


def test_ending_hours_that_have_not_started_deletes_them(db, world) -> None:
    added = av.add_rule(
        db.session,
        world["nowak"],
        world["nowak"].id,
        draft(world, valid_from=date(2027, 1, 1)),
        now=NOW,
    )
    rule_id = added.rule.id
    ended = av.end_rule(db.session, world["nowak"], rule_id, now=NOW)
    assert ended.deleted and ended.affected == []
    assert db.session.get(AvailabilityRule, rule_id) is None
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "availability.rule_add",
        "availability.rule_delete",
    ]


# --- days off -------------------------------------------------------------------------------


def test_a_day_off_returns_the_consultations_inside_it_and_cancels_none(db, world, booked) -> None:
    added = av.add_exception(
        db.session, world["nowak"], world["nowak"].id, off(world, end_date=TUE), now=NOW
    )
    assert [c.id for c in added.affected] == [booked.id]
    db.session.expire_all()
    assert db.session.get(type(booked), booked.id).status == ConsultationStatus.BOOKED
    assert slots(db, world, MON) == [] and slots(db, world, TUE) == []
    assert slots(db, world, WED) != []
    cal = av.calendar(db.session, world["nowak"], world["nowak"].id, now=NOW)
    assert [c.id for c in cal.affected[added.exception.id]] == [booked.id]


@pytest.mark.parametrize(
    ("changes", "hit"),
    [
        ({"start_time": time(9), "end_time": time(10)}, True),
        ({"start_time": time(9, 30), "end_time": time(11)}, True),
        ({"start_time": time(10), "end_time": time(12)}, False),  # after the 09:00-10:00 one
        ({"branch": "sacz"}, False),  # away from the other office only
        ({"branch": "klucze"}, True),
    ],
)
def test_which_consultations_a_partial_day_off_hits(db, world, booked, changes, hit) -> None:
    branch = changes.pop("branch", None)
    if branch:
        changes["branch_id"] = world[branch].id
    added = av.add_exception(
        db.session, world["nowak"], world["nowak"].id, off(world, **changes), now=NOW
    )
    assert [c.id for c in added.affected] == ([booked.id] if hit else [])


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"end_date": MON - timedelta(days=1)}, rules.DatesOutOfOrder, "end_date"),
        ({"start_date": TODAY - timedelta(days=3)}, errors.InThePast, "start_date"),
        ({"start_time": time(9)}, rules.TimesRequired, "end_time"),
        ({"end_time": time(9)}, rules.TimesRequired, "start_time"),
        ({"start_time": time(12), "end_time": time(9)}, rules.EndNotAfterStart, "end_time"),
        ({"end_date": MON + timedelta(days=400)}, rules.RangeTooLong, "end_date"),
        ({"branch_id": 999_999}, errors.UnknownBranch, "branch"),
    ],
)
def test_bad_days_off_are_refused(db, world, changes, error, field) -> None:
    with pytest.raises(error) as caught:
        av.add_exception(
            db.session, world["nowak"], world["nowak"].id, off(world, **changes), now=NOW
        )
    assert caught.value.field == field
    assert rows(db, AvailabilityException) == 0 and rows(db, AuditEvent) == 0


def test_a_day_off_that_started_yesterday_is_fine(db, world) -> None:
    added = av.add_exception(
        db.session,
        world["nowak"],
        world["nowak"].id,
        off(world, start_date=TODAY - timedelta(days=1), end_date=TODAY + timedelta(days=2)),
        now=NOW,
    )
    assert added.exception.id is not None


# --- extra hours ----------------------------------------------------------------------------


def test_extra_hours_add_slots_at_the_branch(db, world) -> None:
    added = av.add_exception(
        db.session, world["nowak"], world["nowak"].id, extra(world, reason=" dyżur "), now=NOW
    )
    x = added.exception
    assert (x.kind, x.branch_id, x.reason, x.end_date) == ("extra", world["sacz"].id, "dyżur", WED)
    assert [s.start for s in slots(db, world, WED, "sacz")] == [local(WED, 16), local(WED, 17)]
    assert added.affected == []


def test_extra_hours_may_not_overlap_hours_at_another_branch(db, world) -> None:
    nowak = world["nowak"]
    with pytest.raises(rules.Overlap) as caught:
        av.add_exception(
            db.session,
            nowak,
            nowak.id,
            extra(world, start_time=time(11), end_time=time(13)),
            now=NOW,
        )
    other = caught.value.other
    assert (other.on_date, other.branch_name, other.start, other.end) == (
        WED,
        "Klucze",
        time(9),
        time(12),
    )
    assert rows(db, AvailabilityException) == 0
    # Taking that day off at Klucze frees the time.
    day_off = off(world, start_date=WED, branch_id=world["klucze"].id)
    av.add_exception(db.session, nowak, nowak.id, day_off, now=NOW)
    av.add_exception(
        db.session, nowak, nowak.id, extra(world, start_time=time(11), end_time=time(13)), now=NOW
    )
    assert [s.start for s in slots(db, world, WED, "sacz")] == [local(WED, 11), local(WED, 12)]


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"branch_id": None}, rules.BranchRequired, "branch"),
        ({"branch_id": None, "start_time": None}, rules.BranchRequired, "branch"),
        ({"start_time": None}, rules.TimesRequired, "start_time"),
        ({"end_time": None}, rules.TimesRequired, "end_time"),
        ({"end_time": time(16)}, rules.EndNotAfterStart, "end_time"),
        ({"end_time": time(16, 30)}, rules.WindowTooShort, "length"),
        ({"start_date": SUN}, rules.NoOpenDay, "start_date"),
        ({"start_date": date(2026, 12, 25), "end_date": date(2026, 12, 27)}, rules.NoOpenDay, None),
        ({"start_date": TODAY - timedelta(days=1)}, errors.InThePast, "start_date"),
        ({"start_date": WED, "end_date": TUE}, rules.DatesOutOfOrder, "end_date"),
    ],
)
def test_bad_extra_hours_are_refused(db, world, changes, error, field) -> None:
    with pytest.raises(error) as caught:
        av.add_exception(
            db.session, world["nowak"], world["nowak"].id, extra(world, **changes), now=NOW
        )
    if field is not None:
        assert caught.value.field == field
    assert rows(db, AvailabilityException) == 0


def test_deleting_an_exception(db, world) -> None:
    added = av.add_exception(db.session, world["nowak"], world["nowak"].id, off(world), now=NOW)
    exception_id = added.exception.id
    assert slots(db, world, MON) == []
    with pytest.raises(errors.NotAllowed):
        av.delete_exception(db.session, world["kos"], exception_id, now=NOW)
    av.delete_exception(db.session, world["manager"], exception_id, now=NOW)
    assert db.session.get(AvailabilityException, exception_id) is None
    assert slots(db, world, MON) != []
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()[-1] == (
        "availability.exception_delete"
    )
    with pytest.raises(errors.NotFound):
        av.delete_exception(db.session, world["manager"], exception_id, now=NOW)
