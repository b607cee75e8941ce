"""Subject access through the pages and the API: the manager's person page and downloads, the
client's own downloads from the account page, the API route, refusals and unknown ids."""

from __future__ import annotations

import io
import json

import pytest
from openapi_schema_validator import OAS31Validator
from pypdf import PdfReader
from sqlalchemy import select

from incubator.models import AuditEvent
from incubator.web.api.openapi_people import export_schema
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, create_user
from tests.integration.test_subject_access import NAME, build_person_with_everything

API = "/api/v1"


@pytest.fixture()
def w(db):
    world = build_person_with_everything(db)
    for key in ("manager", "expert", "person", "other"):
        world[key].preferred_language = "en"  # English pages: the words are checked as written
    db.session.commit()
    return world


def as_user(app, user):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    assert login(client, user.email, PASSWORD, follow=False).status_code == 302
    return client


def exported(db) -> list[dict]:
    return [
        e.details
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "person.exported")
        )
    ]


def test_the_person_page_sums_up_and_offers_both_downloads(app, db, w) -> None:
    person = w["person"]
    page = as_user(app, w["manager"]).get(f"/osoby/{person.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and NAME in html
    assert f'href="/osoby/{person.id}/eksport.pdf"' in html
    assert f'href="/osoby/{person.id}/eksport.json"' in html
    assert '<th scope="row">Consultations</th><td>2</td>' in html
    assert exported(db) == []  # looking is not exporting


def test_a_manager_downloads_json_with_the_notes_and_it_is_audited(app, db, w) -> None:
    response = as_user(app, w["manager"]).get(f"/osoby/{w['person'].id}/eksport.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.get_data(as_text=True))
    assert document["account"]["full_name"] == NAME
    assert document["consultations"][0]["notes"] == "Prywatna notatka eksperta"
    assert exported(db) == [{"format": "json"}]


def test_a_manager_downloads_the_pdf(app, db, w) -> None:
    response = as_user(app, w["manager"]).get(f"/osoby/{w['person'].id}/eksport.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert NAME in text and "Audit trail" in text
    assert exported(db) == [{"format": "pdf"}]


def test_a_manager_exports_a_staff_account(app, db, w) -> None:
    response = as_user(app, w["manager"]).get(f"/osoby/{w['expert'].id}/eksport.json")
    assert response.json["account"]["role"] == "expert"
    assert response.json["staff_work"]["consultations_given"] == 2


def test_an_unknown_person_is_a_404_page_that_says_so(app, db, w) -> None:
    manager = as_user(app, w["manager"])
    for path in ("/osoby/{}", "/osoby/{}/eksport.json", "/osoby/{}/eksport.pdf"):
        response = manager.get(path.format(w["person"].id + 1000))
        assert response.status_code == 404, path
        assert "There is no person with this number" in response.get_data(as_text=True)
    assert exported(db) == []


def test_a_client_downloads_their_own_data_without_the_notes(app, db, w) -> None:
    client = as_user(app, w["person"])
    account = client.get("/konto/").get_data(as_text=True)
    assert 'href="/konto/moje-dane.pdf"' in account and 'href="/konto/moje-dane.json"' in account
    assert "you can ask the incubator for them" in account
    document = client.get("/konto/moje-dane.json").json
    assert document["for"] == "self" and document["withheld"] == ["consultation_notes"]
    assert "ask the incubator" in document["withheld_explained"]["consultation_notes"]
    assert all("notes" not in c for c in document["consultations"])
    pdf = client.get("/konto/moje-dane.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert NAME in text and "Prywatna notatka" not in text
    assert exported(db) == [{"format": "json"}, {"format": "pdf"}]


def test_experts_are_refused_everywhere(app, db, w) -> None:
    expert = as_user(app, w["expert"])
    assert "/konto/moje-dane" not in expert.get("/konto/").get_data(as_text=True)
    assert expert.get("/konto/moje-dane.json").status_code == 403
    assert expert.get(f"/osoby/{w['person'].id}").status_code == 403
    response = expert.get(f"{API}/people/{w['person'].id}/export")
    assert response.status_code == 403 and response.json["error"]["code"] == "export_not_allowed"
    assert exported(db) == []


def test_the_api_exports_for_managers_and_the_person(app, db, w) -> None:
    person_id = w["person"].id
    validator = OAS31Validator(export_schema())
    mine = as_user(app, w["person"]).get(f"{API}/people/{person_id}/export")
    assert mine.status_code == 200 and mine.json["for"] == "self"
    validator.validate(mine.json)
    managers = as_user(app, w["manager"]).get(f"{API}/people/{person_id}/export")
    assert managers.status_code == 200 and managers.json["for"] == "manager"
    validator.validate(managers.json)
    other = as_user(app, w["other"]).get(f"{API}/people/{person_id}/export")
    assert other.status_code == 403 and other.json["error"]["code"] == "export_not_allowed"
    missing = as_user(app, w["manager"]).get(f"{API}/people/{person_id + 1000}/export")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "unknown_person"
    assert "There is no person with this number" in missing.json["error"]["message"]
    assert exported(db) == [{"format": "json"}, {"format": "json"}]


def test_managers_find_the_page_from_the_account_and_the_participant_record(app, db, w) -> None:
    person_id = w["person"].id
    manager = as_user(app, w["manager"])
    link = f'href="/osoby/{person_id}"'
    assert link in manager.get(f"/admin/uzytkownicy/{person_id}").get_data(as_text=True)
    record = f"/personel/klienci/{person_id}/dane-uczestnika"
    assert link in manager.get(record).get_data(as_text=True)
    assert link not in as_user(app, w["expert"]).get(record).get_data(as_text=True)


def test_a_phone_only_client_can_still_be_exported(app, db, w) -> None:
    phone_only = create_user(email=None, password=None, full_name="Jan Bez Maila", phone="601")
    response = as_user(app, w["manager"]).get(f"/osoby/{phone_only.id}/eksport.json")
    assert response.status_code == 200 and response.json["account"]["email"] is None
