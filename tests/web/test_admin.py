"""Managers' user administration: list, new staff accounts, (de)activation."""

from __future__ import annotations

import email
import re
import socket
from datetime import UTC, datetime, timedelta
from email import policy
from html import unescape

import pytest
from sqlalchemy import func, select

from incubator.models import AuditEvent, ExpertProfile, OutboxMessage, User
from tests.conftest import login
from tests.factories import (
    PASSWORD,
    create_branch,
    create_client,
    create_domain,
    create_expert,
    create_manager,
)

NEW = "zielony rower nad Dunajcem"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture()
def manager(client):
    user = create_manager(email="kierownik@example.org", full_name="Kinga Kierownik")
    login(client, "kierownik@example.org", PASSWORD)
    return user


def new_expert_form(**overrides) -> dict:
    data = {
        "role": "expert",
        "full_name": "Jan Lis",
        "email": "Jan.Lis@Example.org",
        "phone": "",
        "preferred_language": "pl",
        "title": "mec.",
        "default_length_min": "45",
        "bio": "Prawo spółdzielcze.",
    }
    data.update(overrides)
    return data


# --- access ---------------------------------------------------------------------------------

ADMIN_GETS = ["/admin/uzytkownicy", "/admin/uzytkownicy/nowy"]


def test_anonymous_is_sent_to_login(client) -> None:
    for url in ADMIN_GETS:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/konto/logowanie?next=")
    assert client.post("/admin/uzytkownicy/1/aktywnosc").status_code == 302


