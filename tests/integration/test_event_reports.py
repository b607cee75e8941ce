"""People served per form of support: advice, trainings, information meetings (issue #14),
counted by the database on both engines, with the report's filters.

The world, March-April 2026 (Warsaw), office K with its filia F, and N:
- advice: p0 and p1 came to a consultation at K (area law);
- training T1 at K (law, trained by X), two sessions: p1 and p2 came to the first, p2 and p3
  to the second; p4 holds a seat and never came;
- training T2 at N in May (outside the period): p5 came;
- meeting M1 at F: p3 and p5 came, 20 more came without registering; p6 cancelled (an
  attendance row left behind must not count);
- meeting M2 at an outside address, no office: p7 came, 15 without registering;
- meeting M3 at K, cancelled before its session: nothing of it counts.
"""

from __future__ import annotations

from datetime import date

import pytest

from incubator.config import resource_dir
from incubator.domain.support_forms import ADVICE, INFORMATION_MEETING, TRAINING
from incubator.models import ClientProfile, ConsultationStatus, EventRegistration
from incubator.services import report_options
from incubator.services.report_scope import resolve_scope
from incubator.services.reports import load_schemes
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_event,
    create_expert,
    create_project,
)
from tests.helpers import POLICY, local

SETTINGS = report_options.ReportSettings(
    load_schemes(resource_dir("seed_data") / "breakdown_schemes.json"), POLICY.cancel_notice
)
FIRST, LAST = date(2026, 3, 1), date(2026, 4, 30)


def _session(day: date, hours: tuple[int, int] = (10, 14), anonymous: int = 0):
    return (local(day, hours[0]), local(day, hours[1]), anonymous)


@pytest.fixture()
def world(db):
    k = create_branch(code="k", name="Klucze")
    f = create_branch(code="f", name="Klucze — filia", parent_id=k.id)
    n = create_branch(code="n", name="Nowy Sącz")
    law, marketing = create_domain(code="law"), create_domain(code="marketing")
    x = create_expert(domains=[law], branches=[k, f, n])
    p = [create_client(full_name=f"Osoba {i}") for i in range(8)]
    for person, gender in ((p[2], "female"), (p[3], "male")):
        db.session.get(ClientProfile, person.id).gender = gender
    db.session.commit()
    start = local(date(2026, 3, 9), 9)
    advice = create_consultation(
        expert=x, client=p[0], branch=k, area=law, attendees=[p[1]], start_dt=start,
        status=ConsultationStatus.ATTENDED, duration_min=60,
    )  # fmt: skip
    for row in advice.attendees:
        row.attended = True
    db.session.commit()
    create_event(
        kind="training", title="Szkolenie: księgowość stowarzyszenia", branch_id=k.id,
        area_id=law.id, trainers=[x], registered=[p[1], p[2], p[3], p[4]],
        sessions=[_session(date(2026, 3, 14)), _session(date(2026, 3, 21))],
        came={0: [p[1], p[2]], 1: [p[2], p[3]]},
    )  # fmt: skip
    create_event(
        kind="training", title="Szkolenie: marketing", branch_id=n.id, area_id=marketing.id,
        registered=[p[5]], sessions=[_session(date(2026, 5, 9))], came={0: [p[5]]},
    )  # fmt: skip
    m1 = create_event(
        branch_id=f.id, registered=[p[3], p[5], p[6]],
        sessions=[_session(date(2026, 4, 2), (17, 19), 20)], came={0: [p[3], p[5], p[6]]},
    )  # fmt: skip
    cancelled = next(r for r in m1.registrations if r.user_id == p[6].id)
    cancelled.status = "cancelled"
    m1.seats_taken = 2
    create_event(
        venue="Gminny Ośrodek Kultury, Rynek 1", registered=[p[7]],
        sessions=[_session(date(2026, 4, 10), (17, 19), 15)], came={0: [p[7]]},
    )  # fmt: skip
    m3 = create_event(
        branch_id=k.id, registered=[p[0]],
        sessions=[_session(date(2026, 4, 15), (17, 19), 30)], came={0: [p[0]]},
    )  # fmt: skip
    m3.cancelled_at_dt = local(date(2026, 4, 1), 12)
    db.session.commit()
    return {"k": k, "f": f, "n": n, "x": x, "people": p}


def _count(db, **filters):
    filters.setdefault("first_day", FIRST)
    filters.setdefault("last_day", LAST)
    scope = resolve_scope(db.session, today=date(2026, 12, 1), **filters)
    return report_options.count(db.session, scope, SETTINGS)


