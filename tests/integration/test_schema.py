"""The migrated schema matches the models and enforces the rules on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from incubator.models import (
    Consultation,
    ConsultationAttendee,
    ConsultationStatus,
    FoundingGroup,
    FoundingGroupMember,
    User,
)
from tests.factories import NOW, create_branch, create_client, create_domain, create_expert


def test_migrations_match_models(db) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def _consultation(expert, client, branch, domain, start, **kw) -> Consultation:
    c = Consultation(
        expert_id=expert.id,
        client_id=client.id,
        branch_id=branch.id,
        domain_id=domain.id,
        start_dt=start,
        end_dt=start + timedelta(hours=1),
        created_at_dt=NOW,
        updated_at_dt=NOW,
        **kw,
    )
    c.attendees.append(ConsultationAttendee(user_id=client.id))
    return c


@pytest.fixture()
def world(db):
    branch = create_branch()
    domain = create_domain()
    expert = create_expert(domains=[domain], branches=[branch])
    return branch, domain, expert, create_client(), create_client()


def test_aware_datetimes_round_trip_as_utc(db, world) -> None:
    branch, domain, expert, client, _ = world
    warsaw_nine = datetime(2026, 3, 30, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    db.session.add(_consultation(expert, client, branch, domain, warsaw_nine))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(select(Consultation)).one()
    assert stored.start_dt == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert stored.start_dt.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(db, world) -> None:
    branch, domain, expert, client, _ = world
    db.session.add(_consultation(expert, client, branch, domain, datetime(2026, 3, 30, 9)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(Consultation.id)) is None


def test_two_active_consultations_of_one_expert_at_one_start_are_impossible(db, world) -> None:
    branch, domain, expert, client, other = world
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    db.session.add(_consultation(expert, client, branch, domain, start))
    db.session.commit()
    db.session.add(_consultation(expert, other, branch, domain, start))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(db.session.scalars(select(Consultation)).all()) == 1


def test_a_cancelled_consultation_frees_its_start(db, world) -> None:
    branch, domain, expert, client, other = world
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    db.session.add(
        _consultation(expert, client, branch, domain, start, status=ConsultationStatus.CANCELLED)
    )
    db.session.add(_consultation(expert, other, branch, domain, start))
    db.session.commit()
    assert len(db.session.scalars(select(Consultation)).all()) == 2


def test_email_is_unique_but_phone_only_clients_may_have_none(db) -> None:
    create_client(email=None, password=None)
    create_client(email=None, password=None)
    create_client(email="anna@example.org")
    with pytest.raises(IntegrityError):
        create_client(email="anna@example.org")
    db.session.rollback()
    assert len(db.session.scalars(select(User)).all()) == 3


def test_staff_must_have_an_email(db) -> None:
    with pytest.raises(IntegrityError):
        create_expert(email=None)
    db.session.rollback()


def test_group_member_is_a_person_or_a_legal_person_not_both(db, world) -> None:
    branch, _, _, client, _ = world
    group = FoundingGroup(
        name="Spółdzielnia Socjalna „Test”",
        legal_form="social_cooperative",
        branch_id=branch.id,
        created_at_dt=NOW,
    )
    group.members.append(FoundingGroupMember(user_id=client.id, legal_person_name="Gmina X"))
    db.session.add(group)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_krs_keeps_leading_zeros_and_has_ten_digits(db, world) -> None:
    branch = world[0]
    group = FoundingGroup(
        name="Stowarzyszenie „KLuCzeM”",
        legal_form="association",
        branch_id=branch.id,
        krs="0000380128",
        created_at_dt=NOW,
    )
    db.session.add(group)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalars(select(FoundingGroup.krs)).one() == "0000380128"
    bad = FoundingGroup(
        name="X", legal_form="association", branch_id=branch.id, krs="380128", created_at_dt=NOW
    )
    db.session.add(bad)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
