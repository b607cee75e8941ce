"""Seed data: reference upsert, the demo data set and its 207 people served, bad seed files."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest
from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from incubator.demo import (
    DEFAULT_SEED_DIR,
    SeedError,
    demo_data_present,
    load_demo_data,
    load_reference_data,
)
from incubator.demo.context import PERIOD_END, PERIOD_START
from incubator.demo.current_groups import CURRENT_GROUPS
from incubator.domain.calendar import WARSAW, local_midnight
from incubator.models import (
    Area,
    AvailabilityRule,
    Branch,
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    FoundingGroup,
    FoundingGroupStage,
    GroupStage,
    LegalForm,
    User,
)
from incubator.models.user import expert_branches, expert_domains
from tests.conftest import _empty_all_tables
from tests.helpers import NOW

PERIOD_LO = local_midnight(PERIOD_START)
PERIOD_HI = local_midnight(PERIOD_END + timedelta(days=1))
DEMO_PASSWORD = "inkubator-demo"
GROUP_NAMES = {
    "Spółdzielnia Socjalna „Opoka”",
    "Spółdzielnia Socjalna „Zdrojowianka”",
    "Stowarzyszenie „Aktywne Wsparcie”",
    "Stowarzyszenie „Klucz”",
}


def _load(app, session: Session, people_served: int | None = None, seed_dir: Path | None = None):
    kwargs = {} if people_served is None else {"people_served": people_served}
    return load_demo_data(
        session,
        seed_dir or DEFAULT_SEED_DIR,
        now=NOW,
        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
        **kwargs,
    )


def _served_stmt(lo: datetime = PERIOD_LO, hi: datetime = PERIOD_HI, status: str = "attended"):
    """Distinct people who attended consultations starting in [lo, hi): the EFS count."""
    return (
        select(func.count(distinct(ConsultationAttendee.user_id)))
        .join(Consultation, Consultation.id == ConsultationAttendee.consultation_id)
        .where(
            Consultation.status == status, Consultation.start_dt >= lo, Consultation.start_dt < hi
        )
    )


def _count(session: Session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _row_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: _count(session, model)
        for model in (User, Branch, Area, Consultation, FoundingGroup, AvailabilityRule)
    }


# --------------------------------------------------------------------------- reference data


def test_reference_data_load_is_idempotent_and_applies_edits(db, tmp_path: Path) -> None:
    first = load_reference_data(db.session, DEFAULT_SEED_DIR)
    assert (first.branches_created, first.domains_created) == (3, 4)
    second = load_reference_data(db.session, DEFAULT_SEED_DIR)
    assert (second.branches_created, second.branches_updated, second.branches_unchanged) == (
        0,
        0,
        3,
    )
    assert (second.domains_created, second.domains_updated) == (0, 0)
    assert _count(db.session, Branch) == 3
    assert _count(db.session, Area) == 4

    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    _edit(seed_dir / "branches.json", lambda data: data[0].update(name="Klucze — oddział"))
    edited = load_reference_data(db.session, seed_dir)
    assert (edited.branches_created, edited.branches_updated) == (0, 1)
    assert _count(db.session, Branch) == 3
    assert db.session.scalar(select(Branch.name).where(Branch.code == "klucze")) == (
        "Klucze — oddział"
    )


def test_reference_data_content(db) -> None:
    load_reference_data(db.session, DEFAULT_SEED_DIR)
    branches = {b.code: b for b in db.session.scalars(select(Branch))}
    assert {b.name for b in branches.values()} == {"Klucze", "Nowy Sącz", "Piwniczna-Zdrój"}
    assert branches["piwniczna-zdroj"].parent is branches["nowy-sacz"]
    assert branches["piwniczna-zdroj"].is_filia
    assert branches["klucze"].parent is None and branches["nowy-sacz"].parent is None
    domains = {d.code: d for d in db.session.scalars(select(Area).order_by(Area.position))}
    assert list(domains) == ["law", "accounting", "marketing", "social-enterprise"]
    assert domains["accounting"].name_pl == "Rachunkowość"
    assert domains["social-enterprise"].name_pl == "Zakładanie przedsiębiorstw społecznych"


# --------------------------------------------------------------------------- the demo data set


def test_demo_counts_exactly_207_people_served_despite_the_noise(app, db) -> None:
    summary = _load(app, db.session)
    session = db.session
    assert summary.history.people_served == 207
    assert session.scalar(_served_stmt()) == 207

    # The noise is there, and every kind of it is excluded by one of the count's conditions.
    cancelled = Consultation.status == ConsultationStatus.CANCELLED
    no_show = Consultation.status == ConsultationStatus.NO_SHOW
    attended = Consultation.status == ConsultationStatus.ATTENDED
    assert _count(session, Consultation, cancelled) > 0
    assert _count(session, Consultation, no_show) > 0
    assert _count(session, Consultation, attended, Consultation.start_dt >= PERIOD_HI) > 0
    assert _count(session, Consultation, Consultation.start_dt < PERIOD_LO) == 0
    everyone = select(func.count(distinct(ConsultationAttendee.user_id)))
    assert session.scalar(everyone) > 207  # all statuses, all dates
    ever_attended = _served_stmt(lo=PERIOD_LO, hi=datetime(2100, 1, 1, tzinfo=UTC))
    assert session.scalar(ever_attended) > 207  # some came only after the period

    # Clients who only ever no-showed or cancelled.
    took_place = exists().where(
        ConsultationAttendee.user_id == User.id,
        ConsultationAttendee.consultation_id == Consultation.id,
        attended,
    )
    booked_something = exists().where(ConsultationAttendee.user_id == User.id)
    never = select(func.count()).select_from(User).where(booked_something, ~took_place)
    assert session.scalar(never) > 0

    # Group consultations count every attendee.
    group_attended = (
        select(Consultation.id)
        .join(ConsultationAttendee)
        .where(attended, Consultation.founding_group_id.is_not(None))
        .where(Consultation.start_dt >= PERIOD_LO, Consultation.start_dt < PERIOD_HI)
        .group_by(Consultation.id)
        .having(func.count() > 1)
    )
    assert len(session.scalars(group_attended).all()) >= 4

    # Clients with no e-mail, entered by staff over the phone.
    phone_only = _count(session, User, User.role == "client", User.email.is_(None))
    assert phone_only > 0
    staff_entered = _count(
        session, User, User.email.is_(None), User.created_by_id.is_not(None), User.phone != ""
    )
    assert staff_entered == phone_only


def test_demo_calendar_is_consistent(app, db) -> None:
    _load(app, db.session)
    session = db.session

    # No two active consultations of one expert overlap (SQL), buffers included (Python).
    a, b = aliased(Consultation), aliased(Consultation)
    overlapping = (
        select(func.count())
        .select_from(a)
        .join(b, and_(a.expert_id == b.expert_id, a.id < b.id))
        .where(a.status != "cancelled", b.status != "cancelled")
        .where(a.start_dt < b.end_dt, b.start_dt < a.end_dt)
    )
    assert session.scalar(overlapping) == 0
    consultations = session.scalars(
        select(Consultation)
        .options(selectinload(Consultation.attendees))
        .order_by(Consultation.start_dt)
    ).all()
    by_expert: dict[int, list[Consultation]] = defaultdict(list)
    for c in consultations:
        if c.status != ConsultationStatus.CANCELLED:
            by_expert[c.expert_id].append(c)
    for items in by_expert.values():
        for earlier, later in zip(items, items[1:], strict=False):
            assert later.start_dt >= earlier.end_dt + timedelta(minutes=earlier.buffer_min)

    # Area and branch always among the expert's.
    foreign_domain = ~exists().where(
        expert_domains.c.expert_id == Consultation.expert_id,
        expert_domains.c.domain_id == Consultation.domain_id,
    )
    foreign_branch = ~exists().where(
        expert_branches.c.expert_id == Consultation.expert_id,
        expert_branches.c.branch_id == Consultation.branch_id,
    )
    assert _count(session, Consultation, foreign_domain) == 0
    assert _count(session, Consultation, foreign_branch) == 0

    # Working days only, office hours, Warsaw time; stored as aware UTC.
    polish = holidays.Poland(years=range(2008, NOW.year + 2))
    for c in consultations:
        assert c.start_dt.tzinfo is not None and c.start_dt.utcoffset() == timedelta(0)
        start, end = c.start_dt.astimezone(WARSAW), c.end_dt.astimezone(WARSAW)
        assert start.weekday() != 6, c.start_dt
        assert start.date() not in polish, (start.date(), polish.get(start.date()))
        assert time(8) <= start.time() and end.time() <= time(17) and start.date() == end.date()
        assert c.uid and len(c.attendees) >= 1
        assert c.client_id in {attendee.user_id for attendee in c.attendees}
        if c.status == ConsultationStatus.CANCELLED:
            assert c.cancelled_at_dt is not None and c.cancelled_at_dt < c.start_dt
        assert c.created_at_dt < c.start_dt

    # The demo client has upcoming bookings; the only other booked ones are the last two
    # weeks' consultations still waiting for their outcome (demo/recent.py).
    klient = session.scalar(select(User).where(User.email == "klient@example.org"))
    booked = session.scalars(
        select(Consultation).where(Consultation.status == ConsultationStatus.BOOKED)
    ).all()
    upcoming = [c for c in booked if c.start_dt > NOW]
    assert upcoming and all(c.client_id == klient.id for c in upcoming)
    waiting = [c for c in booked if c.start_dt <= NOW]
    assert waiting and all(
        c.end_dt <= NOW and c.start_dt > NOW - timedelta(days=15) and c.client_id != klient.id
        for c in waiting
    )


def test_demo_accounts_experts_and_founding_groups(app, db) -> None:
    _load(app, db.session)
    session = db.session
    assert demo_data_present(session)

    accounts = {u.email: u for u in session.scalars(select(User).where(User.email.like("%@%")))}
    for email, role in [
        ("kierownik@example.org", "manager"),
        ("ekspert@example.org", "expert"),
        ("klient@example.org", "client"),
    ]:
        user = accounts[email]
        assert user.role == role
        assert user.can_log_in and user.check_password(DEMO_PASSWORD)
        assert not user.check_password("wrong-password")

    branches = {b.code: b for b in session.scalars(select(Branch))}
    assert branches["piwniczna-zdroj"].parent.code == "nowy-sacz"

    demo_expert = accounts["ekspert@example.org"].expert_profile
    assert {d.code for d in demo_expert.domains} == {"law", "social-enterprise"}
    assert {b.code for b in demo_expert.branches} == {"klucze", "piwniczna-zdroj"}

    # Every domain and branch is covered; rules sit in the expert's branches, never overlap,
    # and are valid from the date of `now` with no end.
    experts = session.scalars(select(User).where(User.role == "expert")).all()
    assert 5 <= len(experts) <= 7
    assert {d.code for e in experts for d in e.expert_profile.domains} == {
        "law",
        "accounting",
        "marketing",
        "social-enterprise",
    }
    assert {b.code for e in experts for b in e.expert_profile.branches} == set(branches)
    rules = session.scalars(select(AvailabilityRule)).all()
    by_expert_day: dict[tuple[int, int], list[AvailabilityRule]] = defaultdict(list)
    for rule in rules:
        by_expert_day[(rule.expert_id, rule.weekday)].append(rule)
        assert rule.valid_from_date == NOW.astimezone(WARSAW).date()
        assert rule.valid_to_date is None
        assert rule.branch in rule.expert.expert_profile.branches
        assert rule.weekday != 6
    for same_day in by_expert_day.values():
        for i, first in enumerate(same_day):
            for second in same_day[i + 1 :]:
                assert not (
                    first.start_time < second.end_time and second.start_time < first.end_time
                ), (first.expert_id, first.weekday)

    # The four entities, registered within the project, with their stage history.
    every = {g.name: g for g in session.scalars(select(FoundingGroup))}
    assert set(every) == GROUP_NAMES | {g.name for g in CURRENT_GROUPS}
    groups = {name: g for name, g in every.items() if name in GROUP_NAMES}
    served_ids = set(
        session.scalars(
            select(ConsultationAttendee.user_id)
            .join(Consultation)
            .where(Consultation.status == "attended")
            .where(Consultation.start_dt >= PERIOD_LO, Consultation.start_dt < PERIOD_HI)
        )
    )
    for group in groups.values():
        assert group.stage == GroupStage.REGISTERED
        assert group.register == "krs" and len(group.krs) == 10 and group.krs.isdigit()
        assert PERIOD_START <= group.registered_date <= PERIOD_END
        history = session.scalars(
            select(FoundingGroupStage.to_value)
            .where(FoundingGroupStage.group_id == group.id)
            .order_by(FoundingGroupStage.on_date)
        ).all()
        assert history == [
            "formed",
            "training",
            "statute_drafted",
            "founding_meeting_held",
            "application_filed",
            "registered",
        ]
        natural = [m for m in group.members if m.user_id is not None]
        assert all(m.user.role == "client" for m in natural)
        assert {m.user_id for m in natural} <= served_ids
        founders = [m for m in natural if m.is_founder]
        legal = [m for m in group.members if m.is_legal_person]
        if group.legal_form == LegalForm.ASSOCIATION:
            # Prawo o stowarzyszeniach, art. 9: at least 15 founders before 20.05.2016.
            assert len(founders) >= 15 and not legal
        else:
            assert group.legal_form == LegalForm.SOCIAL_COOPERATIVE
            assert len(founders) >= 5 or (len(legal) >= 2 and all(m.is_founder for m in legal))
    for name in ("Spółdzielnia Socjalna „Zdrojowianka”", "Spółdzielnia Socjalna „Opoka”"):
        # Founded by two legal persons: possible only from 16.07.2009 (DOMAIN.md).
        legal = [m for m in groups[name].members if m.is_legal_person]
        assert len(legal) == 2 and all(m.legal_type for m in legal)
        assert groups[name].founding_meeting_date >= date(2009, 7, 16)
    zdrojowianka = groups["Spółdzielnia Socjalna „Zdrojowianka”"]
    assert zdrojowianka.branch.code == "piwniczna-zdroj"
    klucz = groups["Stowarzyszenie „Klucz”"]
    assert (klucz.branch.code, klucz.locality) == ("klucze", "Pałecznica")
    assert groups["Stowarzyszenie „Aktywne Wsparcie”"].branch.code == "nowy-sacz"
    assert groups["Spółdzielnia Socjalna „Opoka”"].branch.code == "klucze"


def test_people_served_is_a_parameter_and_the_generator_is_deterministic(app, db) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        rows = db.session.execute(
            select(
                Consultation.uid,
                Consultation.start_dt,
                Consultation.status,
                User.full_name,
            )
            .join(User, User.id == Consultation.client_id)
            .order_by(Consultation.start_dt, Consultation.expert_id)
        )
        return [tuple(row) for row in rows]

    summary = _load(app, db.session, people_served=25)
    assert summary.history.people_served == 25
    assert db.session.scalar(_served_stmt()) == 25
    first = snapshot()
    # Fewer people served than founding-group members: the rest are members without advice.
    assert _count(db.session, FoundingGroup) == 4 + len(CURRENT_GROUPS)

    _empty_all_tables()
    _load(app, db.session, people_served=25)
    assert snapshot() == first


def test_demo_load_refuses_to_duplicate(app, db) -> None:
    _load(app, db.session, people_served=5)
    before = _row_counts(db.session)
    with pytest.raises(SeedError, match="already present"):
        _load(app, db.session, people_served=5)
    assert _row_counts(db.session) == before


# --------------------------------------------------------------------------- bad seed files


def _edit(path: Path, change: Callable[[Any], Any]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _rule(data: list[dict[str, Any]], **changes: Any) -> None:
    data[0]["rules"][0].update(changes)


def _overlap(data: list[dict[str, Any]]) -> None:
    # Same weekday as rule #1, other branch, overlapping hours: two places at once.
    data[0]["rules"].append(
        {"branch": "piwniczna-zdroj", "weekday": "monday", "start": "14:00", "end": "16:00"}
    )


BAD_FILES = [
    pytest.param(
        "demo/experts.json",
        lambda data: _rule(data, branch="kluczee"),
        "unknown branch code 'kluczee'",
        id="expert-rule-unknown-branch",
    ),
    pytest.param(
        "demo/experts.json",
        lambda data: data[1].update(domains=["law", "astrology"]),
        "unknown domain code 'astrology'",
        id="expert-unknown-domain",
    ),
    pytest.param("demo/experts.json", _overlap, "rules overlap on Monday", id="rules-overlap"),
    pytest.param(
        "demo/experts.json",
        lambda data: _rule(data, start="9h"),
        "is not a time",
        id="bad-time",
    ),
    pytest.param(
        "branches.json",
        lambda data: data[2].update(parent="nowy-sacz-x"),
        "unknown parent branch code 'nowy-sacz-x'",
        id="unknown-parent",
    ),
    pytest.param(
        "branches.json",
        lambda data: data[0].update(adress="ul. Literówki 1"),
        "unknown field 'adress'",
        id="typo-field",
    ),
    pytest.param(
        "demo/founding_groups.json",
        lambda data: data[2].update(branch="krakow"),
        "unknown branch code 'krakow'",
        id="group-unknown-branch",
    ),
    pytest.param(
        "demo/founding_groups.json",
        lambda data: data[3].update(natural_person_founders=14),
        "needs at least 15 natural person founders",
        id="association-too-few-founders",
    ),
    pytest.param(
        "demo/founding_groups.json",
        lambda data: data[0].update(
            stages=[
                {"stage": "formed", "date": "2008-06-16", "note": ""},
                {"stage": "founding_meeting_held", "date": "2008-11-20", "note": ""},
                {"stage": "registered", "date": "2009-01-22", "note": ""},
            ]
        ),
        "a social cooperative founded on 2008-11-20 cannot have legal persons as founders",
        id="cooperative-legal-founders-before-16.07.2009",
    ),
    pytest.param(
        "demo/accounts.json",
        lambda data: data[2]["profile"].update(labour_status="retired"),
        "'labour_status' 'retired' is not one of",
        id="bad-profile-value",
    ),
]


@pytest.mark.parametrize(("relative", "change", "message"), BAD_FILES)
def test_bad_seed_file_raises_one_line_error_and_writes_nothing(
    app, db, tmp_path: Path, relative: str, change: Callable[[Any], Any], message: str
) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    _edit(seed_dir / relative, change)

    with pytest.raises(SeedError) as caught:
        _load(app, db.session, seed_dir=seed_dir)
    text = str(caught.value)
    assert "\n" not in text
    assert str(seed_dir / relative) in text
    assert message in text
    db.session.rollback()
    assert set(_row_counts(db.session).values()) == {0}


@pytest.mark.parametrize("loader", ["reference", "demo"])
def test_malformed_json_raises_seed_error_and_leaves_the_database_empty(
    app, db, tmp_path: Path, loader: str
) -> None:
    seed_dir = tmp_path / "seed"
    shutil.copytree(DEFAULT_SEED_DIR, seed_dir)
    broken = seed_dir / ("branches.json" if loader == "reference" else "demo/names.json")
    broken.write_text(broken.read_text(encoding="utf-8")[:-20], encoding="utf-8")

    with pytest.raises(SeedError, match=r"malformed JSON: .* at line \d+ column \d+") as caught:
        if loader == "reference":
            load_reference_data(db.session, seed_dir)
        else:
            _load(app, db.session, seed_dir=seed_dir)
    assert str(caught.value).startswith(str(broken))
    assert "\n" not in str(caught.value)
    assert set(_row_counts(db.session).values()) == {0}


def test_missing_seed_dir_and_file(db, tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="seed directory not found"):
        load_reference_data(db.session, tmp_path / "nowhere")
    (tmp_path / "branches.json").write_text("[]", encoding="utf-8")
    with pytest.raises(SeedError, match=r"domains\.json: file not found"):
        load_reference_data(db.session, tmp_path)
    assert set(_row_counts(db.session).values()) == {0}


def test_names_file_has_feminine_surnames() -> None:
    names = json.loads((DEFAULT_SEED_DIR / "demo/names.json").read_text(encoding="utf-8"))
    surnames: dict[str, str] = names["surnames"]
    adjectival = {m: f for m, f in surnames.items() if m.endswith(("ski", "cki", "dzki"))}
    assert adjectival and all(f == m[:-1] + "a" for m, f in adjectival.items())
    assert "Zawadzki" in adjectival and surnames["Zawadzki"] == "Zawadzka"
    assert set(names["localities"]) == {"klucze", "nowy-sacz", "piwniczna-zdroj"}
    assert "Pałecznica" in names["localities"]["klucze"]["rural"]
