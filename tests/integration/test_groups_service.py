"""Founding groups through the services (issue #12), on both engines: creating, members, the
founding step refused while a requirement is unmet (and a manager's override), registration."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from incubator.domain.errors import InvalidInput, NotAllowed
from incubator.domain.group_moves import (
    DateBeforeFormed,
    MoveRequest,
    RequirementsUnmet,
    StageBackwards,
    StageNotOnPath,
)
from incubator.domain.identifiers import InvalidKrs, InvalidNip
from incubator.models import AuditEvent, FoundingGroup, FoundingGroupStage
from incubator.services import groups
from incubator.services.group_stages import (
    KrsTaken,
    Registration,
    load_group,
    move_stage,
    requirements,
)
from tests.factories import NOW, create_branch, create_client, create_expert, create_manager

TODAY = date(2026, 11, 23)
JUSTIFICATION = "Trzecia osoba dołączy przed zebraniem; wniosek uzgodniony z zarządem."


@pytest.fixture()
def world(db):
    branch = create_branch(code="klucze", name="Klucze")
    return {
        "branch": branch,
        "manager": create_manager(),
        "guardian": create_expert(email="opiekun@example.org"),
        "other": create_expert(email="inny@example.org"),
        "clients": [create_client(full_name=f"Członek {i}") for i in range(4)],
    }


def _group(db, world, form="social_cooperative", formed=date(2026, 1, 5)):
    return groups.create_group(
        db.session, user=world["manager"], name="Spółdzielnia Socjalna „Razem”",
        legal_form=form, branch_id=world["branch"].id, guardian_id=world["guardian"].id,
        formed_on=formed, now=NOW,
    )  # fmt: skip


def _add(db, world, group, **kw):
    kw.setdefault("kind", "natural")
    return groups.add_member(
        db.session, user=world["guardian"], group_id=group.id, new=groups.NewMember(**kw),
        now=NOW, today=TODAY,
    )  # fmt: skip


def _move(db, world, group, target, *, who="guardian", on=TODAY, **kw):
    registration = kw.pop("registration", None)
    return move_stage(
        db.session, user=world[who], group_id=group.id,
        move=MoveRequest(target, on, **kw), registration=registration, now=NOW, today=TODAY,
    )  # fmt: skip


def test_a_group_starts_formed_with_its_history_and_guardian(db, world) -> None:
    group = _group(db, world)
    assert (group.stage, group.guardian_id) == ("formed", world["guardian"].id)
    assert group.formed_date == date(2026, 1, 5)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_the_founding_meeting_waits_for_the_founders(db, world) -> None:
    group = _group(db, world)
    for client in world["clients"][:2]:
        _add(db, world, group, user_id=client.id, at_risk="unemployed")
    _move(db, world, group, "statute_drafted", on=date(2026, 3, 1))
    with pytest.raises(RequirementsUnmet) as refused:
        _move(db, world, group, "founding_meeting_held")
    assert [u.code for u in refused.value.unmet] == ["too_few_founders"]
    assert "brakuje 1 osoby" in refused.value.unmet[0].message_pl
    # The guardian (an expert) cannot override; a manager can, with a written justification.
    with pytest.raises(NotAllowed):
        _move(db, world, group, "founding_meeting_held", override_reason=JUSTIFICATION)
    with pytest.raises(InvalidInput):
        _move(db, world, group, "founding_meeting_held", who="manager", override_reason="ok")
    _move(db, world, group, "founding_meeting_held", who="manager", override_reason=JUSTIFICATION)
    db.session.expire_all()
    group = load_group(db.session, group.id)
    last = group.stage_history[-1]
    assert (last.from_value, last.to_value) == ("statute_drafted", "founding_meeting_held")
    assert last.override_reason == JUSTIFICATION
    assert [u.code for u in requirements(group, TODAY)] == ["too_few_founders"]


def test_three_founders_meet_the_2018_rule(db, world) -> None:
    group = _group(db, world)
    for client in world["clients"][:3]:
        _add(db, world, group, user_id=client.id, at_risk="unemployed")
    _move(db, world, group, "founding_meeting_held", on=date(2026, 4, 1))
    assert load_group(db.session, group.id).founding_meeting_date == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("target", "kw", "error"),
    [
        ("application_to_starosta", {}, StageNotOnPath),
        ("training", {"on": date(2025, 12, 31)}, DateBeforeFormed),
        ("training", {"on": date(2026, 11, 24)}, InvalidInput),
        ("abandoned", {}, InvalidInput),  # no reason given
    ],
)
def test_bad_moves_are_refused_and_nothing_is_written(db, world, target, kw, error) -> None:
    group = _group(db, world)
    with pytest.raises(error):
        _move(db, world, group, target, **kw)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FoundingGroupStage)) == 1


def test_no_going_back_but_abandon_and_reopen(db, world) -> None:
    group = _group(db, world)
    _move(db, world, group, "statute_drafted", on=date(2026, 2, 1))
    with pytest.raises(StageBackwards):
        _move(db, world, group, "training")
    _move(db, world, group, "abandoned", on=date(2026, 3, 1), note="Grupa się rozpadła.")
    _move(db, world, group, "training", on=date(2026, 5, 1), note="Wznowienie.")
    assert load_group(db.session, group.id).stage == "training"


def _registered_path(db, world, group):
    for client in world["clients"][:3]:
        _add(db, world, group, user_id=client.id, at_risk="unemployed")
    _move(db, world, group, "application_filed", on=date(2026, 5, 4))


def test_registration_needs_a_unique_krs_number(db, world) -> None:
    group = _group(db, world)
    _registered_path(db, world, group)
    with pytest.raises(InvalidInput):
        _move(db, world, group, "registered", registration=Registration())
    with pytest.raises(InvalidKrs):
        _move(db, world, group, "registered", registration=Registration(number="380128"))
    with pytest.raises(InvalidNip):
        _move(db, world, group, "registered",
              registration=Registration(number="0000380128", nip="1234567890"))  # fmt: skip
    _move(db, world, group, "registered", on=date(2026, 6, 1),
          registration=Registration(number=" 0000380128 "))  # fmt: skip
    group = load_group(db.session, group.id)
    assert (group.stage, group.register, group.krs) == ("registered", "krs", "0000380128")
    other = _group(db, world)
    _registered_path(db, world, other)
    with pytest.raises(KrsTaken):
        _move(db, world, other, "registered", registration=Registration(number="0000380128"))


def test_an_ordinary_association_gets_an_ewidencja_number(db, world) -> None:
    group = _group(db, world, form="ordinary_association")
    for client in world["clients"][:3]:
        _add(db, world, group, user_id=client.id)
    _move(db, world, group, "application_to_starosta", on=date(2026, 3, 2))
    with pytest.raises(InvalidInput):
        _move(db, world, group, "registered", registration=Registration(register="krs", number="1"))
    _move(db, world, group, "registered", registration=Registration(number="SO.5.2026"))
    group = load_group(db.session, group.id)
    assert (group.register, group.ewidencja_number, group.krs) == ("ewidencja", "SO.5.2026", None)


def test_members_natural_by_name_and_legal_with_a_checked_krs(db, world) -> None:
    group = _group(db, world)
    _add(db, world, group, full_name="Jan Bez Konta", at_risk="disabled")
    _add(db, world, group, kind="legal", name="Gmina Klucze", legal_type="local_government",
         krs="0000123456")  # fmt: skip
    with pytest.raises(InvalidKrs):
        _add(db, world, group, kind="legal", name="Fundacja", legal_type="ngo", krs="12345")
    with pytest.raises(InvalidInput):
        _add(db, world, group, full_name="Ktoś", at_risk="astrologers")
    association = _group(db, world, form="association")
    with pytest.raises(InvalidInput):
        _add(db, world, association, kind="legal", name="Gmina", legal_type="local_government",
             krs="0000123456")  # fmt: skip
    names = [m.display_name for m in load_group(db.session, group.id).members]
    assert names == ["Jan Bez Konta", "Gmina Klucze"]


def test_only_managers_and_the_guardian_change_a_group(db, world) -> None:
    group = _group(db, world)
    with pytest.raises(NotAllowed):
        _move(db, world, group, "training", who="other")
    assert db.session.get(FoundingGroup, group.id).stage == "formed"
