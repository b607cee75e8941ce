"""Public pages, language switch and error pages."""

from __future__ import annotations

from flask import Flask

from incubator import create_app
from incubator.config import TestConfig
from tests.factories import create_branch, create_domain, create_expert


def _offices(db) -> None:
    nowy_sacz = create_branch(code="nowy-sacz", name="Nowy Sącz")
    piwniczna = create_branch(code="piwniczna-zdroj", name="Piwniczna-Zdrój", parent=nowy_sacz)
    klucze = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    create_expert(domains=[law], branches=[klucze, piwniczna])
    create_expert(domains=[law], branches=[klucze])


def test_home_page_is_polish_and_lists_offices_with_filia(client, db) -> None:
    _offices(db)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="pl">' in html
    assert "Klucze" in html and "Nowy Sącz" in html and "Piwniczna-Zdrój" in html
    assert "Prawo" in html
    assert "Bezpłatne konsultacje" in html
    # Piwniczna-Zdrój is listed under Nowy Sącz, not as an office of its own.
    assert html.index("Nowy Sącz") < html.index("Piwniczna-Zdrój")
    assert html.count("<h3>Piwniczna-Zdrój</h3>") == 0
    # Polish plural forms: Klucze has 2 experts, Piwniczna-Zdrój 1.
    assert "2 ekspertów" in html and "1 ekspert)" in html
    assert '<meta name="csrf-token"' in html


def test_language_switch_to_english_and_back(client, db) -> None:
    _offices(db)
    response = client.post("/jezyk", data={"lang": "en", "next": "/"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "Free expert consultations" in html
    assert "Law" in html
    response = client.post("/jezyk", data={"lang": "pl", "next": "/"}, follow_redirects=True)
    assert '<html lang="pl">' in response.get_data(as_text=True)


def test_language_switch_ignores_off_site_next(client, db) -> None:
    response = client.post("/jezyk", data={"lang": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_404_page_is_polish_without_details(client) -> None:
    response = client.get("/nie-ma-takiej-strony")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Nie znaleziono strony" in html


def test_404_under_api_is_json(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_500_shows_a_polish_page_and_no_traceback(tmp_path) -> None:
    class _Config(TestConfig):
        DATABASE_URL = f"sqlite:///{tmp_path / 'x.db'}"

    app: Flask = create_app(_Config)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html and "Traceback" not in html
    assert "Coś poszło nie tak" in html


def test_static_assets_are_local(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html.split("<body")[0]  # nothing from a CDN in <head>
    response = client.get("/static/css/app.css")
    assert response.status_code == 200 and b"--green" in response.data
    response.close()


def test_privacy_and_accessibility_pages(client) -> None:
    assert "RODO" in client.get("/rodo").get_data(as_text=True)
    html = client.get("/deklaracja-dostepnosci").get_data(as_text=True)
    assert "WCAG 2.1" in html


def test_area_cards_say_what_each_area_helps_with_and_lead_into_booking(client, db) -> None:
    from tests.factories import create_domain

    create_domain(
        code="law",
        name_pl="Prawo",
        summary_pl="Statut, rejestracja w KRS, umowy.",
        summary_en="Statutes, KRS registration, contracts.",
    )
    html = client.get("/").get_data(as_text=True)
    assert "Statut, rejestracja w KRS, umowy." in html
    assert 'href="/rezerwacja/oddzial?domain=law"' in html
    # Logged out, the link asks to log in first and comes back to the area's booking.
    response = client.get("/rezerwacja/oddzial?domain=law")
    assert response.status_code == 302 and "logowanie" in response.headers["Location"]
    assert (
        "domain%3Dlaw" in response.headers["Location"]
        or "domain=law" in response.headers["Location"]
    )
