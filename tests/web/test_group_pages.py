"""Founding-group pages (issue #12): the list and the group page per role, the forms with their
refusals in Polish (nothing written), a manager's override, the registry of founded entities."""

from __future__ import annotations

from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from incubator.models import FoundingGroup, FoundingGroupMember, FoundingGroupStage
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_group,
    create_manager,
)

FORMED = datetime(2025, 3, 1, 9, tzinfo=ZoneInfo("UTC"))
JUSTIFICATION = "Trzecia osoba dołączy przed zebraniem; zgoda zarządu inkubatora."


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture()
def world(db):
    branch = create_branch(code="klucze", name="Klucze")
    expert = create_expert(email="x@example.org", full_name="Ewa Ekspert", branches=[branch])
    other = create_expert(email="y@example.org", full_name="Olga Obca", branches=[branch])
    anna = create_client(email="a@example.org", full_name="Anna Członkini")
    bartek = create_client(email="b@example.org", full_name="Bartek Obcy")
    manager = create_manager(email="m@example.org", full_name="Kinga Kierownik")
    guarded = create_group(
        name="Spółdzielnia „Opoka”", branch_id=branch.id, guardian_id=expert.id,
        members=[anna], created_at_dt=FORMED,
    )  # fmt: skip
    other_group = create_group(
        name="Fundacja „Cudza”", legal_form="foundation", branch_id=branch.id,
        guardian_id=other.id, created_at_dt=FORMED,
    )  # fmt: skip
    return {
        "branch": branch, "expert": expert, "other": other, "anna": anna, "bartek": bartek,
        "manager": manager, "guarded": guarded, "other_group": other_group,
    }  # fmt: skip


def as_user(client, email: str):
    login(client, email, PASSWORD)
    return client


def counts(db) -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (FoundingGroup, FoundingGroupMember, FoundingGroupStage)
    )


def test_a_manager_creates_a_group_adds_members_and_is_stopped_at_the_founding_meeting(
    client, db, world
) -> None:
    as_user(client, "m@example.org")
    response = client.post("/grupy/nowa", data={
        "name": "Spółdzielnia Socjalna „Nowa”", "legal_form": "social_cooperative",
        "branch_id": world["branch"].id, "guardian_id": world["expert"].id,
        "formed_on": "2025-04-01",
    })  # fmt: skip
    assert response.status_code == 302
    group = db.session.scalar(select(FoundingGroup).where(FoundingGroup.name.like("%Nowa%")))
    assert group.guardian_id == world["expert"].id and group.stage == "formed"
    for data in (
        {"kind": "natural", "user_id": str(world["anna"].id), "at_risk": "unemployed"},
        {"kind": "natural", "full_name": "Jan Bez Konta", "at_risk": "none"},
    ):
        response = client.post(f"/grupy/{group.id}/czlonkowie/nowy", data={**data, "founder": "y"})
        assert response.status_code == 302, page(response)
    shown = page(client.get(f"/grupy/{group.id}"))
    assert "Anna Członkini" in shown and "Jan Bez Konta" in shown
    assert "brakuje 1 osoby" in shown  # the requirement check on the page
    before = counts(db)
    response = client.post(f"/grupy/{group.id}/etap", data={
        "target": "founding_meeting_held", "on": "2025-05-01", "note": "Zebranie",
    })  # fmt: skip
    assert response.status_code == 422
    text = page(response)
    assert "brakuje 1 osoby" in text and "Spółdzielnia socjalna wymaga" in text
    assert counts(db) == before
    db.session.expire_all()
    assert db.session.get(FoundingGroup, group.id).stage == "formed"


def test_a_manager_overrides_in_writing_and_the_timeline_keeps_it(client, db, world) -> None:
    group = world["guarded"]
    as_user(client, "m@example.org")
    response = client.post(f"/grupy/{group.id}/etap", data={
        "target": "founding_meeting_held", "on": "2025-05-01",
        "override_reason": JUSTIFICATION,
    })  # fmt: skip
    assert response.status_code == 302, page(response)
    shown = page(client.get(f"/grupy/{group.id}"))
    assert JUSTIFICATION in shown
    db.session.expire_all()
    assert db.session.get(FoundingGroup, group.id).stage == "founding_meeting_held"


def test_the_guardian_cannot_override(client, db, world) -> None:
    group = world["guarded"]
    as_user(client, "x@example.org")
    response = client.post(f"/grupy/{group.id}/etap", data={
        "target": "founding_meeting_held", "on": "2025-05-01",
        "override_reason": JUSTIFICATION,
    })  # fmt: skip
    assert response.status_code == 422  # the field is managers' only: ignored, so refused
    assert "brakuje" in page(response)
    db.session.expire_all()
    assert db.session.get(FoundingGroup, group.id).stage == "formed"


def test_a_stage_off_the_path_is_refused(client, db, world) -> None:
    group = world["other_group"]  # a foundation: no founding meeting on its path
    as_user(client, "m@example.org")
    before = counts(db)
    response = client.post(f"/grupy/{group.id}/etap", data={
        "target": "application_to_starosta", "on": "2025-05-01",
    })  # fmt: skip
    assert response.status_code == 422
    assert counts(db) == before


