"""Absolute links come from PUBLIC_URL, never from the request's Host header; unknown hosts get
400 (TRUSTED_HOSTS). TestConfig's PUBLIC_URL is https://inkubator.test, which is not the test
client's host (localhost), so a link that followed the request would show."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from flask import Flask

from incubator import ConfigurationError, create_app, trusted_hosts
from incubator.config import Config, TestConfig
from incubator.web.common.links import public_url_for
from tests.factories import create_client


def read_outbox(outbox: Path) -> list[email.message.EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(outbox.glob("*.eml"))
    ]


def raw_outbox(outbox: Path) -> str:
    return "".join(p.read_text() for p in outbox.glob("*.eml")) if outbox.exists() else ""


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "inkubator.test.evil.example"])
def test_reset_with_a_foreign_host_is_refused_and_mails_nothing(client, outbox, host) -> None:
    create_client(email="klient@example.org")
    response = client.post(
        "/konto/reset", data={"email": "klient@example.org"}, headers={"Host": host}
    )
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert read_outbox(outbox) == []


def test_api_answers_a_foreign_host_with_400_json(client) -> None:
    response = client.get("/api/v1/session", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_reset_link_comes_from_public_url_whatever_the_request_says(client, outbox) -> None:
    create_client(email="klient@example.org")
    response = client.post(
        "/konto/reset",
        data={"email": "klient@example.org"},
        headers={"Host": "localhost:5000", "X-Forwarded-Host": "evil.example"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    (message,) = read_outbox(outbox)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://inkubator.test/konto/reset/" in text
    assert 'href="https://inkubator.test/konto/reset/' in html
    raw = raw_outbox(outbox)
    assert "evil.example" not in raw and "localhost/konto" not in raw


def test_public_url_with_a_path_prefix(app: Flask, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://example.org/inkubator")
    with app.app_context():  # no request at all, as in a command or a background job
        link = public_url_for("auth.reset_password", token="abc")
    assert link == "https://example.org/inkubator/konto/reset/abc"


class _Production(Config):
    SECRET_KEY = "s" * 40
    DATABASE_URL = "sqlite://"
    DEMO = False
    DEBUG = False
    TESTING = False
    PUBLIC_URL = None
    ALLOWED_HOSTS = None


def test_production_refuses_to_start_without_public_url() -> None:
    with pytest.raises(ConfigurationError, match="PUBLIC_URL is not set") as info:
        create_app(_Production)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "bad", ["inkubator.example.org", "ftp://inkubator.example.org", "https://"]
)
def test_production_refuses_a_malformed_public_url(bad: str) -> None:
    class _Bad(_Production):
        PUBLIC_URL = bad

    with pytest.raises(ConfigurationError, match="is not an http"):
        create_app(_Bad)


def test_command_line_app_starts_but_refuses_to_serve_without_public_url() -> None:
    app = create_app(_Production, strict=False)
    response = app.test_client().get("/")
    assert response.status_code == 500 and b"Traceback" not in response.data


def test_production_trusts_only_the_public_host_by_default() -> None:
    class _Live(_Production):
        PUBLIC_URL = "https://inkubator.example.org/"

    app = create_app(_Live)
    assert app.config["PUBLIC_URL"] == "https://inkubator.example.org"  # trailing slash dropped
    assert app.config["ALLOWED_HOSTS"] == ["inkubator.example.org"]
    client = app.test_client()
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400
    assert (
        client.get(
            "/static/css/does-not-exist.css", base_url="https://inkubator.example.org"
        ).status_code
        == 404
    )


def test_demo_and_tests_trust_localhost_too() -> None:
    app = create_app(TestConfig)
    assert app.config["ALLOWED_HOSTS"] == ["inkubator.test", "localhost", "127.0.0.1"]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("inkubator.example.org, .example.org", ["inkubator.example.org", ".example.org"]),
        (["a.example"], ["a.example"]),
        ("*", None),
        ("", ["public.example"]),
        (None, ["public.example"]),
    ],
)
def test_trusted_hosts_setting(setting, expected) -> None:
    assert trusted_hosts(setting, "public.example", local=False) == expected
