"""Forms of support (issue #14) in every output of the report: the page, the API, the CSV,
the XLSX, the PDF and the command line, on the small world of
`tests.integration.test_event_reports` (advice 2, training 3, information meetings 3 people
+ 35 head counts, 6 people in total)."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import login
from tests.factories import PASSWORD, create_manager
from tests.integration.test_event_reports import world  # noqa: F401 - the fixture

PERIOD = {"from": "2026-03-01", "to": "2026-04-30"}
BY_FORM = {"advice": 2, "training": 3, "information_meeting": 38}


def _manager(client):
    create_manager(email="m@example.org")
    login(client, "m@example.org", PASSWORD)
    return client


def test_the_api_gives_by_form_the_head_counts_apart_and_the_total(client, world) -> None:  # noqa: F811
    data = _manager(client).get("/api/v1/reports/summary", query_string=PERIOD).get_json()
    assert data["by_form"] == BY_FORM
    assert data["anonymous_attendees"] == 35
    assert data["people_served_total"] == 6
    assert data["people_served"] == 2  # advice, as before
    meeting = data["events"]["information_meeting"]
    assert (meeting["people"], meeting["anonymous_attendees"], meeting["attendees"]) == (3, 35, 38)
    assert (meeting["events_held"], meeting["sessions_held"]) == (2, 2)
    training = data["events"]["training"]
    assert training["people"] == 3 and training["sessions_held"] == 2
    gender = training["by_gender"]
    assert sum(line["count"] for line in gender["lines"]) + gender["unknown"] == 3
    office = client.get(
        "/api/v1/reports/summary", query_string={**PERIOD, "branch": world["k"].id}
    ).get_json()
    assert office["by_form"]["information_meeting"] == 22 and office["people_served_total"] == 5


def test_the_page_shows_the_forms(client, world) -> None:  # noqa: F811
    html = _manager(client).get("/raporty/", query_string=PERIOD).get_data(as_text=True)
    assert '<strong id="people-served-total">6</strong>' in html
    assert '<strong id="form-advice">2</strong>' in html
    assert '<strong id="form-training">3</strong>' in html
    assert '<strong id="form-information-meeting">38</strong>' in html
    assert '<strong id="anonymous-attendees">35</strong>' in html


def _by_form_rows(rows: list[list]) -> list[list]:
    """The by-form table's four rows (advice, training, meetings, total) after its header."""
    return rows[1:5]


def test_csv_and_xlsx_carry_the_forms_table(client, world) -> None:  # noqa: F811
    _manager(client)
    body = client.get("/raporty/raport.csv", query_string=PERIOD).data.decode("utf-8-sig")
    blocks = [b for b in body.split("\r\n\r\n") if b.strip()]
    forms = list(csv.reader(io.StringIO(blocks[1]), delimiter=";"))
    # title, header, advice, training, meetings, total
    figures = [row[1:4] for row in forms[2:6]]
    assert figures == [["2", "0", "2"], ["3", "0", "3"], ["3", "35", "38"], ["6", "35", "—"]]
    gender = next(b for b in blocks if b.splitlines()[0].startswith(("Płeć", "Gender")))
    header = next(csv.reader(io.StringIO(gender.splitlines()[1]), delimiter=";"))
    assert len(header) == 4  # advice, training, information meetings
    book = load_workbook(io.BytesIO(client.get("/raporty/raport.xlsx", query_string=PERIOD).data))
    sheet = book.worksheets[1]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [r[1:4] for r in _by_form_rows(rows)] == [
        [2, 0, 2], [3, 0, 3], [3, 35, 38], [6, 35, "—"],
    ]  # fmt: skip


def test_the_pdf_prints_the_forms_table(client, world) -> None:  # noqa: F811
    _manager(client)
    pdf = client.get("/raporty/raport.pdf", query_string={**PERIOD, "lang": "en"})
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    words = text.split()  # the cells one after another, whatever the line breaks
    total = text[text.index("All forms") :].split()
    assert total[:8] == ["All", "forms", "(each", "person", "once)", "6", "35", "—"], total
    row = ["Information", "meetings", "3", "35", "38", "2", "2"]
    assert any(words[i : i + len(row)] == row for i in range(len(words))), words[:80]


def test_the_cli_gives_the_same(runner, world) -> None:  # noqa: F811
    args = ["report", "--from", PERIOD["from"], "--to", PERIOD["to"]]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_form"] == BY_FORM and data["people_served_total"] == 6
    assert data["anonymous_attendees"] == 35
    result = runner.invoke(args=[*args, "--format", "csv", "--lang", "en"])
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    total = next(r for r in rows if r and r[0] == "All forms (each person once)")
    assert total[1:3] == ["6", "35"]