def test_people_per_form_and_each_person_once_in_the_total(db, world) -> None:
    result = _count(db)
    forms = result.forms
    assert forms.of(ADVICE).people == result.people_served == 2
    assert forms.of(TRAINING).people == 3  # p1, p2, p3; p4 never came
    meeting = forms.of(INFORMATION_MEETING)
    assert (meeting.people, meeting.anonymous, meeting.attendees) == (3, 35, 38)
    assert forms.by_form() == {ADVICE: 2, TRAINING: 3, INFORMATION_MEETING: 38}
    # p0, p1, p2, p3, p5, p7: p1 (advice, training) and p3 (training, meeting) once each,
    # and the 35 head counts are not participants.
    assert forms.people_served_total == 6
    assert forms.anonymous_attendees == 35
    assert (forms.of(TRAINING).events_held, forms.of(TRAINING).sessions_held) == (1, 2)
    assert (meeting.events_held, meeting.sessions_held) == (2, 2)  # M3 did not take place


def test_a_cancelled_registration_counts_nowhere(db, world) -> None:
    p6 = world["people"][6]
    assert db.session.query(EventRegistration).filter_by(user_id=p6.id).one().status == (
        "cancelled"
    )
    result = _count(db)
    assert result.forms.of(INFORMATION_MEETING).people == 3  # p3, p5, p7 — not p6


def test_sessions_outside_the_period_are_not_counted(db, world) -> None:
    may = _count(db, first_day=date(2026, 5, 1), last_day=date(2026, 5, 31))
    assert may.forms.by_form() == {ADVICE: 0, TRAINING: 1, INFORMATION_MEETING: 0}
    assert may.forms.people_served_total == 1
    march = _count(db, last_day=date(2026, 3, 14))  # the first training session only
    assert march.forms.of(TRAINING).people == 2 and march.forms.people_served_total == 3


def test_the_office_is_the_events_office_with_its_filie(db, world) -> None:
    k = _count(db, branch_id=world["k"].id)
    assert k.forms.by_form() == {ADVICE: 2, TRAINING: 3, INFORMATION_MEETING: 22}
    assert k.forms.people_served_total == 5  # p7 met at an outside venue with no office
    alone = _count(db, branch_id=world["k"].id, include_filia=False)
    assert alone.forms.by_form()[INFORMATION_MEETING] == 0
    n = _count(db, branch_id=world["n"].id)
    assert n.forms.people_served_total == 0 and n.forms.anonymous_attendees == 0


def test_area_expert_and_project_filters(db, world) -> None:
    law = _count(db, area_code="law")
    assert law.forms.by_form() == {ADVICE: 2, TRAINING: 3, INFORMATION_MEETING: 0}
    expert = _count(db, expert_id=world["x"].id)
    assert expert.forms.by_form() == {ADVICE: 2, TRAINING: 3, INFORMATION_MEETING: 0}
    project = create_project(
        code="p", start_date=FIRST, end_date=LAST, branches=[world["f"]], programme="efs_2021_2027"
    )
    scoped = _count(db, project_id=project.id, first_day=None, last_day=None)
    assert scoped.forms.by_form() == {ADVICE: 0, TRAINING: 0, INFORMATION_MEETING: 22}
    assert scoped.forms.people_served_total == 2


def test_event_forms_have_the_schemes_breakdowns(db, world) -> None:
    training = _count(db).forms.of(TRAINING)
    gender = training.breakdowns["gender"]
    counts = {line.code: line.count for line in gender.lines}
    assert counts["female"] == 1 and counts["male"] == 1 and gender.unknown == 1
    age = training.breakdowns["age"]
    assert sum(line.count for line in age.lines) + age.unknown == 3
    assert set(training.breakdowns) == set(_count(db).breakdowns)


def test_an_empty_period_gives_zeros(db, world) -> None:
    empty = _count(db, first_day=date(2025, 1, 1), last_day=date(2025, 1, 31))
    assert empty.forms.people_served_total == 0
    assert empty.forms.by_form() == {ADVICE: 0, TRAINING: 0, INFORMATION_MEETING: 0}


def test_the_trainers_sessions_are_busy_time(db, world) -> None:
    """A guard on the fixture: the factory writes busy rows as the service does."""
    from incubator.models import ExpertBusyTime

    rows = db.session.query(ExpertBusyTime).filter_by(expert_id=world["x"].id).all()
    assert sum(1 for r in rows if r.session_id is not None) == 2
    assert sum(1 for r in rows if r.consultation_id is not None) == 1
