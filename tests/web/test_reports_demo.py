"""The demo's 207 people served by advice, 242 trained and 492 at information meetings
(2008-05-01..2011-06-30), 588 people in total, through every way out of the report: the page,
the API, the command line (JSON, CSV), the XLSX and the PDF's text."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from incubator.demo import DEFAULT_SEED_DIR, load_demo_data
from incubator.models import AuditEvent, Project
from tests.conftest import login
from tests.helpers import NOW

PERIOD = {"from": "2008-05-01", "to": "2011-06-30"}
MANAGER = ("kierownik@example.org", "inkubator-demo")
BY_FORM = {"advice": 207, "training": 242, "information_meeting": 492}
TOTAL, ANONYMOUS = 588, 238


@pytest.fixture()
def demo(app, db):
    load_demo_data(
        db.session,
        DEFAULT_SEED_DIR,
        now=NOW,
        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
    )
    return db.session.scalar(select(Project).where(Project.code == "ies-malopolska"))


def test_the_demo_gives_207_everywhere(app, client, runner, demo) -> None:
    login(client, *MANAGER)
    page = client.get("/raporty/", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<strong id="people-served">207</strong>' in html
    assert f'<strong id="people-served-total">{TOTAL}</strong>' in html
    assert '<strong id="form-training">242</strong>' in html
    assert '<strong id="form-information-meeting">492</strong>' in html
    assert "<svg" in html and "Nowy Sącz" in html
    hours = re.search(r"Godziny doradztwa <strong>([^<]+)</strong>", html)
    assert hours and re.fullmatch(r"\d+,\d", hours.group(1)), "Polish decimal comma"

    by_project = client.get("/raporty/", query_string={"project": "ies-malopolska"})
    assert '<strong id="people-served">207</strong>' in by_project.get_data(as_text=True)

    api = client.get("/api/v1/reports/summary", query_string=PERIOD)
    assert api.status_code == 200
    data = api.get_json()
    assert data["people_served"] == 207
    assert data["new_people"] + data["returning_people"] == 207
    assert sum(m["people_first_served"] for m in data["by_month"]) == 207
    gender = data["by_gender"]
    assert sum(line["count"] for line in gender["lines"]) + gender["unknown"] == 207
    assert data["period"] == {"from": "2008-05-01", "to": "2011-06-30"}
    assert data["scheme"]["code"] == "efs_2007_2013"
    assert data["by_form"] == BY_FORM
    assert (data["people_served_total"], data["anonymous_attendees"]) == (TOTAL, ANONYMOUS)

    result = runner.invoke(args=["report", "--from", PERIOD["from"], "--to", PERIOD["to"]])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["people_served"] == 207
    assert json.loads(result.stdout)["by_form"] == BY_FORM
    result = runner.invoke(args=["report", "--project", "ies-malopolska"])
    cli = json.loads(result.stdout)
    assert cli["people_served"] == 207 and cli["by_form"] == BY_FORM
    assert cli["people_served_total"] == TOTAL
    result = runner.invoke(args=["report", "--project", "ies-malopolska", "--format", "csv"])
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    forms = rows[rows.index([]) + 3 : rows.index([]) + 7]  # after the totals: title, header
    assert [r[3] for r in forms[:3]] == ["207", "242", "492"]
    assert forms[3][1:3] == [str(TOTAL), str(ANONYMOUS)]
    book = load_workbook(io.BytesIO(client.get("/raporty/raport.xlsx", query_string=PERIOD).data))
    sheet = list(book.worksheets[1].iter_rows(values_only=True))
    assert [r[3] for r in sheet[1:4]] == [207, 242, 492] and sheet[4][1:3] == (TOTAL, ANONYMOUS)

    pdf = client.get("/raporty/raport.pdf", query_string={"project": str(demo.id)})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Nowy Sącz" in text and "207" in text
    words = text.split()
    for row in (["242", "0", "242", "14"], [str(TOTAL), str(ANONYMOUS)]):
        assert any(words[i : i + len(row)] == row for i in range(len(words))), row
    assert f"{data['advisory_hours']:.1f}".replace(".", ",") in text
    assert f"Strona 1 z {len(reader.pages)}" in text
    assert "Inkubator Ekonomii Społecznej" in text and "POKL.07.02.02" in text

    actions = db_actions(app)
    assert actions.count("report.exported") >= 4


def db_actions(app) -> list[str]:
    from incubator.extensions import db

    return list(db.session.scalars(select(AuditEvent.action)))


def _people_served(client) -> int:
    html = client.get("/raporty/").get_data(as_text=True)
    found = re.search(r'<strong id="people-served">(\d+)</strong>', html)
    assert found, "the start page shows people served"
    assert "Inkubator Ekonomii Społecznej — kontynuacja" in html  # the current project
    return int(found.group(1))


def test_the_start_page_is_the_current_project_and_moves_with_a_recorded_outcome(
    client, db, demo
) -> None:
    """The demo's consultations of the last 14 days wait for an outcome in the current
    project: recording one moves the manager's start page by the people who came."""
    from incubator.models import User
    from incubator.services.outcomes import awaiting_outcome, record_outcome

    response = login(client, *MANAGER, follow=False)
    assert response.headers["Location"].endswith("/raporty/")
    assert _people_served(client) == 0
    manager = db.session.scalar(select(User).where(User.email == MANAGER[0]))
    waiting = [c for c in awaiting_outcome(db.session, manager, NOW) if len(c.attendees) == 2]
    assert waiting, "the demo has a group consultation waiting for its outcome"
    consultation = waiting[0]
    expert = db.session.get(User, consultation.expert_id)
    first, second = (a.user_id for a in consultation.attendees)
    record_outcome(
        db.session, expert, consultation.id, [(first, True), (second, False)], 60, "statute", "",
        NOW,
    )  # fmt: skip
    assert _people_served(client) == 1
