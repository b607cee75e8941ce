"""`/api/v1/groups` through the test client (SQLite and PostgreSQL), issue #12: creating a
group, members, the founding requirements, moving and registering; every bad input of the issue
refused with its own code and nothing written; who may read and write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from incubator.models import AuditEvent, FoundingGroup, FoundingGroupMember, FoundingGroupStage
from tests.factories import (
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.web import test_api
from tests.web.test_api import API, as_user, today

# Each request its own `g` (and so its own locale), as in production.
fresh_request_globals = test_api.fresh_request_globals

JUSTIFICATION = "Trzecia osoba dołączy przed zebraniem; uzgodnione z zarządem."


@pytest.fixture()
def world(db) -> dict[str, Any]:
    return {
        "klucze": create_branch(code="klucze", name="Klucze"),
        "sacz": create_branch(code="nowy-sacz", name="Nowy Sącz"),
        "manager": create_manager(full_name="Ewa Kierownik", email="ewa@example.org"),
        "guardian": create_expert(full_name="Anna Opiekun", email="opiekun@example.org"),
        "other_expert": create_expert(full_name="Jan Inny", email="inny@example.org"),
        "client": create_client(full_name="Maria Wiśniewska", email="maria@example.org"),
        "stranger": create_client(full_name="Piotr Zając", email="piotr@example.org"),
    }


def written(db) -> tuple[int, int, int, int]:
    """Rows a refused request must not add (groups, members, history, audit)."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (FoundingGroup, FoundingGroupMember, FoundingGroupStage, AuditEvent)
    )  # type: ignore[return-value]


def make_group(app, world, form="social_cooperative", days_ago=400, **extra) -> dict:
    manager = as_user(app, world["manager"])
    body = {
        "name": extra.pop("name", "Spółdzielnia Socjalna „Razem”"),
        "legal_form": form,
        "branch_id": world["klucze"].id,
        "guardian_id": world["guardian"].id,
        "formed_on": (today() - timedelta(days_ago)).isoformat(),
        **extra,
    }
    response = manager.post(f"{API}/groups", json=body)
    assert response.status_code == 201, response.json
    return response.json


def add(client, group_id: int, **body):
    body.setdefault("kind", "natural")
    return client.post(f"{API}/groups/{group_id}/members", json=body)


def move(client, group_id: int, **body):
    return client.post(f"{API}/groups/{group_id}/stage", json=body)


def founded(app, world, days_ago=400) -> tuple[Any, dict]:
    """A co-operative with three natural founders at risk, after its founding meeting."""
    group = make_group(app, world, days_ago=days_ago)
    guardian = as_user(app, world["guardian"])
    assert (
        add(guardian, group["id"], user_id=world["client"].id, at_risk="unemployed").status_code
        == 201
    )
    for name in ("Jan Nowak", "Ola Kot"):
        assert add(guardian, group["id"], full_name=name, at_risk="disabled").status_code == 201
    on = (today() - timedelta(days_ago - 30)).isoformat()
    response = move(guardian, group["id"], stage="founding_meeting_held", on=on)
    assert response.status_code == 200, response.json
    return guardian, response.json


def error(response) -> tuple[int, str, str | None]:
    body = response.get_json()
    return response.status_code, body["error"]["code"], body["error"].get("field")


# --- happy paths ----------------------------------------------------------------------------


def test_a_manager_creates_a_group_that_starts_formed(app, db, world) -> None:
    group = make_group(app, world)
    assert (group["stage"], group["legal_form"]) == ("formed", "social_cooperative")
    assert group["guardian_id"] == world["guardian"].id
    assert group["formed_on"] == (today() - timedelta(400)).isoformat()
    assert [h["to"] for h in group["history"]] == ["formed"]
    assert group["history"][0]["by"] == "Ewa Kierownik"
    assert [r["code"] for r in group["requirements"]] and all(
        r["met"] is False for r in group["requirements"]
    )


