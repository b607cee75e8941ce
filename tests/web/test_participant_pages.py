"""The participant record pages: staff form, the client's own questionnaire, duplicates, merging."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from incubator.models import AuditEvent, ClientProfile, User
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_consultation,
    create_domain,
    create_expert,
    create_manager,
)
from tests.helpers import NOW
from tests.web.pages import count, page


def _as(client, user, lang: str = "pl"):
    login(client, user.email, PASSWORD)
    client.post("/jezyk", data={"lang": lang})
    return client


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _url(person: User) -> str:
    return f"/personel/klienci/{person.id}/dane-uczestnika"


# --- the staff form ---------------------------------------------------------------------------


def test_manager_sees_sensitive_questions_and_the_view_is_audited(db, client) -> None:
    manager, person = create_manager(), create_client(full_name="Zofia Nowa")
    html = page(_as(client, manager).get(_url(person)))
    assert "Osoba z niepełnosprawnością" in html and "mniejszości narodowej" in html
    assert "Odmowa podania informacji" in html
    assert "Niekompletne: płeć, wiek, status na rynku pracy, wykształcenie." in html
    (event,) = _events(db, "participant.viewed")
    assert (event.actor_id, event.target_id) == (manager.id, person.id)


def test_expert_gets_no_sensitive_question(db, client) -> None:
    expert, person = create_expert(), create_client(phone="600 100 200")
    create_consultation(expert=expert, client=person, branch=create_branch(), area=create_domain())
    db.session.get(ClientProfile, person.id).disability = "yes"
    db.session.commit()
    html = page(_as(client, expert).get(_url(person)))
    assert "Płeć" in html
    for name in ("disability", "minority", "third_country", "foreign_background", "homeless"):
        assert f'name="{name}"' not in html
    assert 'name="pesel"' not in html
    assert "600 100 200" in html  # the expert advises the person: the contact is theirs to use
    # saving the expert's form leaves the manager's answer alone
    r = client.post(_url(person), data={"gender": "female", "education": "isced_3_4"})
    assert r.status_code == 302
    db.session.expire_all()
    profile = db.session.get(ClientProfile, person.id)
    assert (profile.gender, profile.education, profile.disability) == (
        "female",
        "isced_3_4",
        "yes",
    )
    (event,) = _events(db, "participant.updated")
    assert event.details == {"fields": ["gender", "education"]}


def test_polish_errors_next_to_the_field_and_nothing_saved(db, client) -> None:
    manager, person = create_manager(), create_client()
    _as(client, manager)
    cases = [
        ({"birth_date": "2999-01-01"}, "Data urodzenia nie może być w przyszłości."),
        ({"birth_year": "1850"}, "Rok urodzenia musi być między 1900 a "),
        ({"pesel": "85010112346"}, "Ten numer PESEL jest nieprawidłowy"),
        ({"pesel": "85010112345", "gender": "male"}, "nie zgadza się z podaną płcią"),
        ({"gender": "kobieta"}, "Wybierz jedną z odpowiedzi z listy."),
    ]
    for data, message in cases:
        r = client.post(_url(person), data={"education": "isced_0_2", **data})
        assert r.status_code == 422, data
        assert message in page(r), data
    db.session.expire_all()
    assert db.session.get(ClientProfile, person.id).education is None
    assert _events(db, "participant.updated") == []


def test_complete_record_says_so(db, client) -> None:
    manager, person = create_manager(), create_client()
    _as(client, manager, "en")
    r = client.post(
        _url(person),
        data={
            "gender": "female",
            "birth_year": "1970",
            "labour_status": "employed",
            "education": "isced_5_8",
            "disability": "refused",
        },
        follow_redirects=True,
    )
    html = page(r)
    assert "The participant data has been saved." in html
    assert "The record has every answer the reports need." in html
    assert db.session.get(ClientProfile, person.id).disability == "refused"


def test_clients_cannot_open_the_staff_form(db, client) -> None:
    one, other = create_client(), create_client()
    assert _as(client, one).get(_url(other)).status_code == 403


def test_staff_record_of_an_unknown_or_staff_person_is_404(db, client) -> None:
    manager = create_manager()
    _as(client, manager)
    assert client.get("/personel/klienci/999999/dane-uczestnika").status_code == 404
    assert client.get(_url(create_expert())).status_code == 404


# --- the client's own questionnaire -----------------------------------------------------------


def test_first_booking_offers_the_questionnaire(db, client) -> None:
    person = create_client()
    consultation = create_consultation(
        expert=create_expert(), client=person, branch=create_branch(), area=create_domain()
    )
    _as(client, person)
    html = page(client.get(f"/rezerwacja/{consultation.id}/gotowe"))
    assert "/konto/dane-uczestnika" in html
    assert "Kilka pytań dla Europejskiego Funduszu Społecznego" in html
    html = page(client.get("/konto/dane-uczestnika"))
    assert "Każda odpowiedź jest dobrowolna." in html
    assert 'name="disability"' in html  # one's own answers: every question
    r = client.post("/konto/dane-uczestnika", data={"gender": "refused", "homeless": "no"})
    assert r.status_code == 302
    html = page(client.get(f"/rezerwacja/{consultation.id}/gotowe"))
    assert "/konto/dane-uczestnika" not in html  # answered: not asked again


def test_client_questionnaire_refuses_bad_input_in_polish(db, client) -> None:
    person = create_client()
    r = _as(client, person).post("/konto/dane-uczestnika", data={"birth_year": "abc"})
    assert r.status_code == 422
    assert "Wybierz jedną z odpowiedzi z listy." in page(r)


# --- duplicates at entry ----------------------------------------------------------------------


def test_new_client_shows_likely_duplicates_with_reasons(db, client) -> None:
    manager = create_manager()
    existing = create_client(full_name="Jan Kos", phone="+48 600 100 200", email="jan@example.org")
    _as(client, manager)
    data = {
        "full_name": "Janek Kos",
        "phone": "600-100-200",
        "email": "JAN@example.org",
        "rodo_read": "y",
    }
    before = count(db, User)
    html = page(client.post("/personel/klienci/nowy", data=data))
    assert "Ta osoba może już być w systemie" in html
    assert "ten sam adres e-mail, ten sam numer telefonu" in html
    assert f"/personel/klienci/{existing.id}/dane-uczestnika" in html
    assert f"/personel/rezerwacja/dziedzina?client={existing.id}" in html
    assert count(db, User) == before
    r = client.post(
        "/personel/klienci/nowy",
        data={**data, "email": "", "create_anyway": "y"},
    )
    assert r.status_code == 302
    assert count(db, User) == before + 1


# --- merging ----------------------------------------------------------------------------------


def test_manager_merges_after_a_side_by_side_confirmation(db, client) -> None:
    manager = create_manager()
    keep = create_client(full_name="Jan Kos", email=None, password=None, phone="600 100 200")
    drop = create_client(full_name="Jan Kos", email="jan@example.org")
    create_consultation(
        expert=create_expert(),
        client=drop,
        branch=create_branch(),
        area=create_domain(),
        start_dt=NOW - timedelta(days=3),
    )
    keep_id, drop_id = keep.id, drop.id
    _as(client, manager)
    html = page(client.get(f"/admin/osoby/scal?keep={keep_id}&drop={drop_id}"))
    assert "Scalić te rekordy?" in html
    assert "jan@example.org" in html and "600 100 200" in html
    assert 'data-label="Konsultacje">1<' in html
    assert "Tej operacji nie można cofnąć" in html
    r = client.post("/admin/osoby/scal", data={"keep": keep_id, "drop": drop_id})
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/personel/klienci/{keep_id}/dane-uczestnika")
    db.session.expire_all()
    assert db.session.get(User, drop_id) is None
    assert db.session.get(User, keep_id).email == "jan@example.org"
    assert len(_events(db, "person.merged")) == 1


def test_participant_page_lists_duplicates_for_managers(db, client) -> None:
    manager = create_manager()
    keep = create_client(full_name="Jan Kos", phone="600 100 200")
    other = create_client(full_name="J. Kos", phone="+48600100200")
    html = page(_as(client, manager).get(_url(keep)))
    assert "Rekordy, które mogą dotyczyć tej samej osoby" in html
    assert f"/admin/osoby/scal?keep={keep.id}&drop={other.id}" in html


def test_merge_refusals_are_shown_in_polish(db, client) -> None:
    manager, expert, person = create_manager(), create_expert(), create_client()
    _as(client, manager)
    r = client.get(f"/admin/osoby/scal?keep={person.id}&drop={person.id}")
    assert r.status_code == 422
    assert "rekordu nie można scalić z samym sobą" in page(r)
    r = client.get(f"/admin/osoby/scal?keep={person.id}&drop={expert.id}")
    assert "Scalać można tylko rekordy klientów." in page(r)
    r = client.get(f"/admin/osoby/scal?keep={person.id}&drop=abc")
    assert r.status_code == 422
    r = client.post("/admin/osoby/scal", data={"keep": person.id, "drop": 999999})
    assert r.status_code == 302
    assert db.session.get(User, person.id) is not None
    assert _events(db, "person.merged") == []


def test_experts_cannot_merge(db, client) -> None:
    expert, a, b = create_expert(), create_client(), create_client()
    _as(client, expert)
    assert client.get(f"/admin/osoby/scal?keep={a.id}&drop={b.id}").status_code == 403
    r = client.post("/admin/osoby/scal", data={"keep": a.id, "drop": b.id})
    assert r.status_code == 403
    assert db.session.get(User, b.id) is not None
