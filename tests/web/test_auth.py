"""Logging in and out, registration, the account page, password change and reset, CSRF."""

from __future__ import annotations

import email
import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from email import policy
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from incubator import create_app
from incubator.clock import utcnow
from incubator.config import Config, TestConfig
from incubator.domain.passwords import load_common_passwords
from incubator.models import AuditEvent, ClientProfile, OutboxMessage, User
from incubator.services import accounts, password_tokens
from tests.conftest import login
from tests.factories import PASSWORD, create_client, create_expert, create_manager

GOOD = "lipowa aleja 42 w maju"
NEW = "zielony rower nad Dunajcem"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


def is_logged_in(client) -> bool:
    return client.get("/konto/").status_code == 200


def registration(**overrides) -> dict:
    data = {
        "full_name": "Anna Nowak",
        "email": "anna@example.org",
        "phone": "+48 600 100 200",
        "password": GOOD,
        "password_confirm": GOOD,
        "preferred_language": "pl",
        "consent": "y",
    }
    data.update(overrides)
    return data


def read_outbox(outbox: Path) -> list[email.message.EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]


def link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https://inkubator\.test(/konto/reset/\S+)", body)
    assert match, body
    return match.group(1)


# --- pages ----------------------------------------------------------------------------------


def test_every_auth_page_has_csrf_meta_and_labels(client, app) -> None:
    user = create_client(email="klient@example.org")
    token = password_tokens.make_password_token(user, secret_key=app.secret_key, now=utcnow())
    anonymous = ["/konto/logowanie", "/konto/rejestracja", "/konto/reset", f"/konto/reset/{token}"]
    for url in anonymous:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CSRF_META.search(page(response)), url
        assert '<label for="' in page(response), url
    login(client, "klient@example.org", PASSWORD)
    for url in ["/konto/", "/konto/haslo"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert CSRF_META.search(page(response)), url


def test_autocomplete_attributes(client) -> None:
    html = page(client.get("/konto/rejestracja"))
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="tel"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert 'autocomplete="current-password"' in page(client.get("/konto/logowanie"))


# --- login ----------------------------------------------------------------------------------


def test_login_and_logout(client, db) -> None:
    user = create_client(email="klient@example.org", full_name="Jan Klient")
    response = login(client, " KLIENT@example.org ", PASSWORD, follow=False)
    assert response.status_code == 302 and response.headers["Location"] == "/moje-konsultacje"
    assert "Zalogowano. Witaj, Jan Klient!" in page(client.get("/"))
    assert is_logged_in(client)
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_dt is not None

    assert client.get("/konto/wyloguj").status_code == 405  # POST only
    response = client.post("/konto/wyloguj", follow_redirects=True)
    assert "Wylogowano." in page(response)
    assert not is_logged_in(client)


def test_login_and_logout_in_english(client) -> None:
    create_client(email="klient@example.org", full_name="Jan Klient")
    client.post("/jezyk", data={"lang": "en"})
    wrong = login(client, "klient@example.org", "nie-to-haslo")
    assert '<html lang="en">' in page(wrong)
    assert "The e-mail address or password is incorrect." in page(wrong)
    login(client, "klient@example.org", PASSWORD, follow=False)
    assert "You are logged in. Welcome, Jan Klient!" in page(client.get("/"))
    response = client.post("/konto/wyloguj", follow_redirects=True)
    assert "You have been logged out." in page(response)
    assert not is_logged_in(client)


def test_user_preferring_english_gets_english_pages_after_login(client) -> None:
    create_client(email="klient@example.org", full_name="Jan Klient", preferred_language="en")
    assert '<html lang="pl">' in page(client.get("/konto/logowanie"))
    response = login(client, "klient@example.org", PASSWORD)
    assert '<html lang="en">' in page(response)
    assert "You are logged in. Welcome, Jan Klient!" in page(response)


def test_wrong_password(client, db) -> None:
    create_client(email="klient@example.org")
    response = login(client, "klient@example.org", "nie-to-haslo")
    assert response.status_code == 200
    assert "Nieprawidłowy adres e-mail lub hasło." in page(response)
    assert not is_logged_in(client)
    unknown = login(client, "nikt@example.org", PASSWORD)
    assert "Nieprawidłowy adres e-mail lub hasło." in page(unknown)
    # Both failures leave the same trace (and do the same work, see test_enumeration.py).
    assert db.session.scalars(select(AuditEvent.action)).all() == ["user.login_failed"] * 2


def test_inactive_account_cannot_log_in(client) -> None:
    create_client(email="klient@example.org", active=False)
    response = login(client, "klient@example.org", PASSWORD)
    assert "To konto zostało dezaktywowane." in page(response)
    assert not is_logged_in(client)


def test_account_without_password_answers_like_a_wrong_password(client) -> None:
    create_client(email="telefon@example.org", password=None)
    response = login(client, "telefon@example.org", "cokolwiek-dlugiego")
    assert "To konto nie ma jeszcze hasła." not in page(response)
    assert "Nieprawidłowy adres e-mail lub hasło." in page(response)
    assert "Nie pamiętasz hasła?" in page(response)  # the way to set one, on every login page


def test_deactivated_user_is_logged_out_on_next_request(client, db) -> None:
    user = create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    assert is_logged_in(client)
    db.session.get(User, user.id).active = False
    db.session.commit()
    response = client.get("/konto/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/konto/logowanie")


def test_login_required_redirect_carries_next(client) -> None:
    create_client(email="klient@example.org")
    response = client.get("/konto/haslo")
    assert response.headers["Location"] == "/konto/logowanie?next=%2Fkonto%2Fhaslo"
    response = client.post(
        "/konto/logowanie?next=%2Fkonto%2Fhaslo",
        data={"email": "klient@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/konto/haslo"


def test_next_is_kept_in_the_form_action(client) -> None:
    html = page(client.get("/konto/logowanie?next=/konto/"))
    assert 'action="/konto/logowanie?next=/konto/"' in html or "next=%2Fkonto%2F" in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "evil.example",
    ],
)
def test_off_site_next_is_ignored(client, target: str) -> None:
    create_client(email="klient@example.org")
    response = client.post(
        "/konto/logowanie",
        query_string={"next": target},
        data={"email": "klient@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/moje-konsultacje"
    assert "evil" not in page(client.get("/konto/logowanie", query_string={"next": target}))


def test_logged_in_user_visiting_login_is_sent_on(client) -> None:
    create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    assert client.get("/konto/logowanie").headers["Location"] == "/moje-konsultacje"
    assert client.get("/konto/rejestracja").headers["Location"] == "/"


def test_demo_mode_lists_demo_accounts(client, app, monkeypatch) -> None:
    assert "inkubator-demo" not in page(client.get("/konto/logowanie"))
    monkeypatch.setitem(app.config, "DEMO", True)
    html = page(client.get("/konto/logowanie"))
    for address in ("kierownik@example.org", "ekspert@example.org", "klient@example.org"):
        assert address in html
    assert "inkubator-demo" in html


# --- registration ---------------------------------------------------------------------------


def test_register_shows_the_rodo_clause(client) -> None:
    html = page(client.get("/konto/rejestracja"))
    assert "art. 13 rozporządzenia Parlamentu Europejskiego i Rady (UE) 2016/679" in html
    assert 'type="checkbox"' in html and 'name="consent"' in html


def test_register_creates_client_who_then_logs_in(client, db) -> None:
    response = client.post("/konto/rejestracja", data=registration(email="Anna@Example.org"))
    assert response.status_code == 302 and response.headers["Location"] == "/konto/logowanie"
    user = db.session.scalars(select(User)).one()
    assert user.email == "anna@example.org" and user.is_client
    assert user.phone == "+48 600 100 200" and user.consent_dt is not None
    assert user.password_hash.startswith("pbkdf2:")  # TestConfig's method, read from config
    assert count(db, ClientProfile) == 1
    assert "Konto zostało utworzone. Możesz się teraz zalogować." in page(
        client.get("/konto/logowanie")
    )
    assert not is_logged_in(client)  # an existing address gets this same answer
    login(client, "anna@example.org", GOOD)
    assert is_logged_in(client)


def test_register_duplicate_email_case_insensitive(client, db, outbox) -> None:
    create_client(email="anna@example.org")
    response = client.post(
        "/konto/rejestracja", data=registration(email="ANNA@Example.ORG"), follow_redirects=True
    )
    assert "Konto zostało utworzone. Możesz się teraz zalogować." in page(response)
    assert "już istnieje" not in page(response)
    assert count(db, User) == 1 and not is_logged_in(client)
    (notice,) = read_outbox(outbox)
    assert notice["To"].addresses[0].addr_spec == "anna@example.org"


@pytest.mark.parametrize("bad", ["anna", "anna@", "anna@@example.org", "anna example.org"])
def test_register_malformed_email(client, db, bad: str) -> None:
    response = client.post("/konto/rejestracja", data=registration(email=bad))
    assert response.status_code == 200
    assert "Wpisz poprawny adres e-mail" in page(response)
    assert 'aria-invalid="true"' in page(response)
    assert count(db, User) == 0


def test_register_requires_consent(client, db) -> None:
    data = registration()
    del data["consent"]
    response = client.post("/konto/rejestracja", data=data)
    assert "Potwierdź, że znasz informację o przetwarzaniu danych osobowych." in page(response)
    assert count(db, User) == 0


def test_register_password_rules(client, db) -> None:
    mismatch = client.post("/konto/rejestracja", data=registration(password_confirm="inne"))
    assert "Hasła nie są takie same." in page(mismatch)
    common_pw = "zaq12wsxcde3"
    common = client.post(
        "/konto/rejestracja", data=registration(password=common_pw, password_confirm=common_pw)
    )
    assert "To hasło jest na liście często używanych haseł." in page(common)
    short = client.post(
        "/konto/rejestracja", data=registration(password="krótkie", password_confirm="krótkie")
    )
    assert "Hasło jest za krótkie." in page(short)
    assert count(db, User) == 0


def test_production_hash_method_is_scrypt() -> None:
    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    policy_ = accounts.PasswordPolicy.from_config(
        {"PASSWORD_MIN_LENGTH": 10, "PASSWORD_HASH_METHOD": Config.PASSWORD_HASH_METHOD}
    )
    hashed = policy_.hash(GOOD)
    assert hashed.startswith("scrypt:")
    assert check_password_hash(hashed, GOOD) and not check_password_hash(hashed, NEW)
    assert TestConfig.PASSWORD_HASH_METHOD.startswith("pbkdf2:")


# --- account page and password change ------------------------------------------------------


def test_account_page_edits_details_and_language(client, db) -> None:
    user = create_client(email="klient@example.org", full_name="Jan Klient")
    login(client, "klient@example.org", PASSWORD)
    html = page(client.get("/konto/"))
    assert 'value="Jan Klient"' in html and "klient@example.org" in html
    response = client.post(
        "/konto/",
        data={"full_name": "Jan  Nowy", "phone": "12 345 67 89", "preferred_language": "en"},
        follow_redirects=True,
    )
    assert "Your details have been saved." in page(response)
    assert '<html lang="en">' in page(response)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.full_name, stored.phone, stored.preferred_language) == (
        "Jan Nowy",
        "12 345 67 89",
        "en",
    )


def test_account_page_rejects_bad_phone(client) -> None:
    create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    response = client.post(
        "/konto/", data={"full_name": "Jan", "phone": "zadzwoń", "preferred_language": "pl"}
    )
    assert "Wpisz numer telefonu." in page(response)


def test_password_change(client, app) -> None:
    create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    wrong = client.post(
        "/konto/haslo",
        data={"current_password": "zle", "password": NEW, "password_confirm": NEW},
    )
    assert "Obecne hasło jest nieprawidłowe." in page(wrong)
    response = client.post(
        "/konto/haslo",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
        follow_redirects=True,
    )
    assert "Hasło zostało zmienione." in page(response)
    assert is_logged_in(client)  # this session survives its own change
    other = app.test_client()
    assert "Nieprawidłowy adres e-mail lub hasło." in page(
        login(other, "klient@example.org", PASSWORD)
    )
    assert is_logged_in(app.test_client()) is False
    fresh = app.test_client()
    login(fresh, "klient@example.org", NEW)
    assert is_logged_in(fresh)


def test_password_hint_counts_characters_in_both_languages(client) -> None:
    create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    hint = "Co najmniej 10 znaków. Dobre hasło to kilka niezwiązanych ze sobą słów."
    assert hint in page(client.get("/konto/haslo"))
    client.post("/jezyk", data={"lang": "en"})
    english = page(client.get("/konto/haslo"))
    assert "At least 10 characters. A few unrelated words make a good password." in english


def test_password_change_ends_other_sessions(client, app, db) -> None:
    create_client(email="klient@example.org")
    laptop, phone = client, app.test_client()
    login(laptop, "klient@example.org", PASSWORD)
    login(phone, "klient@example.org", PASSWORD)
    laptop.post(
        "/konto/haslo",
        data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW},
    )
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)


