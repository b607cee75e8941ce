"""The registry of founded entities on a public page, only while a manager publishes it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from incubator.models import AuditEvent, FoundingGroup, FoundingGroupStage
from tests.conftest import login
from tests.factories import NOW, PASSWORD, create_expert, create_group, create_manager


def _registered(db, name: str, krs: str) -> FoundingGroup:
    group = create_group(name=name, legal_form="social_cooperative")
    group.stage, group.register, group.krs = "registered", "krs", krs
    group.stage_history.append(
        FoundingGroupStage(to_value="registered", on_date=date(2026, 5, 4), changed_at_dt=NOW)
    )
    db.session.commit()
    return group


def test_a_manager_publishes_and_takes_down_the_registry(app, client, db) -> None:
    _registered(db, "Spółdzielnia Socjalna „Żuraw”", "0000380128")
    create_group(name="Grupa w toku")  # not registered: never listed
    create_manager(email="k@example.org")
    assert client.get("/zalozone-podmioty").status_code == 404  # off until switched on
    login(client, "k@example.org", PASSWORD)
    page = client.get("/grupy/rejestr").get_data(as_text=True)
    assert "Opublikuj na stronie publicznej" in page
    assert client.post("/grupy/rejestr/publikacja", data={"publish": "1"}).status_code == 302
    client.post("/konto/wyloguj")
    public = client.get("/zalozone-podmioty")
    text = public.get_data(as_text=True)
    assert public.status_code == 200
    assert "Spółdzielnia Socjalna „Żuraw”" in text and "KRS 0000380128" in text
    assert "Grupa w toku" not in text and "/grupy/" not in text  # no links into staff pages
    login(client, "k@example.org", PASSWORD)
    client.post("/grupy/rejestr/publikacja", data={"publish": "0"})
    assert client.get("/zalozone-podmioty").status_code == 404
    events = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "setting.changed")
    ).all()
    assert [e["on"] for e in events] == [True, False]


def test_only_managers_switch_it(app, client, db) -> None:
    create_expert(email="e@example.org")
    login(client, "e@example.org", PASSWORD)
    assert client.post("/grupy/rejestr/publikacja", data={"publish": "1"}).status_code == 403
    assert client.get("/zalozone-podmioty").status_code == 404
    assert "Opublikuj" not in client.get("/grupy/rejestr").get_data(as_text=True)
