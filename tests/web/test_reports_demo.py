"""The demo's 207 people served (2008-05-01..2011-06-30) through every way out of the report:
the page, the API, the command line (JSON) and the PDF's text."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from incubator.demo import DEFAULT_SEED_DIR, load_demo_data
from incubator.models import AuditEvent, Project
from tests.conftest import login
from tests.helpers import NOW

PERIOD = {"from": "2008-05-01", "to": "2011-06-30"}
MANAGER = ("kierownik@example.org", "inkubator-demo")


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
    assert "<svg" in html and "Nowy Sącz" in html

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

    result = runner.invoke(args=["report", "--from", PERIOD["from"], "--to", PERIOD["to"]])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["people_served"] == 207
    result = runner.invoke(args=["report", "--project", "ies-malopolska"])
    assert json.loads(result.stdout)["people_served"] == 207

    pdf = client.get("/raporty/raport.pdf", query_string={"project": str(demo.id)})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Nowy Sącz" in text and "207" in text
    assert f"Strona 1 z {len(reader.pages)}" in text
    assert "Inkubator Ekonomii Społecznej" in text and "POKL.07.02.02" in text

    actions = db_actions(app)
    assert actions.count("report.exported") >= 4


def db_actions(app) -> list[str]:
    from incubator.extensions import db

    return list(db.session.scalars(select(AuditEvent.action)))