# --- password reset -------------------------------------------------------------------------

NEUTRAL = "Jeśli istnieje konto z tym adresem e-mail, wysłaliśmy na nie link"


def test_reset_by_email_link_is_single_use(client, db, outbox) -> None:
    user = create_client(email="klient@example.org", full_name="Łucja Żółć")
    response = client.post(
        "/konto/reset", data={"email": "Klient@Example.org"}, follow_redirects=True
    )
    assert NEUTRAL in page(response)
    (message,) = read_outbox(outbox)
    assert str(message["Subject"]) == "Resetowanie hasła"
    # Sent through the outbox, which keeps no working link once the message is out.
    row = db.session.scalar(select(OutboxMessage))
    assert (row.kind, row.status, row.message) == ("account.reset_password", "sent", b"")
    assert message["To"].addresses[0].addr_spec == "klient@example.org"
    assert message["To"].addresses[0].display_name == "Łucja Żółć"
    body = message.get_body(("plain",)).get_content()
    assert "Łucja Żółć" in body
    assert "Link jest ważny przez 2 godziny i można go użyć tylko raz." in body
    link = link_in(message)
    assert link in message.get_body(("html",)).get_content()

    form = client.get(link)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "no-referrer"
    weak = client.post(link, data={"password": "haslo12345", "password_confirm": "haslo12345"})
    assert "To hasło jest na liście często używanych haseł." in page(weak)
    done = client.post(link, data={"password": NEW, "password_confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/konto/logowanie"
    assert "Nowe hasło zostało ustawione." in page(client.get("/konto/logowanie"))
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW)

    assert "Nieprawidłowy adres e-mail lub hasło." in page(
        login(client, "klient@example.org", PASSWORD)
    )
    login(client, "klient@example.org", NEW)
    assert is_logged_in(client)

    again = client.get(link, follow_redirects=True)
    assert "Ten link jest nieważny: został już użyty" in page(again)
    reuse = client.post(link, data={"password": GOOD, "password_confirm": GOOD})
    assert reuse.headers["Location"] == "/konto/reset"
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW)


