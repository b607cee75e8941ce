"""Erasure keeps the funder's totals: on the demo data set, whole reports (every figure and
breakdown of the JSON report, for the project, each year, each month of 2009, each office and
area, and the recent months) are compared before and after anonymising a spread of people
served by advice, trainings, information meetings and founding groups."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from incubator.demo import DEFAULT_SEED_DIR, load_demo_data
from incubator.models import (
    Area,
    Branch,
    ConsultationAttendee,
    FoundingGroupMember,
    Role,
    SessionAttendance,
    User,
)
from incubator.services import erasure
from tests.conftest import login
from tests.helpers import NOW

MANAGER = ("kierownik@example.org", "inkubator-demo")
WHOLE = {"from": "2008-05-01", "to": "2011-06-30"}


def _scopes(session) -> list[dict[str, str]]:
    scopes = [WHOLE, {"project": "ies-malopolska"}, {"from": "2026-01-01", "to": "2026-11-22"}]
    scopes += [{"from": f"{y}-01-01", "to": f"{y}-12-31"} for y in (2008, 2009, 2010, 2011)]
    scopes += [{"from": f"2009-{m:02}-01", "to": f"2009-{m:02}-28"} for m in range(1, 13)]
    for branch_id in session.scalars(select(Branch.id).order_by(Branch.id)):
        scopes.append({**WHOLE, "branch": str(branch_id)})
        scopes.append({**WHOLE, "branch": str(branch_id), "include_filia": "0"})
    for code in session.scalars(select(Area.code).order_by(Area.code)):
        scopes.append({**WHOLE, "area": code})
    return scopes


def _reports(client, scopes) -> list[dict]:
    out = []
    for scope in scopes:
        response = client.get("/api/v1/reports/summary", query_string=scope)
        assert response.status_code == 200, (scope, response.get_json())
        out.append(response.get_json())
    return out


def _participants(client) -> list[list[str]]:
    """The participants list without its name and contact columns (those go, by design)."""
    response = client.get("/raporty/uczestnicy.csv", query_string=WHOLE)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    table = [row for row in rows if len(row) == 8]  # name, id, first support, answers...
    assert len(table) > 200, rows[:3]
    return sorted(row[1:] for row in table)  # the name (column 1) is what goes


def _chosen(session) -> list[int]:
    """Every 7th person served by each form of support, and every 3rd group member."""
    advised = session.scalars(
        select(ConsultationAttendee.user_id)
        .where(ConsultationAttendee.attended.is_(True))
        .distinct()
        .order_by(ConsultationAttendee.user_id)
    ).all()
    trained = session.scalars(
        select(SessionAttendance.user_id)
        .where(SessionAttendance.attended.is_(True))
        .distinct()
        .order_by(SessionAttendance.user_id)
    ).all()
    members = session.scalars(
        select(FoundingGroupMember.user_id)
        .where(FoundingGroupMember.user_id.is_not(None))
        .distinct()
        .order_by(FoundingGroupMember.user_id)
    ).all()
    return sorted({*advised[::7], *trained[::7], *members[::3]})


@pytest.fixture()
def demo(app, db):
    load_demo_data(
        db.session,
        DEFAULT_SEED_DIR,
        now=NOW,
        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
    )


def test_every_report_is_the_same_after_erasure(client, db, demo) -> None:
    login(client, *MANAGER)
    scopes = _scopes(db.session)
    before, people_before = _reports(client, scopes), _participants(client)
    assert before[0]["people_served"] == 207 and before[0]["people_served_total"] == 588

    manager = db.session.scalar(select(User).where(User.email == MANAGER[0]))
    erased = 0
    for person_id in _chosen(db.session):
        found = erasure.preview(db.session, actor=manager, person_id=person_id, now=NOW)
        if found.refusal is not None and not found.overridable:
            continue  # something ahead: refused, and tested elsewhere
        erasure.erase(
            db.session, actor=manager, person_id=person_id, reason="Wniosek (test raportów)",
            ground="funder_consent", now=NOW,
        )  # fmt: skip
        erased += 1
    assert erased >= 60, erased
    gone = db.session.scalars(select(User).where(User.erased_at_dt.is_not(None))).all()
    assert len(gone) == erased and all(p.role == Role.CLIENT for p in gone)
    assert all(p.full_name == f"#{p.id}" and p.email is None for p in gone)

    after = _reports(client, scopes)
    for scope, old, new in zip(scopes, before, after, strict=True):
        assert new == old, scope
    assert _participants(client) == people_before


def test_the_demo_retention_dry_run_lists_the_old_project_and_changes_nothing(
    runner, db, demo
) -> None:
    """The 2008-2011 project's documentation was kept until 2020: its people would go, except
    those the incubator served since (the current project keeps them until years ahead)."""
    result = runner.invoke(args=["retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    go = [line for line in lines if line[0] == "anonymise"]
    kept = [line for line in lines if line[0] == "keep"]
    assert len(go) > 100 and all(line[3] == "retention_ended" for line in go)
    assert all("ies-malopolska (until 2020-12-31)" == line[4] for line in go)
    assert kept and all(line[3] != "retention_ended" for line in kept)
    assert f"Would anonymise {len(go)}, keep {len(kept)}" in result.stderr
    assert db.session.scalar(select(User).where(User.erased_at_dt.is_not(None))) is None
