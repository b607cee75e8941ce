"""Erasure through the page and the API, the project's retention date, and `incubator
retention` on the command line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from incubator.clock import utcnow
from incubator.extensions import db as _db
from incubator.models import AuditEvent, Project, ProjectParticipant, User
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
    create_project,
)
from tests.helpers import local

PAST = date(2026, 3, 10)


@pytest.fixture()
def people(db):
    branch, area = create_branch(), create_domain()
    expert = create_expert(domains=[area], branches=[branch])
    manager = create_manager(email="kierownik@example.org")
    person = create_client(email="ola@example.org", full_name="Ola Żądło")
    create_consultation(
        expert=expert, client=person, branch=branch, area=area, start_dt=local(PAST, 10),
        status="attended", notes="Prywatna notatka",
    )  # fmt: skip
    project = create_project(code="ies-2026", branches=[branch], retention_until=date(2031, 12, 31))
    _db.session.add(ProjectParticipant(project_id=project.id, user_id=person.id, entry_date=PAST))
    _db.session.commit()
    return {"manager": manager, "person": person, "expert": expert, "project": project,
            "branch": branch, "area": area}  # fmt: skip


def test_the_page_explains_the_retention_and_a_ground_lets_it_through(client, people) -> None:
    pid = people["person"].id
    login(client, "kierownik@example.org", PASSWORD)
    page = client.get(f"/osoby/{pid}/anonimizacja")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Ola Żądło" in html
    assert "ies-2026" in html and "31 grudnia 2031" in html
    assert 'name="ground"' in html and 'name="reason"' in html

    refused = client.post(
        f"/osoby/{pid}/anonimizacja", data={"reason": "Wniosek z 20.11.", "confirm": "y"}
    )
    assert refused.status_code == 409
    assert "podstawie prawnej" in refused.get_data(as_text=True)
    assert _db.session.get(User, pid).full_name == "Ola Żądło"

    done = client.post(
        f"/osoby/{pid}/anonimizacja",
        data={"reason": "Wniosek z 20.11.", "ground": "funder_consent", "confirm": "y"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and "zanonimizowana" in text
    assert "Ola Żądło" not in text and f"#{pid}" in text and f"(#{pid})" not in text
    assert 'name="reason"' not in text  # nothing more to do


def test_a_passed_retention_date_reads_as_ended(client, people) -> None:
    people["project"].retention_until = date(2026, 11, 1)
    _db.session.commit()
    login(client, "kierownik@example.org", PASSWORD)
    html = client.get(f"/osoby/{people['person'].id}/anonimizacja").get_data(as_text=True)
    assert "okres przechowywania minął 1 listopada 2026" in html
    assert 'name="ground"' not in html and 'name="reason"' in html  # no ground needed


def test_the_confirmation_box_and_the_reason_are_required(client, people) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    pid = people["person"].id
    response = client.post(f"/osoby/{pid}/anonimizacja", data={"ground": "funder_consent"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Podaj powód" in html and "Zaznacz pole" in html
    assert _db.session.get(User, pid).erased_at_dt is None


def test_things_ahead_hide_the_form_and_say_why(client, people) -> None:
    create_consultation(
        expert=people["expert"], client=people["person"], branch=people["branch"],
        area=people["area"], start_dt=utcnow() + timedelta(days=4),
    )  # fmt: skip
    login(client, "kierownik@example.org", PASSWORD)
    html = client.get(f"/osoby/{people['person'].id}/anonimizacja").get_data(as_text=True)
    assert 'name="reason"' not in html
    assert "Najpierw je odwołaj" in html


def test_an_erased_person_is_logged_out_and_cannot_log_in(app, client, people) -> None:
    person_client = app.test_client()
    login(person_client, "ola@example.org", PASSWORD)
    assert person_client.get("/konto/").status_code == 200
    login(client, "kierownik@example.org", PASSWORD)
    response = client.post(
        f"/api/v1/people/{people['person'].id}/erase",
        json={"reason": "Wniosek", "ground": "authority_order"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["erased"] is True
    assert person_client.get("/konto/").status_code == 302  # the session is over
    trail = client.get(f"/audyt/?person_id={people['person'].id}").get_data(as_text=True)
    assert "Osoba zanonimizowana" in trail and "consultation_texts 1" in trail
    assert "messages 0" not in trail  # nothing removed of that kind: not listed
    again = login(app.test_client(), "ola@example.org", PASSWORD)
    assert "Nieprawidłowy" in again.get_data(as_text=True) or again.status_code != 302


def test_the_api_refusals(client, people) -> None:
    pid = people["person"].id
    login(client, "kierownik@example.org", PASSWORD)
    held = client.post(f"/api/v1/people/{pid}/erase", json={"reason": "Wniosek"})
    assert held.status_code == 409
    error = held.get_json()["error"]
    assert error["code"] == "erasure_retention" and "2031" in error["message"]

    for body, field_code in (
        ({}, "erasure_reason"),
        ({"reason": "x", "ground": "because"}, "erasure_ground"),
        ({"reason": 5}, "invalid_input"),
    ):
        response = client.post(f"/api/v1/people/{pid}/erase", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["code"] == field_code
    assert client.post(f"/api/v1/people/{pid}/erase", data="nie json").status_code == 422
    missing = client.post("/api/v1/people/999999/erase", json={"reason": "x"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "unknown_person"
    staff = client.post(f"/api/v1/people/{people['expert'].id}/erase", json={"reason": "x"})
    assert staff.status_code == 409
    assert staff.get_json()["error"]["code"] == "erasure_staff_has_work"

    ok = client.post(
        f"/api/v1/people/{pid}/erase", json={"reason": "x", "ground": "funder_consent"}
    )
    assert ok.status_code == 200 and ok.get_json()["removed"]["consultation_texts"] == 1
    twice = client.post(
        f"/api/v1/people/{pid}/erase", json={"reason": "x", "ground": "funder_consent"}
    )
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_erased"
    erased = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert len(erased.all()) == 1


def test_the_project_form_keeps_a_retention_date_after_the_end(client, people) -> None:
    login(client, "kierownik@example.org", PASSWORD)
    project = people["project"]
    form = {
        "code": project.code, "name": project.name, "programme": project.programme,
        "contract_number": "", "start_date": "2026-01-01", "end_date": "2026-12-31",
        "branches": [str(people["branch"].id)],
    }  # fmt: skip
    early = client.post(
        f"/admin/projekty/{project.id}", data={**form, "retention_until": "2026-06-30"}
    )
    assert early.status_code == 422
    assert "co najmniej do ostatniego dnia projektu" in early.get_data(as_text=True)
    saved = client.post(
        f"/admin/projekty/{project.id}", data={**form, "retention_until": "2036-12-31"}
    )
    assert saved.status_code == 302
    assert _db.session.get(Project, project.id).retention_until == date(2036, 12, 31)
    listed = client.get("/api/v1/projects").get_json()
    assert listed[0]["retention_until"] == "2036-12-31"


def test_retention_without_any_project_date_says_so(runner, people) -> None:
    people["project"].retention_until = None
    _db.session.commit()
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 1
    assert "no project has a retention date" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_retention_dry_run_then_apply(runner, people) -> None:
    keeper = create_client(full_name="Stały Klient")
    other = create_project(code="ies-2030", retention_until=date(2040, 1, 1))
    _db.session.add(ProjectParticipant(project_id=other.id, user_id=keeper.id, entry_date=PAST))
    people["project"].retention_until = date(2026, 11, 1)
    _db.session.commit()
    pid = people["person"].id

    dry = runner.invoke(args=["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    lines = dry.stdout.splitlines()
    assert f"anonymise\t#{pid}\tOla Żądło\tretention_ended\ties-2026 (until 2026-11-01)" in lines
    assert any(line.startswith(f"keep\t#{keeper.id}\t") and "2040-01-01" in line for line in lines)
    assert _db.session.get(User, pid).erased_at_dt is None

    earlier = runner.invoke(args=["retention", "--dry-run", "--date", "2026-10-01"])
    assert f"keep\t#{pid}\tOla Żądło\terasure_retention" in earlier.stdout

    applied = runner.invoke(args=["retention", "--apply"])
    assert applied.exit_code == 0, applied.output
    _db.session.expire_all()
    assert _db.session.get(User, pid).full_name == f"#{pid}"
    assert _db.session.get(User, keeper.id).full_name == "Stały Klient"
    entry = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert entry.actor_id is None and entry.details["ground"] == "retention_ended"
    assert runner.invoke(args=["retention", "--apply"]).stdout == ""  # nothing left to do


@pytest.mark.parametrize("args", [["retention"], ["retention", "--apply", "--date", "2026-01-01"]])
def test_retention_usage_errors(runner, people, args) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "Error" in result.output