def test_reset_email_is_in_the_users_language(client, outbox) -> None:
    create_client(email="john@example.org", full_name="John Smith", preferred_language="en")
    response = client.post(
        "/konto/reset", data={"email": "john@example.org"}, follow_redirects=True
    )
    assert NEUTRAL in page(response)  # the page follows the visitor's language (Polish) ...
    (message,) = read_outbox(outbox)  # ... the e-mail the account's
    assert str(message["Subject"]) == "Reset your password"
    body = message.get_body(("plain",)).get_content()
    assert "Hello John Smith," in body
    assert "The link is valid for 2 hours and works once." in body
    assert (
        "The link is valid for 2 hours and works once." in message.get_body(("html",)).get_content()
    )


def test_reset_request_is_neutral_for_unknown_and_inactive(client, outbox) -> None:
    create_client(email="spi@example.org", active=False)
    create_client(email="jest@example.org")
    answers = []
    for address in ("nikt@example.org", "spi@example.org", "jest@example.org"):
        response = client.post("/konto/reset", data={"email": address}, follow_redirects=True)
        answers.append(
            re.search(r'<div class="flash flash-\w+"[^>]*>([^<]*)<', page(response)).group(1)
        )
    assert len(set(answers)) == 1 and NEUTRAL in answers[0]
    assert [str(m["To"].addresses[0].addr_spec) for m in read_outbox(outbox)] == [
        "jest@example.org"
    ]