def test_requirements_empty_once_met_and_translated_while_not(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    response = add(guardian, group["id"], full_name="Jan Nowak", at_risk="unemployed")
    assert response.status_code == 201
    assert response.json["members"][0]["name"] == "Jan Nowak"
    polish = guardian.get(f"{API}/groups/{group['id']}?lang=pl").json["requirements"]
    english = guardian.get(f"{API}/groups/{group['id']}?lang=en").json["requirements"]
    assert [r["code"] for r in polish] == [r["code"] for r in english]
    assert "brakuje" in polish[0]["message"] and "brakuje" not in english[0]["message"]
    for name in ("Ola Kot", "Ewa Lis"):
        add(guardian, group["id"], full_name=name, at_risk="disabled")
    assert guardian.get(f"{API}/groups/{group['id']}").json["requirements"] == []


def test_the_founding_meeting_waits_for_the_founders(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    for name in ("Jan Nowak", "Ola Kot"):
        add(guardian, group["id"], full_name=name, at_risk="unemployed")
    before = written(db)
    response = move(guardian, group["id"], stage="founding_meeting_held")
    assert error(response)[:2] == (422, "requirements_unmet")
    assert response.json["requirements"] and all(
        r["met"] is False and r["message"] for r in response.json["requirements"]
    )
    assert written(db) == before
    manager = as_user(app, world["manager"])
    response = move(manager, group["id"], stage="founding_meeting_held",
                    override_reason=JUSTIFICATION)  # fmt: skip
    assert response.status_code == 200, response.json
    assert response.json["history"][-1]["override_reason"] == JUSTIFICATION
    assert response.json["stage"] == "founding_meeting_held"


def test_register_a_cooperative_in_krs(app, db, world) -> None:
    guardian, group = founded(app, world)
    on = (today() - timedelta(100)).isoformat()
    response = move(guardian, group["id"], stage="registered", on=on, register="krs",
                    number="0000123456", nip="5260250274", regon="123456785",
                    note="Wpis")  # fmt: skip
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["stage"], body["krs"], body["nip"], body["regon"]) == (
        "registered", "0000123456", "5260250274", "123456785",
    )  # fmt: skip
    assert body["registered_on"] == on
    assert [(h["from"], h["to"]) for h in body["history"]][-1] == (
        "founding_meeting_held", "registered",
    )  # fmt: skip


def test_an_ordinary_association_gets_its_ewidencja_number(app, db, world) -> None:
    group = make_group(app, world, form="ordinary_association", name="Stowarzyszenie „Most”")
    guardian = as_user(app, world["guardian"])
    for name in ("Jan Nowak", "Ola Kot", "Ewa Lis"):
        add(guardian, group["id"], full_name=name)
    assert move(guardian, group["id"], stage="application_to_starosta").status_code == 200
    response = move(guardian, group["id"], stage="registered", number="12/2026")
    assert response.status_code == 200, response.json
    assert (response.json["register"], response.json["ewidencja_number"]) == (
        "ewidencja",
        "12/2026",
    )


def test_a_legal_person_joins_a_cooperative(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    response = add(guardian, group["id"], kind="legal", name="Gmina Klucze",
                   legal_type="local_government", nip="5260250274")  # fmt: skip
    assert response.status_code == 201, response.json
    member = response.json["members"][0]
    assert (member["kind"], member["name"], member["nip"]) == (
        "legal",
        "Gmina Klucze",
        "5260250274",
    )


def test_the_list_filters_and_shows_each_user_their_groups(app, db, world) -> None:
    coop = make_group(app, world)
    make_group(app, world, form="foundation", name="Fundacja „Las”", branch_id=world["sacz"].id)
    guardian = as_user(app, world["guardian"])
    add(guardian, coop["id"], user_id=world["client"].id, at_risk="unemployed")
    manager = as_user(app, world["manager"])
    assert len(manager.get(f"{API}/groups").json) == 2
    names = [g["name"] for g in manager.get(f"{API}/groups?legal_form=foundation").json]
    assert names == ["Fundacja „Las”"]
    assert [g["id"] for g in manager.get(f"{API}/groups?branch_id={world['klucze'].id}").json] == [
        coop["id"]
    ]
    assert manager.get(f"{API}/groups?stage=registered").json == []
    assert [g["id"] for g in as_user(app, world["client"]).get(f"{API}/groups").json] == [
        coop["id"]
    ]
    assert as_user(app, world["stranger"]).get(f"{API}/groups").json == []
    assert as_user(app, world["other_expert"]).get(f"{API}/groups").json == []
    assert len(guardian.get(f"{API}/groups").json) == 2


def test_a_group_one_may_not_see_is_not_found(app, db, world) -> None:
    group = make_group(app, world)
    response = as_user(app, world["stranger"]).get(f"{API}/groups/{group['id']}")
    assert error(response)[:2] == (404, "not_found")
    assert app.test_client().get(f"{API}/groups").status_code == 401


# --- who may write --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["client", "other_expert"])
def test_only_managers_and_the_guardian_write(app, db, world, who) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    add(guardian, group["id"], user_id=world["client"].id)  # the client sees the group
    if who == "other_expert":
        # An expert who advised the group sees it, but does not guard it.
        consultation = create_consultation(
            expert=world["other_expert"],
            client=world["client"],
            branch=world["klucze"],
            area=create_domain(code="law"),
        )
        consultation.founding_group_id = group["id"]
        db.session.commit()
    writer = as_user(app, world[who])
    assert writer.get(f"{API}/groups/{group['id']}").status_code == 200
    before = written(db)
    assert error(add(writer, group["id"], full_name="Jan Nowak"))[:2] == (403, "forbidden")
    assert error(move(writer, group["id"], stage="training"))[:2] == (403, "forbidden")
    assert written(db) == before


def test_a_client_cannot_create_a_group(app, db, world) -> None:
    client = as_user(app, world["client"])
    before = written(db)
    response = client.post(
        f"{API}/groups",
        json={"name": "X", "legal_form": "foundation", "branch_id": world["klucze"].id},
    )
    assert error(response)[:2] == (403, "forbidden")
    assert written(db) == before


# --- bad input: a specific code, nothing written --------------------------------------------

KRS_BAD = [
    ("000012345", "invalid_krs"),
    ("00001234567", "invalid_krs"),
    ("00001234AB", "invalid_krs"),
]


@pytest.mark.parametrize(("number", "code"), KRS_BAD)
def test_a_malformed_krs_is_refused(app, db, world, number, code) -> None:
    guardian, group = founded(app, world)
    before = written(db)
    response = move(guardian, group["id"], stage="registered", register="krs", number=number)
    assert error(response)[:2] == (422, code)
    assert written(db) == before
    assert guardian.get(f"{API}/groups/{group['id']}").json["stage"] == "founding_meeting_held"


def test_a_krs_another_group_has_is_refused(app, db, world) -> None:
    guardian, first = founded(app, world)
    assert move(guardian, first["id"], stage="registered", number="0000123456").status_code == 200
    _, second = founded(app, world)
    before = written(db)
    response = move(guardian, second["id"], stage="registered", number="0000123456")
    assert error(response)[:2] == (409, "krs_taken")
    assert written(db) == before


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("nip", "5260250275", "invalid_nip"), ("regon", "123456786", "invalid_regon")],
)
def test_a_wrong_check_digit_is_refused(app, db, world, field, value, code) -> None:
    guardian, group = founded(app, world)
    before = written(db)
    response = move(
        guardian, group["id"], stage="registered", number="0000123456", **{field: value}
    )
    assert error(response)[:2] == (422, code)
    assert written(db) == before


