"""No form tells a visitor who has an account: registration, log-in and password reset answer
the same, and do the same work, whether the address is unknown, known, inactive or without a
password. No timing here (house rule): the work done is observed through the services' `WORK`
counter, the password policy's hash calls and the audit trail; `bench/enumeration.py` times it.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from html import unescape
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from incubator.models import AuditEvent, User
from incubator.services import accounts, authentication
from tests.factories import PASSWORD, create_client
from tests.helpers import NOW

CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*|(<meta name="csrf-token" content=")[^"]*')
GOOD = "lipowa aleja 42 w maju"


def normalised(response) -> str:
    """The page without what differs between any two requests (the CSRF token)."""
    return CSRF.sub(lambda m: m.group(1) or m.group(2), unescape(response.get_data(as_text=True)))


def read_outbox(outbox: Path) -> list[email.message.EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]


def actions(db) -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def answer(client, url: str, data: dict) -> tuple[int, str, str]:
    """Status and Location of the POST, and the page the visitor then sees (with the address
    they typed, which a page with the form shows again, left out)."""
    response = client.post(url, data=data)
    response.close()  # as a WSGI server does: runs what was left for after the response
    status, location = response.status_code, response.headers.get("Location", "")
    shown = client.get(location) if location else response
    return status, location, normalised(shown).replace(data["email"], "ADDRESS")


# --- registration ---------------------------------------------------------------------------


def registration(email_: str) -> dict:
    return {
        "full_name": "Anna Nowak",
        "email": email_,
        "phone": "",
        "password": GOOD,
        "password_confirm": GOOD,
        "preferred_language": "pl",
        "consent": "y",
    }


def test_registering_a_known_address_answers_like_a_new_one(client, db, outbox) -> None:
    owner = create_client(email="jest@example.org", full_name="John Smith", preferred_language="en")
    new = answer(client, "/konto/rejestracja", registration("nowa@example.org"))
    assert read_outbox(outbox) == []  # nothing to tell a new account
    known = answer(client, "/konto/rejestracja", registration("JEST@example.org"))
    assert new == known
    assert new[0] == 302 and new[1] == "/konto/logowanie"
    assert "Konto zostało utworzone. Możesz się teraz zalogować." in new[2]

    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    db.session.expire_all()
    assert db.session.get(User, owner.id).check_password(PASSWORD)  # untouched
    assert actions(db) == ["user.registered", "user.registration_attempt"]
    (notice,) = read_outbox(outbox)
    assert notice["To"].addresses[0].addr_spec == "jest@example.org"
    assert str(notice["Subject"]) == "Someone tried to register with your address"  # owner's
    body = notice.get_body(("plain",)).get_content()
    assert "Hello John Smith," in body
    assert "https://inkubator.test/konto/logowanie" in body
    assert "https://inkubator.test/konto/reset" in body


def test_registration_notice_is_polish_by_default(client, outbox) -> None:
    create_client(email="jest@example.org", full_name="Łucja Żółć")
    answer(client, "/konto/rejestracja", registration("jest@example.org"))
    (notice,) = read_outbox(outbox)
    assert str(notice["Subject"]) == "Ktoś próbował zarejestrować się z Twoim adresem"
    body = notice.get_body(("plain",)).get_content()
    assert "Dzień dobry, Łucja Żółć," in body
    assert "Masz już konto, więc nowe konto nie zostało utworzone." in body
    assert "Masz już konto" in notice.get_body(("html",)).get_content()


def test_registration_notice_is_sent_after_the_response(client, outbox) -> None:
    create_client(email="jest@example.org")
    response = client.post("/konto/rejestracja", data=registration("jest@example.org"))
    assert response.status_code == 302 and read_outbox(outbox) == []
    response.close()
    assert len(read_outbox(outbox)) == 1


def test_registration_hashes_the_password_for_a_known_address_too(db) -> None:
    @dataclass(frozen=True)
    class CountingPolicy(accounts.PasswordPolicy):
        hashed: ClassVar[list[str]] = []

        def hash(self, password: str) -> str:
            self.hashed.append(password)
            return super().hash(password)

    base = accounts.PasswordPolicy.from_config(
        {"PASSWORD_MIN_LENGTH": 10, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )
    counting = CountingPolicy(base.min_length, base.hash_method, base.common)
    create_client(email="jest@example.org")
    fields = {"full_name": "Anna Nowak", "password": GOOD, "consent": True, "now": NOW}
    accounts.register_client(db.session, email="nowa@example.org", policy=counting, **fields)
    with pytest.raises(accounts.DuplicateEmail):
        accounts.register_client(db.session, email="jest@example.org", policy=counting, **fields)
    assert CountingPolicy.hashed == [GOOD, GOOD]


# --- log-in ---------------------------------------------------------------------------------


def test_login_failures_look_and_cost_the_same(client, db) -> None:
    create_client(email="haslo@example.org")
    create_client(email="telefon@example.org", password=None)  # entered by staff, no password
    create_client(email="spi@example.org", password=None, active=False)
    answers, dummy_hashes = [], []
    for address in ("haslo@example.org", "telefon@example.org", "spi@example.org", "nikt@x.org"):
        before = authentication.WORK["dummy_hash"]
        answers.append(answer(client, "/konto/logowanie", {"email": address, "password": "x" * 12}))
        dummy_hashes.append(authentication.WORK["dummy_hash"] - before)
    assert len(set(answers)) == 1
    assert answers[0][0] == 200 and "Nieprawidłowy adres e-mail lub hasło." in answers[0][2]
    # One hash check each: the real hash for the wrong password, the dummy for the others.
    assert dummy_hashes == [0, 1, 1, 1]
    assert actions(db) == ["user.login_failed"] * 4


def test_api_login_failures_look_the_same(client) -> None:
    create_client(email="haslo@example.org")
    create_client(email="telefon@example.org", password=None)
    bodies = set()
    for address in ("haslo@example.org", "telefon@example.org", "nikt@example.org"):
        response = client.post("/api/v1/session", json={"email": address, "password": "x" * 12})
        assert response.status_code == 401
        bodies.add(response.get_data(as_text=True))
    (body,) = bodies
    assert '"invalid_credentials"' in body


# --- password reset -------------------------------------------------------------------------


def test_reset_answers_and_works_the_same_for_every_address(client, db, outbox) -> None:
    create_client(email="jest@example.org")
    create_client(email="spi@example.org", active=False)
    answers, dummy_tokens = [], []
    for address in ("jest@example.org", "spi@example.org", "nikt@example.org"):
        before = authentication.WORK["dummy_token"]
        answers.append(answer(client, "/konto/reset", {"email": address}))
        dummy_tokens.append(authentication.WORK["dummy_token"] - before)
    assert len(set(answers)) == 1 and answers[0][:2] == (302, "/konto/logowanie")
    assert dummy_tokens == [0, 1, 1]  # a token is signed in every case
    assert actions(db) == ["user.password_reset_requested"] * 3
    assert [m["To"].addresses[0].addr_spec for m in read_outbox(outbox)] == ["jest@example.org"]


def test_reset_mail_is_sent_after_the_response(client, outbox) -> None:
    create_client(email="jest@example.org")
    response = client.post("/konto/reset", data={"email": "jest@example.org"})
    assert response.status_code == 302 and read_outbox(outbox) == []
    response.close()
    assert len(read_outbox(outbox)) == 1
