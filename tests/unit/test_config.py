from __future__ import annotations

import pytest

from incubator import ConfigurationError, create_app
from incubator.config import Config, TestConfig, normalise_database_url


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