@pytest.mark.parametrize("factory", [create_client, create_expert])
def test_non_managers_get_403(client, db, factory) -> None:
    user = factory(email="ktos@example.org")
    victim = create_client(email="ofiara@example.org")
    login(client, "ktos@example.org", PASSWORD)
    for url in ADMIN_GETS:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Nie masz uprawnień do otwarcia tej strony." in page(response)
    response = client.post(f"/admin/uzytkownicy/{victim.id}/aktywnosc", data={"active": "0"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, victim.id).active
    assert count(db, AuditEvent) == 1  # only the log-in of `user`
    nav = page(client.get("/")).split("<main")[0]
    assert "/admin/uzytkownicy" not in nav and not user.is_manager


# --- list -----------------------------------------------------------------------------------


def test_user_list_filters_and_badges(client, manager) -> None:
    create_client(full_name="Anna Kowalska", email="anna@example.org", phone="600 100 200")
    create_expert(full_name="Jan Lis", email="lis@kancelaria.pl", title="mec.")
    create_client(full_name="Ewa Śpiąca", email="ewa@example.org", active=False)
    create_client(full_name="Piotr Telefon", email=None, password=None, phone="12 345 67 89")

    html = page(client.get("/admin/uzytkownicy"))
    assert CSRF_META.search(html)
    for name in ("Anna Kowalska", "mec. Jan Lis", "Ewa Śpiąca", "Piotr Telefon", "Kinga Kierownik"):
        assert name in html
    assert "<caption>5 kont</caption>" in html
    assert html.count('class="badge off">Dezaktywowane<') == 1
    assert 'aria-label="Dezaktywuj konto: Anna Kowalska"' in html
    assert 'aria-label="Aktywuj ponownie konto: Ewa Śpiąca"' in html
    assert 'aria-label="Dezaktywuj konto: Kinga Kierownik"' not in html  # no button for oneself

    experts = page(client.get("/admin/uzytkownicy?role=expert"))
    assert "Jan Lis" in experts and "Anna Kowalska" not in experts
    assert "<caption>1 konto</caption>" in experts
    clients = page(client.get("/admin/uzytkownicy?role=client"))
    assert "<caption>3 konta</caption>" in clients
    by_phone = page(client.get("/admin/uzytkownicy?q=600100200"))
    assert "Anna Kowalska" in by_phone and "Jan Lis" not in by_phone
    by_mail = page(client.get("/admin/uzytkownicy?q=KANCELARIA"))
    assert "Jan Lis" in by_mail and "Anna Kowalska" not in by_mail
    inactive = page(client.get("/admin/uzytkownicy?status=inactive"))
    assert "Ewa Śpiąca" in inactive and "Anna Kowalska" not in inactive
    nothing = page(client.get("/admin/uzytkownicy?q=nikogo-takiego"))
    assert "Brak użytkowników spełniających te kryteria." in nothing
    odd = client.get("/admin/uzytkownicy?role=admin&status=x&page=-3&q=%25")
    assert odd.status_code == 200


def test_user_list_in_english(client, manager) -> None:
    create_client(full_name="Anna Kowalska", email="anna@example.org")
    create_client(full_name="Ewa Śpiąca", email="ewa@example.org", active=False)
    client.post("/jezyk", data={"lang": "en"})

    html = page(client.get("/admin/uzytkownicy"))
    assert '<html lang="en">' in html
    assert "<caption>3 accounts</caption>" in html
    assert html.count('class="badge off">Deactivated<') == 1
    assert 'aria-label="Deactivate Anna Kowalska"' in html
    assert 'aria-label="Reactivate Ewa Śpiąca"' in html
    assert 'aria-label="Deactivate Kinga Kierownik"' not in html  # no button for oneself
    inactive = page(client.get("/admin/uzytkownicy?status=inactive"))
    assert "<caption>1 account</caption>" in inactive
    nothing = page(client.get("/admin/uzytkownicy?q=nikogo-takiego"))
    assert "No users match these criteria." in nothing


# --- new staff accounts ---------------------------------------------------------------------


def test_manager_creates_expert_who_sets_password_by_link(client, db, manager, outbox, app):
    law = create_domain(code="law", name_en="Law", name_pl="Prawo")
    create_domain(code="marketing", name_en="Marketing", name_pl="Marketing")
    nowy_sacz = create_branch(name="Nowy Sącz")
    piwniczna = create_branch(name="Piwniczna-Zdrój", parent_id=nowy_sacz.id)

    form = page(client.get("/admin/uzytkownicy/nowy"))
    assert "<legend>Dziedziny doradztwa</legend>" in form
    assert "Piwniczna-Zdrój (Nowy Sącz)" in form
    response = client.post(
        "/admin/uzytkownicy/nowy",
        data=new_expert_form(domains=[str(law.id)], branches=[str(piwniczna.id)]),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/uzytkownicy"
    listing = page(client.get("/admin/uzytkownicy"))
    assert "Jan Lis: konto zostało utworzone." in listing
    assert 'class="badge off">Brak hasła<' in listing

    expert = db.session.scalars(select(User).where(User.email == "jan.lis@example.org")).one()
    assert expert.is_expert and expert.password_hash is None
    assert expert.created_by_id == manager.id
    profile = db.session.get(ExpertProfile, expert.id)
    assert profile.title == "mec." and profile.default_length_min == 45
    assert [d.code for d in profile.domains] == ["law"]
    assert [b.name for b in profile.branches] == ["Piwniczna-Zdrój"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.created")).one()
    assert event.actor_id == manager.id and event.target_id == expert.id

    (path,) = outbox.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["Subject"]) == "Ustaw hasło"
    assert message["To"].addresses[0].addr_spec == "jan.lis@example.org"
    body = message.get_body(("plain",)).get_content()
    assert "jan.lis@example.org" in body
    assert "Link jest ważny przez 7 dni i można go użyć tylko raz." in body
    assert "Aby ustawić hasło, otwórz ten link:" in body  # the .txt part is translated too
    assert "To set your password" not in body
    link = re.search(r"https://inkubator\.test(/konto/reset/\S+)", body).group(1)

    expert_client = app.test_client()
    assert expert_client.get(link).status_code == 200
    response = expert_client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert response.headers["Location"] == "/konto/logowanie"
    login(expert_client, "jan.lis@example.org", NEW)
    assert expert_client.get("/konto/").status_code == 200
    assert expert_client.get("/admin/uzytkownicy").status_code == 403


def test_new_manager_ignores_expert_fields(client, db, manager, outbox) -> None:
    response = client.post(
        "/admin/uzytkownicy/nowy",
        data=new_expert_form(role="manager", email="druga@example.org", preferred_language="en"),
    )
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "druga@example.org")).one()
    assert user.is_manager and user.expert_profile is None and user.preferred_language == "en"
    (path,) = outbox.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert str(message["Subject"]) == "Set your password"  # in the new user's language
    body = message.get_body(("plain",)).get_content()
    assert "The link is valid for 7 days and works once." in body