def test_reset_request_malformed_email(client, outbox) -> None:
    response = client.post("/konto/reset", data={"email": "not-an-email"})
    assert response.status_code == 200 and "Wpisz poprawny adres e-mail" in page(response)
    assert read_outbox(outbox) == []


def test_expired_reset_link(client, app) -> None:
    user = create_client(email="klient@example.org")
    issued = utcnow() - app.config["PASSWORD_RESET_MAX_AGE"] - timedelta(minutes=1)
    token = password_tokens.make_password_token(user, secret_key=app.secret_key, now=issued)
    response = client.get(f"/konto/reset/{token}")
    assert response.status_code == 302 and response.headers["Location"] == "/konto/reset"
    html = page(client.get("/konto/reset"))
    assert "Ten link wygasł." in html and "został już użyty" not in html
    post = client.post(f"/konto/reset/{token}", data={"password": NEW, "password_confirm": NEW})
    assert post.status_code == 302
    assert not user.check_password(NEW)


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ.abc.def"])
def test_invalid_reset_link(client, token: str) -> None:
    response = client.get(f"/konto/reset/{token}", follow_redirects=True)
    assert "Ten link jest nieważny" in page(response)


def test_reset_link_signed_with_another_key_is_invalid(client) -> None:
    user = create_client(email="klient@example.org")
    token = password_tokens.make_password_token(user, secret_key="someone-else", now=utcnow())
    assert "Ten link jest nieważny" in page(
        client.get(f"/konto/reset/{token}", follow_redirects=True)
    )


