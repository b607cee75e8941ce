from __future__ import annotations

import pytest

from incubator import ConfigurationError, create_app
from incubator.config import (
    DEMO_DATA_CONTROLLER,
    DEMO_DATA_PROTECTION_OFFICER,
    Config,
    DemoConfig,
    TestConfig,
    is_placeholder,
    normalise_database_url,
)


class _Production(Config):
    SECRET_KEY = None
    DATABASE_URL = "sqlite://"
    DEMO = False
    DEBUG = False


def test_production_refuses_to_start_without_secret_key() -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app(_Production)


def test_command_line_app_starts_but_refuses_to_serve_without_secret_key() -> None:
    app = create_app(_Production, strict=False)
    response = app.test_client().get("/")
    assert response.status_code == 500
    assert b"Traceback" not in response.data


def test_debug_and_demo_get_a_secret(tmp_path) -> None:
    class _Demo(_Production):
        DEMO = True

    app = create_app(_Demo)
    app.instance_path = str(tmp_path)
    assert app.config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_is_normalised(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_default_database_is_sqlite_in_instance_folder() -> None:
    class _NoUrl(TestConfig):
        DATABASE_URL = None

    app = create_app(_NoUrl)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///") and uri.endswith("instance/incubator.db")


# --- the parties the information clause names (RODO art. 13) -----------------------------------


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        (None, True),
        ("", True),
        ("   ", True),
        ("TODO", True),
        (" changeme ", True),
        (DEMO_DATA_CONTROLLER, True),
        (DEMO_DATA_PROTECTION_OFFICER.upper(), True),
        ("Fundacja Łąka, ul. Żytnia 7, 00-950 Warszawa", False),
        ("Jan Nowak, iod@laka.pl", False),
    ],
)
def test_placeholders_are_recognised(value, placeholder) -> None:
    assert is_placeholder(value) is placeholder


def test_the_demo_names_made_up_parties_and_tests_none() -> None:
    assert is_placeholder(DemoConfig.DATA_CONTROLLER) and DemoConfig.DATA_CONTROLLER
    assert is_placeholder(DemoConfig.DATA_PROTECTION_OFFICER)
    assert TestConfig.DATA_CONTROLLER is None and TestConfig.DATA_PROTECTION_OFFICER is None


def test_doctor_warns_about_a_missing_or_placeholder_party() -> None:
    from incubator.commands.doctor import OK, WARN, check_clause_party

    what = "the data controller's name and address"
    assert check_clause_party("DATA_CONTROLLER", None, what).status == WARN
    assert check_clause_party("DATA_CONTROLLER", DEMO_DATA_CONTROLLER, what).status == WARN
    real = check_clause_party("DATA_CONTROLLER", " Fundacja Łąka, Warszawa ", what)
    assert (real.status, real.detail) == (OK, "Fundacja Łąka, Warszawa")