@pytest.mark.parametrize(
    ("number", "status", "words"),
    [
        ("12345", 422, "KRS"),
        ("00001234AB", 422, "KRS"),
        ("0000123456", 409, "Inna grupa ma już ten numer KRS"),
    ],
)
def test_registration_with_a_bad_krs_is_refused_in_polish(
    client, db, world, number, status, words
) -> None:
    taken = create_group(name="Zarejestrowana", branch_id=world["branch"].id,
                         created_at_dt=FORMED)  # fmt: skip
    taken.stage, taken.register, taken.krs = "registered", "krs", "0000123456"
    db.session.commit()
    group = world["other_group"]
    as_user(client, "m@example.org")
    before = counts(db)
    response = client.post(f"/grupy/{group.id}/rejestracja", data={
        "register": "krs", "number": number, "on": "2025-06-01",
        "override_reason": JUSTIFICATION,
    })  # fmt: skip
    assert response.status_code == status
    assert words in page(response)
    assert counts(db) == before
    db.session.expire_all()
    assert db.session.get(FoundingGroup, group.id).krs is None


def test_a_registered_foundation_is_in_the_registry(client, db, world) -> None:
    group = world["other_group"]
    as_user(client, "m@example.org")
    response = client.post(f"/grupy/{group.id}/rejestracja", data={
        "register": "krs", "number": "0000654321", "on": "2025-06-01",
        "override_reason": JUSTIFICATION,
    })  # fmt: skip
    assert response.status_code == 302, page(response)
    registry = page(client.get("/grupy/rejestr"))
    assert "Fundacja „Cudza”" in registry and "KRS 0000654321" in registry


def test_a_legal_person_with_a_bad_nip_is_refused(client, db, world) -> None:
    group = world["guarded"]
    as_user(client, "m@example.org")
    before = counts(db)
    response = client.post(f"/grupy/{group.id}/czlonkowie/nowy", data={
        "kind": "legal", "name": "Fundacja Wsparcia", "legal_type": "ngo", "nip": "1234567890",
    })  # fmt: skip
    assert response.status_code == 422
    assert "NIP" in page(response)
    assert counts(db) == before


def test_the_legal_form_changes_with_history(client, db, world) -> None:
    group = world["guarded"]
    as_user(client, "x@example.org")
    response = client.post(f"/grupy/{group.id}/forma-prawna", data={
        "legal_form": "association", "on": "2025-04-02", "note": "Decyzja grupy",
    })  # fmt: skip
    assert response.status_code == 302
    shown = page(client.get(f"/grupy/{group.id}"))
    assert "Spółdzielnia socjalna → Stowarzyszenie rejestrowe" in shown


def test_a_client_sees_only_their_own_group_read_only(client, db, world) -> None:
    as_user(client, "a@example.org")
    listing = page(client.get("/grupy/"))
    assert "Moje grupy" in listing and "Opoka" in listing and "Cudza" not in listing
    shown = client.get(f"/grupy/{world['guarded'].id}")
    assert shown.status_code == 200
    assert "Dodaj członka" not in page(shown) and "/etap" not in page(shown)
    assert client.get(f"/grupy/{world['other_group'].id}").status_code == 404
    assert client.get(f"/grupy/{world['guarded'].id}/etap").status_code == 403
    assert client.get("/grupy/rejestr").status_code == 403


def test_another_client_sees_no_group(client, db, world) -> None:
    as_user(client, "b@example.org")
    assert "Opoka" not in page(client.get("/grupy/"))
    assert client.get(f"/grupy/{world['guarded'].id}").status_code == 404


def test_an_expert_sees_the_guarded_group_and_its_consultations(client, db, world) -> None:
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    create_consultation(expert=world["expert"], client=world["anna"], branch=world["branch"],
                        area=law, topic="Statut spółdzielni")  # fmt: skip
    as_user(client, "x@example.org")
    listing = page(client.get("/grupy/"))
    assert "Opoka" in listing and "Cudza" not in listing
    shown = page(client.get(f"/grupy/{world['guarded'].id}"))
    assert "Statut spółdzielni" in shown and "Dodaj członka" in shown
    assert "Umów konsultację grupową" in shown
    assert client.get(f"/grupy/{world['other_group'].id}").status_code == 404


def test_the_list_filters_by_legal_form_and_guardian(client, db, world) -> None:
    as_user(client, "m@example.org")
    foundations = page(client.get("/grupy/?legal_form=foundation"))
    assert "Cudza" in foundations and "Opoka" not in foundations
    guarded = page(client.get(f"/grupy/?guardian={world['expert'].id}"))
    assert "Opoka" in guarded and "Cudza" not in guarded
    assert "Opoka" in page(client.get("/grupy/?stage=bogus"))  # an unknown filter is ignored


def test_the_page_reads_in_english(client, db, world) -> None:
    as_user(client, "m@example.org")
    client.post("/jezyk", data={"lang": "en"})
    shown = page(client.get(f"/grupy/{world['guarded'].id}"))
    assert "Founding requirements" in shown and "Social cooperative" in shown
