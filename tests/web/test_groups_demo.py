"""The demo's founding groups through the API and the report (issue #12): the four entities of
the original incubator registered, the groups at work today, and the funnel of 2008-2011."""

from __future__ import annotations

import json
from datetime import date
from statistics import median

import pytest

from incubator.demo import DEFAULT_SEED_DIR, load_demo_data
from incubator.demo.current_groups import CURRENT_GROUPS
from tests.helpers import NOW
from tests.web.test_reports_demo import MANAGER, PERIOD

API = "/api/v1"
REGISTERED = {
    "Spółdzielnia Socjalna „Opoka”",
    "Spółdzielnia Socjalna „Zdrojowianka”",
    "Stowarzyszenie „Aktywne Wsparcie”",
    "Stowarzyszenie „Klucz”",
}


@pytest.fixture()
def demo(app, db) -> None:
    load_demo_data(
        db.session, DEFAULT_SEED_DIR, now=NOW,
        password_hash_method=app.config["PASSWORD_HASH_METHOD"],
    )  # fmt: skip


def _log_in(client, email: str, password: str = MANAGER[1]) -> None:
    response = client.post(f"{API}/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.json


def test_the_demo_api_shows_the_four_entities_and_the_groups_at_work(client, demo) -> None:
    _log_in(client, *MANAGER)
    groups = {g["name"]: g for g in client.get(f"{API}/groups").json}
    assert set(groups) == REGISTERED | {g.name for g in CURRENT_GROUPS}
    registered = client.get(f"{API}/groups?stage=registered").json
    assert {g["name"] for g in registered} == REGISTERED
    for group in registered:
        assert group["register"] == "krs" and len(group["krs"]) == 10
        assert group["requirements"] == []
        assert [h["to"] for h in group["history"]][-1] == "registered"
    short = groups["Spółdzielnia Socjalna „Razem w Kluczach”"]
    assert short["stage"] == "statute_drafted"
    assert [m["kind"] for m in short["members"]] == ["natural", "natural"]
    assert [r["code"] for r in short["requirements"]] and "brakuje 1" in (
        short["requirements"][0]["message"]
    )
    today = NOW.date()
    assert short["formed_on"] == date.fromordinal(today.toordinal() - 120).isoformat()
    stages = {groups[g.name]["stage"] for g in CURRENT_GROUPS}
    assert len(stages) == len(CURRENT_GROUPS)  # each at a different stage
    assert groups["Fundacja „Sądecki Warsztat”"]["requirements"] == []


def test_the_demo_expert_guards_the_short_cooperative(app, demo) -> None:
    expert = app.test_client()
    _log_in(expert, "ekspert@example.org")
    names = [g["name"] for g in expert.get(f"{API}/groups").json]
    assert "Spółdzielnia Socjalna „Razem w Kluczach”" in names
    assert "Stowarzyszenie „Dolina Popradu”" not in names


def test_the_command_line_report_has_the_funnel_too(runner, demo) -> None:
    result = runner.invoke(args=["report", "--from", PERIOD["from"], "--to", PERIOD["to"]])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert (groups["formed"], groups["registered"]) == (4, 4)


def test_the_demo_funnel_in_the_report(client, demo) -> None:
    _log_in(client, *MANAGER)
    every = {g["name"]: g for g in client.get(f"{API}/groups?stage=registered").json}
    days = [
        (date.fromisoformat(g["registered_on"]) - date.fromisoformat(g["formed_on"])).days
        for g in every.values()
    ]
    funnel = client.get(f"{API}/reports/summary", query_string=PERIOD).json["groups"]
    assert funnel["formed"] == 4 and funnel["registered"] == 4
    assert funnel["conversion"] == 1.0
    assert funnel["median_days_to_registration"] == float(median(days))
    assert funnel["by_legal_form"]["social_cooperative"] == 2
    assert funnel["by_legal_form"]["association"] == 2
    assert funnel["by_stage"]["registered"] == 4 and funnel["by_stage"]["training"] == 0
    page = client.get("/raporty/", query_string=PERIOD).get_data(as_text=True)
    assert '<strong id="groups-registered">4</strong>' in page
    assert '<strong id="groups-conversion">100 %</strong>' in page or (
        '<strong id="groups-conversion">100,0 %</strong>' in page
    )
    assert "Spółdzielnia socjalna" in page or "Social cooperative" in page