def test_a_legal_member_with_a_wrong_nip_or_krs_is_refused(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    before = written(db)
    for extra, code in (({"nip": "5260250275"}, "invalid_nip"), ({"krs": "12345"}, "invalid_krs")):
        response = add(
            guardian, group["id"], kind="legal", name="Fundacja X", legal_type="ngo", **extra
        )
        assert error(response)[:2] == (422, code)
    assert written(db) == before


def test_a_legal_person_cannot_join_a_registered_association(app, db, world) -> None:
    group = make_group(app, world, form="association", name="Stowarzyszenie „Razem”")
    guardian = as_user(app, world["guardian"])
    before = written(db)
    response = add(guardian, group["id"], kind="legal", name="Fundacja X", legal_type="ngo",
                   krs="0000012345")  # fmt: skip
    assert error(response) == (422, "invalid_input", "kind")
    assert (
        "legal person"
        in guardian.post(
            f"{API}/groups/{group['id']}/members?lang=en",
            json={"kind": "legal", "name": "Fundacja X", "legal_type": "ngo", "krs": "0000012345"},
        ).json["error"]["message"]
    )
    assert written(db) == before


def test_a_registration_date_before_formation_is_refused(app, db, world) -> None:
    guardian, group = founded(app, world)
    before = written(db)
    on = (today() - timedelta(500)).isoformat()
    response = move(guardian, group["id"], stage="registered", number="0000123456", on=on)
    assert error(response)[:2] == (422, "date_before_formed")
    assert written(db) == before


def test_registered_without_a_number_is_refused(app, db, world) -> None:
    guardian, group = founded(app, world)
    before = written(db)
    response = move(guardian, group["id"], stage="registered")
    assert error(response) == (422, "invalid_input", "number")
    assert written(db) == before


def test_a_stage_not_on_the_forms_path_is_refused(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    before = written(db)
    response = move(guardian, group["id"], stage="application_to_starosta")
    assert error(response)[:2] == (422, "stage_not_on_path")
    assert written(db) == before


def test_a_date_in_the_future_is_refused(app, db, world) -> None:
    group = make_group(app, world)
    guardian = as_user(app, world["guardian"])
    before = written(db)
    response = move(
        guardian, group["id"], stage="training", on=(today() + timedelta(1)).isoformat()
    )
    assert error(response)[:2] == (422, "invalid_input")
    assert written(db) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "groups",
            {"name": "X", "legal_form": "foundation", "branch_id": 1, "colour": 1},
            "colour",
        ),
        ("groups", {"name": "X", "legal_form": "foundation", "branch_id": "1"}, "branch_id"),
        ("groups", {"name": 5, "legal_form": "foundation", "branch_id": 1}, "name"),
        ("groups", {"name": "X", "legal_form": "spółka", "branch_id": 1}, "legal_form"),
        (
            "groups",
            {"name": "X", "legal_form": "foundation", "branch_id": 1, "formed_on": "1.1.2026"},
            "formed_on",
        ),
        ("members", {"kind": "natural", "full_name": "Jan", "wage": 3}, "wage"),
        ("members", {"kind": "robot", "full_name": "Jan"}, "kind"),
        ("members", {"kind": "natural", "full_name": "Jan", "at_risk": "bored"}, "at_risk"),
        ("members", {"kind": "natural", "full_name": "Jan", "founder": "yes"}, "founder"),
        ("members", {"kind": "natural", "user_id": True}, "user_id"),
        ("members", {"kind": "natural"}, "full_name"),
        ("stage", {"stage": "flying"}, "stage"),
        ("stage", {"stage": "training", "on": 20260101}, "on"),
        ("stage", {"stage": "training", "colour": "red"}, "colour"),
        ("stage", {}, "body"),
    ],
)
def test_malformed_bodies_name_the_field(app, db, world, path, body, field) -> None:
    group = make_group(app, world)
    manager = as_user(app, world["manager"])
    before = written(db)
    url = f"{API}/groups" if path == "groups" else f"{API}/groups/{group['id']}/{path}"
    response = manager.post(url, json=body) if body else manager.post(url)
    assert error(response) == (422, "invalid_input", field)
    assert written(db) == before