def test_expert_needs_area_and_office(client, db, manager) -> None:
    create_domain()
    create_branch()
    response = client.post("/admin/uzytkownicy/nowy", data=new_expert_form())
    assert response.status_code == 200
    html = page(response)
    assert "Wybierz co najmniej jedną dziedzinę." in html
    assert "Wybierz co najmniej jeden oddział." in html
    assert count(db, User) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "KIEROWNIK@example.org"}, "Konto z tym adresem e-mail już istnieje."),
        ({"email": "nie-email"}, "Wpisz poprawny adres e-mail"),
        ({"full_name": ""}, "Wpisz imię i nazwisko."),
        # WTForms' own message, in the page's language (Polish by default).
        ({"role": "client"}, '<fieldset class="field has-error">\n    <legend>Rola</legend>'),
        ({"role": "client"}, '<p class="error">Nieprawidłowy wybór</p>'),
    ],
)
def test_new_user_bad_input(client, db, manager, overrides, message) -> None:
    response = client.post(
        "/admin/uzytkownicy/nowy", data=new_expert_form(**{"role": "manager", **overrides})
    )
    assert response.status_code == 200
    assert message in page(response)
    assert count(db, User) == 1


def test_new_user_when_mail_fails(client, db, manager, monkeypatch) -> None:
    # A real refusal: an SMTP server configured on a loopback port where nothing listens.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setitem(client.application.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(client.application.config, "MAIL_PORT", closed_port)
    response = client.post(
        "/admin/uzytkownicy/nowy",
        data=new_expert_form(role="manager", email="druga@example.org"),
        follow_redirects=True,
    )
    assert "nie udało się jeszcze wysłać e-maila z linkiem; spróbujemy ponownie" in page(response)
    assert count(db, User) == 2
    # The link waits in the outbox for the sender's next try, with the error.
    queued = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "account.set_password")
    )
    assert queued.status == "queued" and queued.attempts == 1 and "failed" in queued.last_error
    assert queued.to_address.endswith("<druga@example.org>")


# --- deactivation ---------------------------------------------------------------------------


