"""Every 500 is logged with a request id that the page (or the API's error body) shows, also after
the migrations ran inside the app (as the demo and these tests do)."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask_migrate import upgrade

from incubator import create_app
from incubator.config import TestConfig
from incubator.web.common.urls import API_ROOT


@pytest.fixture()
def boom_app(tmp_path) -> Flask:
    """An app of its own with a route that fails, migrated in-process like the demo's."""

    class _Config(TestConfig):
        DATABASE_URL = f"sqlite:///{tmp_path / 'boom.db'}"

    app = create_app(_Config)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get(f"{API_ROOT}/v1/boom")
    def api_boom():
        raise RuntimeError("secret internals")

    with app.app_context():
        upgrade()  # runs migrations/env.py, whose fileConfig used to silence every logger
    return app


def _error_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "incubator.web.errors"]


def test_a_500_is_logged_with_the_request_id_the_page_shows(boom_app, caplog) -> None:
    # fileConfig (in the migrations) replaced the root logger's handlers: capture again.
    logging.getLogger().addHandler(caplog.handler)
    try:
        response = boom_app.test_client().get("/boom")
    finally:
        logging.getLogger().removeHandler(caplog.handler)
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)
    html = response.get_data(as_text=True)
    assert f'<code id="request-id">{request_id}</code>' in html
    assert "secret internals" not in html
    [record] = _error_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.request_id == request_id
    assert request_id in record.getMessage() and "/boom" in record.getMessage()
    assert "secret internals" in caplog.text  # the traceback is in the log, not on the page


def test_app_loggers_stay_enabled_after_the_migrations(boom_app) -> None:
    assert not logging.getLogger("incubator.web.errors").disabled
    assert not logging.getLogger("incubator").disabled


def test_an_api_500_carries_the_request_id_in_its_json(boom_app, caplog) -> None:
    logging.getLogger().addHandler(caplog.handler)
    try:
        response = boom_app.test_client().get(f"{API_ROOT}/v1/boom")
    finally:
        logging.getLogger().removeHandler(caplog.handler)
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert [r.request_id for r in _error_records(caplog)] == [error["request_id"]]


def test_a_sane_incoming_request_id_is_kept_and_others_replaced(client) -> None:
    kept = client.get("/", headers={"X-Request-ID": "nginx-4f2a9c01"})
    assert kept.headers["X-Request-ID"] == "nginx-4f2a9c01"
    for bad in ("short", "x" * 65, "a b c d e f g h", "<script>alert(1)</script>"):
        replaced = client.get("/", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["X-Request-ID"])
    first, second = client.get("/"), client.get("/")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
