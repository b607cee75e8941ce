"""Reports on a small hand-built world where every figure is known: the counting (through the
API), the page, the command line, the exports and every bad input.

The world, March 2026 (Warsaw), offices K with its filia F, and N:
- a group consultation at K (area a1): Anna and Bogdan came, Cezary did not → 2 served;
- Dorota came at F (area a2); Anna came again at N (counted once);
- Bogdan was also served in February (returning in March);
- a no-show at K (Cezary again); one cancellation in time, one late.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from incubator.domain.calendar import WARSAW
from incubator.extensions import db as _db
from incubator.models import AuditEvent, ClientProfile, ConsultationAttendee
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

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
INJECTION = '=HYPERLINK("http://evil.example","klik")'


def _at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=WARSAW).astimezone(UTC)


def _held(c, came: dict, minutes: int = 60) -> None:
    for attendee in c.attendees:
        attendee.attended = came.get(attendee.user_id, False)
    c.status = "attended" if any(came.values()) else "no_show"
    c.duration_min = minutes if any(came.values()) else None
    _db.session.commit()


@pytest.fixture()
def world(db):
    k = create_branch(name="Klucze")
    f = create_branch(name="Klucze — filia Bolesław", parent_id=k.id)
    n = create_branch(name="Nowy Sącz")
    a1, a2 = create_domain(code="a1"), create_domain(code="a2")
    x = create_expert(email="x@example.org", domains=[a1, a2], branches=[k, f, n])
    create_manager(email="m@example.org", full_name="Maria Kierownik")
    anna = create_client(full_name="Anna Nowak", email="anna@example.org")
    anna.client_profile.gender = "female"
    anna.client_profile.birth_year = 1990
    anna.client_profile.labour_status = "employed"
    anna.client_profile.education = "isced_5_8"
    bogdan = create_client(full_name="Bogdan Lis", email="bogdan@example.org")
    bogdan.client_profile.gender = "male"
    bogdan.client_profile.birth_year = 2000
    bogdan.client_profile.labour_status = "inactive"  # no education: incomplete
    cezary = create_client(full_name="Cezary Wójcik", email="cezary@example.org")
    dorota = create_client(full_name=INJECTION, email="dorota@example.org")
    _db.session.commit()
    base = {"expert": x, "area": a1, "branch": k}
    group = create_consultation(**base, client=anna, attendees=[bogdan, cezary], start_dt=_at(5))
    _held(group, {anna.id: True, bogdan.id: True, cezary.id: False})
    _held(
        create_consultation(**{**base, "branch": f, "area": a2}, client=dorota, start_dt=_at(10)),
        {dorota.id: True},
        minutes=90,
    )
    _held(
        create_consultation(**{**base, "branch": n}, client=anna, start_dt=_at(12)),
        {anna.id: True},
        minutes=30,
    )
    _held(create_consultation(**base, client=bogdan, start_dt=_at(20, month=2)), {bogdan.id: True})
    _held(create_consultation(**base, client=cezary, start_dt=_at(16)), {})
    for day, notice in ((19, timedelta(days=3)), (21, timedelta(hours=2))):
        c = create_consultation(**base, client=cezary, start_dt=_at(day))
        c.status, c.cancelled_at_dt = "cancelled", c.start_dt - notice
    _db.session.commit()
    return {"k": k, "f": f, "n": n, "x": x, "anna": anna, "dorota": dorota, "a2": a2}


def _manager(client):
    login(client, "m@example.org", PASSWORD)
    return client


def _api(client, **args):
    return client.get("/api/v1/reports/summary", query_string=args)


def test_the_small_world_counts_exactly(client, world) -> None:
    data = _api(_manager(client), **MARCH).get_json()
    assert data["people_served"] == 3  # Anna, Bogdan, Dorota; Cezary never came
    assert (data["new_people"], data["returning_people"]) == (2, 1)  # Bogdan in February
    assert data["incomplete_records"] == 2  # Bogdan (education), Dorota (everything)
    assert data["consultations_held"] == 3
    assert data["did_not_come"] == 1
    assert data["absences"] == 2  # Cezary, in the group and at the no-show
    assert data["cancellations"] == {"in_time": 1, "late": 1}
    assert data["advisory_hours"] == 3.0
    gender = {line["code"]: line["count"] for line in data["by_gender"]["lines"]}
    assert gender["female"] == 1 and gender["male"] == 1 and data["by_gender"]["unknown"] == 1
    areas = {a["code"]: (a["people"], a["consultations_held"]) for a in data["by_area"]}
    assert areas == {"a1": (2, 2), "a2": (1, 1)}
    march = [m for m in data["by_month"] if m["month"] == "2026-03"]
    assert march[0]["people_first_served"] == 3 and march[0]["consultations_held"] == 3
    assert data["by_disability"]["unknown"] == 3
    assert [line["name"] for line in data["by_disability"]["lines"]] == [
        "tak",
        "nie",
        "odmowa podania informacji",
    ]

    february = _api(client, **{"from": "2026-02-01", "to": "2026-02-28"}).get_json()
    assert (february["people_served"], february["new_people"]) == (1, 1)
    both = _api(client, **{"from": "2026-02-01", "to": "2026-03-31"}).get_json()
    assert both["people_served"] == 3  # Bogdan once across the two months


def test_an_office_with_and_without_its_filia(client, world) -> None:
    _manager(client)
    k = world["k"].id
    with_filia = _api(client, branch=k, **MARCH).get_json()
    assert (with_filia["people_served"], with_filia["consultations_held"]) == (3, 2)
    alone = _api(client, branch=k, include_filia="0", **MARCH).get_json()
    assert (alone["people_served"], alone["consultations_held"]) == (2, 1)
    expert = _api(client, expert=world["x"].id, area="a2", **MARCH).get_json()
    assert expert["people_served"] == 1


def test_an_empty_period_gives_zeros_not_an_error(client, runner, world) -> None:
    _manager(client)
    empty = {"from": "2025-01-01", "to": "2025-01-31"}
    data = _api(client, **empty).get_json()
    assert data["people_served"] == 0 and data["consultations_held"] == 0
    assert data["advisory_hours"] == 0
    assert client.get("/raporty/", query_string=empty).status_code == 200
    for fmt in ("pdf", "csv", "xlsx"):
        assert client.get(f"/raporty/raport.{fmt}", query_string=empty).status_code == 200
    result = runner.invoke(args=["report", "--from", "2025-01-01", "--to", "2025-01-31"])
    assert json.loads(result.stdout)["people_served"] == 0


def test_the_page_shows_the_figures_chart_and_links(client, world) -> None:
    html = _manager(client).get("/raporty/", query_string=MARCH).get_data(as_text=True)
    assert '<strong id="people-served">3</strong>' in html
    assert '<svg class="chart" role="img"' in html and "<title" in html
    assert 'class="stack"' in html and "nieznane / brak danych" in html
    assert "/raporty/raport.pdf?from=2026-03-01&amp;to=2026-03-31" in html
    assert "/raporty/uczestnicy?incomplete=1" in html
    listing = client.get("/raporty/uczestnicy", query_string={"incomplete": "1", **MARCH})
    text = listing.get_data(as_text=True)
    assert "Bogdan Lis" in text and "Anna Nowak" not in text
    assert f"/personel/klienci/{world['dorota'].id}/dane-uczestnika" in text


BAD = [
    ({"from": "2026-03-31", "to": "2026-03-01"}, "period_order", None),
    ({"from": "2026-02-30"}, "invalid_input", "from"),
    ({"from": "1.03.2026"}, "invalid_input", "from"),
    ({"to": "x"}, "invalid_input", "to"),
    ({"project": "no-such-project"}, "unknown_project", None),
    ({"branch": "99999"}, "unknown_branch", None),
    ({"branch": "abc"}, "invalid_input", "branch"),
    ({"area": "no-such-area"}, "unknown_domain", None),
    ({"expert": "99999"}, "unknown_expert", None),
    ({"include_filia": "maybe"}, "invalid_input", "include_filia"),
]


@pytest.mark.parametrize(("args", "code", "field"), BAD)
def test_bad_input_is_refused_everywhere(client, runner, world, args, code, field) -> None:
    _manager(client)
    before = _db.session.scalar(select(_db.func.count()).select_from(AuditEvent))
    response = _api(client, **args)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    if field:
        assert error["field"] == field
    page = client.get("/raporty/", query_string=args)
    assert page.status_code == 422
    assert 'class="flash flash-error" role="alert"' in page.get_data(as_text=True)
    assert client.get("/raporty/raport.pdf", query_string=args).status_code == 422
    options = []
    for name, value in args.items():
        if name == "include_filia":
            continue
        options += [f"--{name}", value]
    if options:
        result = runner.invoke(args=["report", *options])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert result.stdout == ""
    after = _db.session.scalar(select(_db.func.count()).select_from(AuditEvent))
    assert after == before  # nothing written


def test_outside_the_project(client, world) -> None:
    create_project(
        code="p1", start_date=date(2026, 3, 1), end_date=date(2026, 3, 31), branches=[world["n"]]
    )
    _manager(client)
    assert _api(client, project="p1").get_json()["people_served"] == 1  # Anna at N
    refused = _api(client, project="p1", **{"from": "2026-05-01", "to": "2026-05-31"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "outside_project"
    refused = _api(client, project="p1", branch=world["k"].id)
    assert refused.get_json()["error"]["code"] == "outside_project"


@pytest.mark.parametrize("who", ["anna@example.org", "x@example.org"])
def test_clients_and_experts_get_403(client, world, who) -> None:
    login(client, who, PASSWORD)
    assert _api(client, **MARCH).status_code == 403
    for path in (
        "/raporty/",
        "/raporty/raport.pdf",
        "/raporty/uczestnicy",
        "/raporty/uczestnicy.xlsx",
    ):
        assert client.get(path).status_code == 403


def test_anonymous_api_is_401(client, world) -> None:
    assert _api(client, **MARCH).status_code == 401


def test_exports_neutralise_formulas_and_are_audited(client, world) -> None:
    _manager(client)
    response = client.get("/raporty/uczestnicy.xlsx", query_string=MARCH)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + INJECTION in names
    cell = next(c for c in sheet["A"] if c.value == "'" + INJECTION)
    assert cell.data_type == "s"
    assert sheet["A1"].font.bold
    csv = client.get("/raporty/uczestnicy.csv", query_string=MARCH)
    text = csv.data.decode("utf-8")
    assert csv.data.startswith(b"\xef\xbb\xbf") and ";" in text.splitlines()[0]
    assert "'" + INJECTION.replace('"', '""') in text
    assert "niepełnosprawn" not in text.lower()  # no disability column
    report = client.get("/raporty/raport.xlsx", query_string=MARCH)
    book = load_workbook(io.BytesIO(report.data))
    assert "Podsumowanie" in book.sheetnames and len(book.sheetnames) >= 14
    actions = list(_db.session.scalars(select(AuditEvent.action)))
    assert actions.count("participants.exported") == 2 and "report.exported" in actions
    row = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participants.exported"))
    assert INJECTION not in json.dumps(row.details or {})  # the filters, never the data


def test_cli_writes_binary_formats(runner, world, tmp_path) -> None:
    target = tmp_path / "r.xlsx"
    result = runner.invoke(
        args=[
            "report",
            *sum((["--" + k, v] for k, v in MARCH.items()), []),
            "--format",
            "xlsx",
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stderr
    assert load_workbook(target)["Podsumowanie"]["B2"].value == 3
    result = runner.invoke(
        args=["report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"]
    )
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    pdf = tmp_path / "r.pdf"
    args = ["report", "--from", "2026-03-01", "--to", "2026-03-31", "--lang", "en"]
    result = runner.invoke(args=[*args, "--format", "pdf", "-o", str(pdf), "--author", "Ewa Łęcka"])
    assert result.exit_code == 0, result.output
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Page 1 of" in text and "Ewa Łęcka" in text and "Nowy Sącz" in text


def test_attendance_rows_unused(world) -> None:
    """The world really has one absent attendee in the group (a guard on the fixture)."""
    rows = _db.session.scalars(
        select(ConsultationAttendee).where(ConsultationAttendee.attended.is_(False))
    ).all()
    assert len(rows) == 2
    assert _db.session.get(ClientProfile, world["anna"].id).gender == "female"


def test_the_api_lists_the_projects_for_the_project_filter(app, client, world) -> None:
    from incubator.web.api.openapi import openapi_document
    from tests.web.test_openapi import check

    create_project(
        code="p1",
        name="Projekt „Łódź”",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 3, 31),
        branches=[world["n"], world["k"]],
    )
    login(client, "anna@example.org", PASSWORD)
    assert client.get("/api/v1/projects").status_code == 403
    client.post("/konto/wyloguj")
    _manager(client)
    response = client.get("/api/v1/projects")
    check(openapi_document("http://localhost/api/v1"), "/projects", "get", response)
    (listed,) = response.get_json()
    assert listed["code"] == "p1" and listed["name"] == "Projekt „Łódź”"
    assert (listed["start_date"], listed["end_date"]) == ("2026-03-01", "2026-03-31")
    assert sorted(listed["branch_ids"]) == sorted([world["n"].id, world["k"].id])
    by_id = _api(client, project=str(listed["id"])).get_json()
    assert by_id["people_served"] == _api(client, project="p1").get_json()["people_served"] > 0
