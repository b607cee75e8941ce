"""Managers' funded projects: list, create, change; refusals on the form; the audit entry."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from incubator.models import AuditEvent, Project
from tests.conftest import login
from tests.factories import PASSWORD, create_branch, create_manager, create_project


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture()
def offices(db):
    parent = create_branch(code="nowy-sacz", name="Nowy Sącz")
    filia = create_branch(code="piwniczna", name="Piwniczna-Zdrój", parent_id=parent.id)
    return parent, filia


@pytest.fixture()
def manager(client, offices):
    user = create_manager(email="kierownik@example.org", full_name="Kinga Kierownik")
    login(client, "kierownik@example.org", PASSWORD)
    return user


def form(offices, **overrides) -> dict:
    data = {
        "name": "Inkubator Ekonomii Społecznej 2026",
        "code": "ies-2026",
        "programme": "efs_2021_2027",
        "contract_number": "FEMP.06.17-IP.01-0001/26",
        "start_date": "2026-01-01",
        "end_date": "2027-06-30",
        "branches": [str(o.id) for o in offices],
    }
    data.update(overrides)
    return data


def test_a_manager_creates_a_project_over_an_office_and_its_filia(client, db, manager, offices):
    response = client.post("/admin/projekty/nowy", data=form(offices))
    assert response.status_code == 302
    project = db.session.scalar(select(Project))
    assert (project.code, project.programme) == ("ies-2026", "efs_2021_2027")
    assert (project.start_date, project.end_date) == (date(2026, 1, 1), date(2027, 6, 30))
    assert {b.name for b in project.branches} == {"Nowy Sącz", "Piwniczna-Zdrój"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project.created"))
    assert event.actor_id == manager.id and event.target_id == project.id
    listing = page(client.get("/admin/projekty/"))
    assert "Inkubator Ekonomii Społecznej 2026" in listing
    assert "Nowy Sącz, Piwniczna-Zdrój" in listing


def test_the_form_offers_the_programme_periods_in_polish(client, manager):
    text = page(client.get("/admin/projekty/nowy"))
    for name in ("PO KL 2007–2013 (PEFS)", "EFS 2014–2020", "EFS+ 2021–2027"):
        assert name in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "Ies 2026!"}, "Użyj tylko małych liter, cyfr i łączników"),
        ({"programme": "efs_1990"}, "Nieprawidłowy wybór"),
        ({"end_date": "2025-12-31"}, "Ostatni dzień projektu nie może być wcześniejszy"),
        ({"branches": []}, "Wybierz co najmniej jedną"),
        ({"start_date": "1.1.2026"}, "Wpisz datę"),
    ],
)
def test_bad_input_is_refused_in_polish_and_nothing_is_saved(
    client, db, manager, offices, overrides, message
):
    response = client.post("/admin/projekty/nowy", data=form(offices, **overrides))
    assert response.status_code == 422
    assert message in page(response)
    assert db.session.scalar(select(Project)) is None


def test_a_code_is_unique(client, db, manager, offices):
    create_project(code="ies-2026", branches=[offices[0]])
    response = client.post("/admin/projekty/nowy", data=form(offices))
    assert response.status_code == 422
    assert "Inny projekt ma już ten kod" in page(response)
    assert len(db.session.scalars(select(Project)).all()) == 1


def test_a_manager_changes_a_project_and_the_audit_names_what_changed(client, db, manager, offices):
    project = create_project(code="ies-2026", branches=[offices[0]])
    page_text = page(client.get(f"/admin/projekty/{project.id}"))
    assert 'value="ies-2026"' in page_text
    response = client.post(
        f"/admin/projekty/{project.id}", data=form(offices, name="Nowa nazwa", code="ies-2026")
    )
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.name == "Nowa nazwa"
    assert len(project.branches) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "project.updated"))
    assert "name" in event.details["changed"] and "branches" in event.details["changed"]


def test_an_unknown_project_is_404(client, manager):
    assert client.get("/admin/projekty/999").status_code == 404
