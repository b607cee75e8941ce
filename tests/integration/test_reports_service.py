"""People served and the figures around them, counted by the database (both engines)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from incubator.config import resource_dir
from incubator.domain.booking_rules import UnknownDomain
from incubator.domain.counting import OutsideProject, PeriodOrder, UnknownProject
from incubator.domain.errors import UnknownBranch, UnknownExpert
from incubator.models import (
    ClientProfile,
    ConsultationStatus,
    ProjectParticipant,
)
from incubator.services.report_scope import resolve_scope
from incubator.services.reports import load_schemes, summary
from tests.factories import (
    NOW,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_project,
)
from tests.helpers import POLICY, local

SCHEMES = load_schemes(resource_dir("seed_data") / "breakdown_schemes.json")
FIRST, LAST = date(2026, 3, 1), date(2026, 4, 30)


def _profile(db, user, **fields) -> None:
    profile = db.session.get(ClientProfile, user.id)
    if profile is None:
        profile = ClientProfile(user_id=user.id)
        db.session.add(profile)
    for name, value in fields.items():
        setattr(profile, name, value)
    db.session.commit()


def _held(db, consultation, came: dict[int, bool], minutes: int = 60) -> None:
    """Record the outcome as the service would: attendance per person, status, length."""
    for row in consultation.attendees:
        row.attended = came.get(row.user_id, False)
    held = any(row.attended for row in consultation.attendees)
    consultation.status = ConsultationStatus.ATTENDED if held else ConsultationStatus.NO_SHOW
    consultation.duration_min = minutes if held else None
    db.session.commit()


@pytest.fixture()
def world(db):
    parent = create_branch(code="nowy-sacz", name="Nowy Sącz")
    filia = create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=parent.id)
    law, accounting = create_domain(code="law"), create_domain(code="accounting")
    expert = create_expert(domains=[law, accounting], branches=[parent, filia])
    people = [create_client(full_name=f"Osoba {i}") for i in range(6)]
    p = people
    _profile(
        db,
        p[0],
        gender="female",
        birth_date=date(1996, 3, 10),
        labour_status="long_term_unemployed",
        education="isced_3_4",
    )  # noqa: E501
    _profile(
        db, p[1], gender="male", birth_year=1960, labour_status="employed", education="isced_5_8"
    )  # noqa: E501
    _profile(db, p[2], gender="female", birth_year=2010, education="isced_0_2")  # no labour status
    _profile(
        db, p[3], gender="refused", birth_year=1980, labour_status="inactive", education="isced_0_2"
    )  # noqa: E501
    # p[4]: no participant record at all; p[5] never comes.

    def at(day: date, hour: int, branch=parent, area=law, client=p[0], attendees=(), **kw):
        start = local(day, hour)
        return create_consultation(
            expert=expert,
            client=client,
            branch=branch,
            area=area,
            attendees=attendees,
            start_dt=start,
            end_dt=start + timedelta(hours=1),
            created_at_dt=NOW - timedelta(days=400),
            **kw,  # noqa: E501
        )

    # A group consultation: three booked, two came.
    group = at(date(2026, 3, 9), 9, client=p[0], attendees=[p[1], p[5]])
    _held(db, group, {p[0].id: True, p[1].id: True}, minutes=90)
    # p[0] again, other area: still one person.
    _held(db, at(date(2026, 3, 10), 9, area=accounting), {p[0].id: True})
    # At the filia.
    _held(db, at(date(2026, 4, 2), 9, branch=filia, client=p[2]), {p[2].id: True}, minutes=45)
    # p[3] came before the period (returning) and in it.
    _held(db, at(date(2026, 2, 2), 9, client=p[3]), {p[3].id: True})
    _held(db, at(date(2026, 4, 20), 9, client=p[3]), {p[3].id: True})
    # p[4] came only after the period.
    _held(db, at(date(2026, 5, 4), 9, client=p[4]), {p[4].id: True})
    # Nobody came.
    _held(db, at(date(2026, 3, 11), 9, client=p[5]), {})
    # Cancelled well ahead, and late (two hours before).
    early = at(date(2026, 3, 12), 9, client=p[5], status=ConsultationStatus.CANCELLED)
    early.cancelled_at_dt = early.start_dt - timedelta(days=3)
    late = at(date(2026, 3, 13), 9, client=p[5], status=ConsultationStatus.CANCELLED)
    late.cancelled_at_dt = late.start_dt - timedelta(hours=2)
    # Booked, started, outcome not recorded yet: counts nowhere.
    at(date(2026, 4, 21), 9, client=p[4])
    db.session.commit()
    return {"parent": parent, "filia": filia, "law": law, "expert": expert, "people": p}


def _summary(db, **filters):
    scope = resolve_scope(db.session, today=date(2026, 12, 1), **filters)
    return summary(db.session, scope, schemes=SCHEMES, cancel_notice=POLICY.cancel_notice)


def _lines(result, dimension):
    breakdown = result.breakdowns[dimension]
    return {line.code: line.count for line in breakdown.lines}, breakdown.unknown


def test_people_served_are_distinct_attendees_who_came(db, world) -> None:
    result = _summary(db, first_day=FIRST, last_day=LAST)
    assert result.people_served == 4  # p0, p1 (group), p2 (filia), p3
    assert (result.new_people, result.returning_people) == (3, 1)
    assert result.consultations_held == 4
    assert result.did_not_come == 1
    assert result.absences == 2  # p5 at the group consultation and at the empty one
    assert (result.cancelled_in_time, result.cancelled_late) == (1, 1)
    assert result.minutes == 90 + 60 + 45 + 60
    assert result.advisory_hours == 4.3
    assert result.scheme.code == "efs_2021_2027"


def test_breakdowns_and_incomplete_records(db, world) -> None:
    result = _summary(db, first_day=FIRST, last_day=LAST)
    assert _lines(result, "gender") == ({"female": 2, "male": 1, "non_binary": 0}, 1)
    # p0 is 29 on 9 March 2026 (born 10 March 1996); p1 66; p2 16; p3 46.
    assert _lines(result, "age") == (
        {"under_18": 1, "18_29": 1, "30_54": 1, "55_plus": 1},
        0,
    )
    labour, unknown = _lines(result, "labour_status")
    assert labour == {"unemployed": 1, "long_term_unemployed": 1, "inactive": 1, "employed": 1}
    assert unknown == 1  # p2
    assert result.incomplete_records == 2  # p2 (labour status), p3 (gender refused)


def test_by_area_office_and_month(db, world) -> None:
    result = _summary(db, first_day=FIRST, last_day=LAST)
    areas = {s.key: (s.people, s.consultations_held, s.minutes) for s in result.by_area}
    assert areas == {"law": (4, 3, 90 + 45 + 60), "accounting": (1, 1, 60)}
    offices = {s.name("pl"): (s.people, s.consultations_held) for s in result.by_branch}
    assert offices == {"Nowy Sącz": (3, 3), "Piwniczna-Zdrój": (1, 1)}
    months = {s.key: (s.people, s.consultations_held) for s in result.by_month}
    assert months == {"2026-03": (2, 2), "2026-04": (2, 2)}
    assert sum(s.people for s in result.by_month) == result.people_served


def test_an_office_includes_its_filia_unless_excluded(db, world) -> None:
    parent = world["parent"].id
    assert _summary(db, first_day=FIRST, last_day=LAST, branch_id=parent).people_served == 4
    alone = _summary(db, first_day=FIRST, last_day=LAST, branch_id=parent, include_filia=False)
    assert alone.people_served == 3


def test_area_and_expert_filters(db, world) -> None:
    assert _summary(db, first_day=FIRST, last_day=LAST, area_code="accounting").people_served == 1
    expert = world["expert"].id
    assert _summary(db, first_day=FIRST, last_day=LAST, expert_id=expert).people_served == 4


def test_an_empty_period_gives_zeros_not_an_error(db, world) -> None:
    result = _summary(db, first_day=date(2020, 1, 1), last_day=date(2020, 1, 31))
    assert result.people_served == 0
    assert result.consultations_held == 0
    assert result.minutes == 0
    assert all(line.count == 0 for line in result.breakdowns["gender"].lines)


def test_a_project_uses_its_period_offices_and_each_persons_entry_data(db, world) -> None:
    project = create_project(
        programme="efs_2014_2020", start_date=date(2026, 3, 10), branches=[world["parent"]]
    )
    p0 = world["people"][0]
    # At entry p0 was employed; the record says long-term unemployed now.
    db.session.add(
        ProjectParticipant(
            project_id=project.id,
            user_id=p0.id,
            entry_date=date(2026, 3, 10),
            age_at_entry=30,
            labour_status="employed",
        )
    )
    db.session.commit()
    result = _summary(db, project_id=project.id)
    assert (result.first_day, result.last_day) == (date(2026, 3, 10), date(2026, 12, 31))
    assert result.scheme.code == "efs_2014_2020"
    # p0 (10 March), p3 (20 April), p4 (4 May) at Nowy Sącz; the filia is not in the project.
    assert result.people_served == 3
    labour, _ = _lines(result, "labour_status")
    assert labour["employed"] == 1 and labour["long_term_unemployed"] == 0


def test_age_is_counted_on_the_day_of_first_support(db, world) -> None:
    # Born 10 March 1996: 29 at the group consultation on 9 March, 30 at the next on 10 March.
    march_10 = _summary(db, first_day=date(2026, 3, 10), last_day=LAST)
    ages, _ = _lines(march_10, "age")
    assert ages["30_54"] == 2  # p0 (30) and p3 (46)
    assert ages["18_29"] == 0


@pytest.mark.parametrize(
    ("filters", "error"),
    [
        ({"first_day": LAST, "last_day": FIRST}, PeriodOrder),
        ({"project_id": 999}, UnknownProject),
        ({"branch_id": 999}, UnknownBranch),
        ({"area_code": "astrology"}, UnknownDomain),
        ({"expert_id": 999}, UnknownExpert),
    ],
)
def test_bad_filters_are_refused(db, world, filters, error) -> None:
    with pytest.raises(error):
        resolve_scope(db.session, today=date(2026, 12, 1), **filters)


def test_a_client_is_not_an_expert_filter(db, world) -> None:
    with pytest.raises(UnknownExpert):
        resolve_scope(db.session, today=date(2026, 12, 1), expert_id=world["people"][0].id)


def test_a_period_outside_the_project_is_refused(db, world) -> None:
    project = create_project(end_date=date(2026, 2, 28), branches=[world["parent"]])
    with pytest.raises(OutsideProject):
        resolve_scope(db.session, today=date(2026, 12, 1), project_id=project.id, first_day=FIRST)
    with pytest.raises(OutsideProject):
        resolve_scope(
            db.session, today=date(2026, 12, 1), project_id=project.id, branch_id=world["filia"].id
        )


@pytest.mark.parametrize("name", ["project_id", "branch_id", "expert_id"])
def test_ids_beyond_the_id_columns_are_unknown_not_an_overflow(db, world, name) -> None:
    with pytest.raises((UnknownProject, UnknownBranch, UnknownExpert)):
        resolve_scope(db.session, today=date(2026, 12, 1), **{name: 2**63})