# --- the OpenAPI document tells the truth ---------------------------------------------------


def test_real_group_responses_match_the_document(app, db, world) -> None:
    from incubator.web.api.openapi import openapi_document
    from tests.web.test_openapi import check

    document = openapi_document(server_url=API)
    manager = as_user(app, world["manager"])
    guardian, group = founded(app, world)
    item, members, stage = (
        "/groups/{group_id}",
        "/groups/{group_id}/members",
        "/groups/{group_id}/stage",
    )
    url = f"{API}/groups/{group['id']}"
    check(document, "/groups", "get", manager.get(f"{API}/groups?stage=founding_meeting_held"))
    check(document, "/groups", "get", manager.get(f"{API}/groups?branch_id=x"))
    check(document, "/groups", "post", manager.post(f"{API}/groups", json={"name": "X"}))
    check(
        document,
        "/groups",
        "post",
        as_user(app, world["client"]).post(
            f"{API}/groups", json={"name": "X", "legal_form": "foundation", "branch_id": 1}
        ),
    )
    check(document, item, "get", guardian.get(url))
    check(document, item, "get", as_user(app, world["stranger"]).get(url))
    check(
        document, members, "post", add(guardian, group["id"], full_name="Ewa Lis", at_risk="none")
    )
    check(
        document,
        members,
        "post",
        add(
            guardian,
            group["id"],
            kind="legal",
            name="Gmina",
            legal_type="local_government",
            krs="0000000001",
        ),
    )
    check(
        document,
        members,
        "post",
        add(
            guardian,
            group["id"],
            kind="legal",
            name="Gmina",
            legal_type="local_government",
            krs="1",
        ),
    )
    check(document, stage, "post", move(guardian, group["id"], stage="flying"))
    check(
        document,
        stage,
        "post",
        move(guardian, group["id"], stage="registered", number="0000123456"),
    )
    _, other = founded(app, world)
    check(
        document,
        stage,
        "post",
        move(guardian, other["id"], stage="registered", number="0000123456"),
    )
    fresh = make_group(app, world, name="Spółdzielnia „Pusta”")
    refused = move(guardian, fresh["id"], stage="founding_meeting_held")
    assert refused.json["requirements"]
    check(document, stage, "post", refused)
    check(
        document, stage, "post", move(as_user(app, world["client"]), fresh["id"], stage="training")
    )
