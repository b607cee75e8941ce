"""Security headers on pages, API answers, static files and error pages (web/common/headers.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from incubator.clock import utcnow
from incubator.services.password_tokens import make_password_token
from tests.conftest import login
from tests.factories import PASSWORD, create_client
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parents[2]
CSP_DIRECTIVES = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def assert_common_headers(response) -> None:
    assert _csp(response) == CSP_DIRECTIVES
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    features = dict(
        item.strip().split("=") for item in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"
    assert "Strict-Transport-Security" not in response.headers  # cookies are not secure here


@pytest.mark.parametrize(
    "path", ["/", "/konto/logowanie", "/konto/rejestracja", "/konto/reset", "/api/v1/session"]
)
def test_pages_and_api_answers_are_not_stored(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert_common_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_logged_in_page_and_the_api_are_not_stored(client, db) -> None:
    create_client(email="klient@example.org", full_name="Ewa Klientka")
    db.session.commit()
    login(client, "klient@example.org", PASSWORD)
    for path in ("/konto/", "/moje-konsultacje", "/api/v1/consultations", "/api/v1/session"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_common_headers(response)
        assert response.headers["Cache-Control"] == "no-store", path


@pytest.mark.parametrize(
    "path",
    ["/static/css/app.css", "/static/js/slots.js", "/api/v1/branches", "/api/v1/domains"],
)
def test_static_files_and_public_reference_data_may_be_cached(client, path) -> None:
    with client.get(path) as response:
        assert response.status_code == 200
        assert_common_headers(response)
        assert "no-store" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/nie-ma-takiej-strony", "/api/v1/nie-ma"])
def test_error_answers_carry_the_headers(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert_common_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_bad_request_on_the_api_carries_the_headers(client) -> None:
    response = client.post("/api/v1/session", data="[", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert_common_headers(response)


def test_the_reset_page_keeps_no_referrer(client, app, db) -> None:
    response = client.get("/konto/reset/not-a-token")  # refused: redirected to ask again
    assert response.headers["Referrer-Policy"] == "same-origin"
    user = create_client(email="reset@example.org")
    db.session.commit()
    token = make_password_token(user, secret_key=app.secret_key, now=utcnow())
    page = client.get(f"/konto/reset/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_hsts_only_when_cookies_are_secure(client, app) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        secure = client.get("/", base_url="https://localhost")
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_no_server_version_over_real_http(app, db) -> None:
    with live_server(app) as server:
        response = server.client().get("/")
    assert response.status == 200
    server_header = response.headers.get("Server", "")
    assert not re.search(r"\d", server_header), server_header
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- no inline script or style, which the policy would block -------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
JS_URL = re.compile(r"javascript:", re.I)


@pytest.mark.parametrize("template", sorted((ROOT / "templates").rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_style(template: Path) -> None:
    if "email" in template.parts:  # e-mails are read in a mail program, not under the CSP
        return
    text = template.read_text()
    for pattern in (INLINE_SCRIPT, EVENT_HANDLER, INLINE_STYLE, JS_URL):
        assert not pattern.search(text), f"{template.name}: {pattern.search(text).group(0)}"


def test_scripts_build_no_inline_script_or_style() -> None:
    for script in (ROOT / "static" / "js").rglob("*.js"):
        text = script.read_text()
        for forbidden in ("eval(", "new Function", "setAttribute('style'", 'setAttribute("style"'):
            assert forbidden not in text, f"{script.name}: {forbidden}"
        assert not re.search(r"\.innerHTML\s*=.*\sstyle=", text), script.name