def test_deactivate_and_reactivate(client, db, manager, app) -> None:
    expert = create_expert(email="ekspert@example.org", full_name="Jan Ekspert")
    expert_client = app.test_client()
    login(expert_client, "ekspert@example.org", PASSWORD)
    assert expert_client.get("/konto/").status_code == 200

    response = client.post(
        f"/admin/uzytkownicy/{expert.id}/aktywnosc",
        data={"active": "0", "next": "/admin/uzytkownicy?role=expert"},
    )
    assert response.headers["Location"] == "/admin/uzytkownicy?role=expert"
    assert "Jan Ekspert: konto zostało dezaktywowane." in page(client.get("/admin/uzytkownicy"))
    db.session.expire_all()
    assert not db.session.get(User, expert.id).active
    assert expert_client.get("/konto/").status_code == 302  # logged out on the next request
    assert "To konto zostało dezaktywowane." in page(
        login(app.test_client(), "ekspert@example.org", PASSWORD)
    )

    client.post(f"/admin/uzytkownicy/{expert.id}/aktywnosc", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(User, expert.id).active
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_id == expert.id, AuditEvent.actor_id == manager.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["user.deactivated", "user.reactivated"]


def test_manager_cannot_deactivate_self(client, db, manager) -> None:
    response = client.post(
        f"/admin/uzytkownicy/{manager.id}/aktywnosc", data={"active": "0"}, follow_redirects=True
    )
    assert "Nie możesz dezaktywować własnego konta." in page(response)
    db.session.expire_all()
    assert db.session.get(User, manager.id).active
    assert client.get("/admin/uzytkownicy").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_set_active_ignores_off_site_next(client, manager, target: str) -> None:
    other = create_client()
    response = client.post(
        f"/admin/uzytkownicy/{other.id}/aktywnosc", data={"active": "0", "next": target}
    )
    assert response.headers["Location"] == "/admin/uzytkownicy"


def test_set_active_bad_input(client, manager) -> None:
    other = create_client()
    assert (
        client.post("/admin/uzytkownicy/99999/aktywnosc", data={"active": "0"}).status_code == 404
    )
    bad = client.post(f"/admin/uzytkownicy/{other.id}/aktywnosc", data={"active": "maybe"})
    assert bad.status_code == 400
    assert client.get(f"/admin/uzytkownicy/{other.id}/aktywnosc").status_code == 405


def test_a_manager_is_created_whatever_the_expert_only_fields_hold(client, db, manager) -> None:
    """The form the issue reported: role manager, the length cleared (and a title too long)."""
    response = client.post(
        "/admin/uzytkownicy/nowy",
        data=new_expert_form(
            role="manager", email="trzecia@example.org", default_length_min="", title="x" * 90
        ),
    )
    assert response.status_code == 302, page(response)
    user = db.session.scalars(select(User).where(User.email == "trzecia@example.org")).one()
    assert user.is_manager and user.expert_profile is None


@pytest.mark.parametrize("length", ["", "abc", "5", "999"])
def test_an_expert_without_a_sensible_length_gets_one_message(client, db, manager, length) -> None:
    area, office = create_domain(), create_branch()
    response = client.post(
        "/admin/uzytkownicy/nowy",
        data=new_expert_form(default_length_min=length, domains=area.id, branches=office.id),
    )
    html = page(response)
    assert response.status_code == 200
    assert html.count("Wpisz czas od 15 do 480 minut.") == 2  # the summary and the field
    assert "Nieprawidłowa liczba" not in html and "Not a valid integer" not in html
    assert count(db, User) == 1


def test_an_empty_email_asks_for_the_persons_address(client, db, manager) -> None:
    response = client.post(
        "/admin/uzytkownicy/nowy", data=new_expert_form(role="manager", email="")
    )
    html = page(response)
    assert "Wpisz adres e-mail tej osoby." in html
    assert "Wpisz swój adres e-mail" not in html


# --- one account: edit, and deactivation that says what it leaves ------------------------------


def test_a_manager_edits_an_experts_account_and_profile(client, db, manager) -> None:
    law, tax = create_domain(code="law"), create_domain(code="tax", name_pl="Podatki")
    klucze, sacz = create_branch(name="Klucze"), create_branch(name="Nowy Sącz")
    expert = create_expert(
        domains=[law], branches=[klucze], title="mec.", full_name="Jan Lis", email="jan@example.org"
    )
    users = page(client.get("/admin/uzytkownicy"))
    assert f'href="/admin/uzytkownicy/{expert.id}"' in users  # the name is a link
    form = page(client.get(f"/admin/uzytkownicy/{expert.id}"))
    assert 'value="Jan Lis"' in form and 'value="mec."' in form
    response = client.post(
        f"/admin/uzytkownicy/{expert.id}",
        data=new_expert_form(
            full_name="Jan Lisowski",
            email="Jan.Lisowski@Example.org",
            phone="+48 600 100 200",
            title="dr",
            default_length_min="90",
            domains=[law.id, tax.id],
            branches=[sacz.id],
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, expert.id)
    assert (user.full_name, user.email, user.phone) == (
        "Jan Lisowski",
        "jan.lisowski@example.org",
        "+48 600 100 200",
    )
    profile = user.expert_profile
    assert (profile.title, profile.default_length_min) == ("dr", 90)
    assert {d.code for d in profile.domains} == {"law", "tax"}
    assert [b.name for b in profile.branches] == ["Nowy Sącz"]
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.updated")).one()
    assert set(entry.details["fields"]) >= {"full_name", "email", "title", "domains", "branches"}
    assert "Lisowski" not in str(entry.details)  # which fields, never their values
    assert "Zmiany zostały zapisane." in page(client.get(f"/admin/uzytkownicy/{expert.id}"))


def test_editing_refuses_an_address_someone_else_has(client, db, manager) -> None:
    other = create_client(email="zajety@example.org")
    response = client.post(
        f"/admin/uzytkownicy/{other.id}",
        data=new_expert_form(email="KIEROWNIK@example.org", full_name="Ktoś"),
    )
    assert response.status_code == 200
    assert "Konto z tym adresem e-mail już istnieje." in page(response)
    db.session.expire_all()
    assert db.session.get(User, other.id).email == "zajety@example.org"


def test_deactivation_asks_first_and_says_what_stays_booked(client, db, manager) -> None:
    from tests.factories import create_consultation

    area, office = create_domain(), create_branch(name="Klucze")
    expert = create_expert(domains=[area], branches=[office], full_name="Jan Lis")
    customer = create_client(full_name="Ewa Nowak")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    booked = create_consultation(
        expert=expert, client=customer, branch=office, area=area, start_dt=soon
    )
    users = page(client.get("/admin/uzytkownicy"))
    assert f"/admin/uzytkownicy/{expert.id}/dezaktywacja" in users  # a link, not a button
    assert 'name="active" value="0"' not in users
    ask = page(client.get(f"/admin/uzytkownicy/{expert.id}/dezaktywacja"))
    assert "Dezaktywacja niczego nie odwołuje." in ask
    assert "Ewa Nowak" in ask and "Klucze" in ask
    assert db.session.get(User, expert.id).active  # asking changed nothing
    client.post(f"/admin/uzytkownicy/{expert.id}/aktywnosc", data={"active": "0"})
    db.session.expire_all()
    assert not db.session.get(User, expert.id).active
    assert db.session.get(type(booked), booked.id).status == "booked"