def test_reset_ends_sessions_opened_with_the_old_password(client, app, db) -> None:
    user = create_client(email="klient@example.org")
    login(client, "klient@example.org", PASSWORD)
    token = password_tokens.make_password_token(user, secret_key=app.secret_key, now=utcnow())
    app.test_client().post(f"/konto/reset/{token}", data={"password": NEW, "password_confirm": NEW})
    assert not is_logged_in(client)


# --- CSRF -----------------------------------------------------------------------------------


@pytest.fixture()
def csrf_client(app, db, tmp_path):
    """A second app on the same database with CSRF protection on, as in production."""

    class CsrfConfig(TestConfig):
        DATABASE_URL = app.config["SQLALCHEMY_DATABASE_URI"]
        WTF_CSRF_ENABLED = True

    csrf_app = create_app(CsrfConfig)
    csrf_app.instance_path = str(tmp_path)
    yield csrf_app.test_client()
    with csrf_app.app_context():
        from incubator.extensions import db as _db

        _db.engine.dispose()


def test_csrf_is_enforced(csrf_client) -> None:
    create_client(email="klient@example.org")
    response = csrf_client.post(
        "/konto/logowanie", data={"email": "klient@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "brakuje w nim tokenu zabezpieczającego" in page(response)
    assert not is_logged_in(csrf_client)
    for url in ("/konto/rejestracja", "/konto/reset", "/konto/wyloguj", "/jezyk"):
        assert csrf_client.post(url, data={}).status_code == 400, url

    token = CSRF_META.search(page(csrf_client.get("/konto/logowanie"))).group(1)
    response = csrf_client.post(
        "/konto/logowanie",
        data={"email": "klient@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert is_logged_in(csrf_client)


def test_csrf_token_from_another_session_is_refused(csrf_client, app) -> None:
    create_client(email="klient@example.org")
    token = CSRF_META.search(page(csrf_client.get("/konto/logowanie"))).group(1)
    stranger = csrf_client.application.test_client()
    response = stranger.post(
        "/konto/logowanie",
        data={"email": "klient@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 400


# --- rate limit -----------------------------------------------------------------------------

RATE_LIMIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from incubator import create_app
    from incubator.config import TestConfig
    from incubator.extensions import db

    class Limited(TestConfig):
        DATABASE_URL = "sqlite:///" + sys.argv[1]
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        LOGIN_RATE_LIMIT = "3 per minute"

    app = create_app(Limited)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    data = {"email": "nikt@example.org", "password": "zle-haslo-123"}
    codes = [client.post("/konto/logowanie", data=data).status_code for _ in range(4)]
    codes.append(client.get("/konto/logowanie").status_code)
    last = client.post("/konto/logowanie", data=data)
    print(codes, "Zbyt wiele prób" in last.get_data(as_text=True))
    """
)


@pytest.mark.slow
def test_login_is_rate_limited(tmp_path) -> None:
    """In a separate process: Flask-Limiter keeps global state, so no second app in this one."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", RATE_LIMIT_SCRIPT, str(tmp_path / "rl.db")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[200, 200, 200, 429, 200] True"


def test_policy_uses_the_shipped_common_list(app) -> None:
    policy_ = accounts.PasswordPolicy.from_config(app.config)
    assert policy_.common is load_common_passwords()
    assert policy_.min_length == app.config["PASSWORD_MIN_LENGTH"]
    assert policy_.hash_method == app.config["PASSWORD_HASH_METHOD"]


def test_expert_and_manager_log_in_too(client) -> None:
    create_expert(email="ekspert@example.org")
    create_manager(email="kierownik@example.org")
    for address in ("ekspert@example.org", "kierownik@example.org"):
        fresh = client.application.test_client()
        login(fresh, address, PASSWORD)
        assert is_logged_in(fresh)


def test_english_preference_survives_logout(client, db) -> None:
    create_client(email="anna@example.org", preferred_language="en")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/konto/wyloguj", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You have been logged out." in html and '<html lang="en">' in html


def test_each_role_lands_on_its_own_start_page(client, db) -> None:
    """A client on their consultations (with the button to book), an expert on their agenda,
    a manager on the report of people served."""
    from tests.factories import create_expert, create_manager

    create_client(email="klient@example.org")
    create_expert(email="ekspert@example.org")
    create_manager(email="kierownik@example.org")
    for address, start in (
        ("klient@example.org", "/moje-konsultacje"),
        ("ekspert@example.org", "/personel/agenda"),
        ("kierownik@example.org", "/raporty/"),
    ):
        response = login(client, address, PASSWORD, follow=False)
        assert response.headers["Location"] == start, address
        assert client.get(start).status_code == 200
        client.post("/konto/wyloguj")
    login(client, "klient@example.org", PASSWORD)
    assert "Zarezerwuj konsultację" in page(client.get("/moje-konsultacje"))


def test_a_page_that_needs_a_login_says_so_in_polish(client, db) -> None:
    answer = client.get("/moje-konsultacje", follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "Zaloguj się, aby zobaczyć tę stronę." in html
    assert "Please log in" not in html
