"""Every refusal code has an HTTP status and a message, in one table each (web/common/errors.py)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask
from flask_babel import force_locale

import incubator
from incubator.domain.errors import DomainError
from incubator.web.common import errors as tables


def _all_refusals() -> list[type[DomainError]]:
    # Import every module, so every subclass defined anywhere is known.
    for module in pkgutil.walk_packages(incubator.__path__, "incubator."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found: list[type[DomainError]] = []
    pending = [DomainError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: (c.code, c.__qualname__))


REFUSALS = _all_refusals()


def test_refusals_are_found() -> None:
    # Guards the parametrised tests below against silently testing nothing.
    codes = {cls.code for cls in REFUSALS}
    assert {"slot_taken", "overlap", "weak_password", "not_found", "busy"} <= codes


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_code_has_a_status_and_a_message(cls: type[DomainError]) -> None:
    assert cls.code in tables.STATUS, f"{cls.code!r} has no HTTP status"
    assert cls.code in tables.MESSAGES, f"{cls.code!r} has no message"
    assert 400 <= tables.STATUS[cls.code] < 600


def test_tables_hold_no_stale_codes() -> None:
    codes = {cls.code for cls in REFUSALS}
    assert set(tables.STATUS) == codes
    assert set(tables.MESSAGES) == codes


@pytest.mark.parametrize("code", sorted(c for c in tables.MESSAGES if c != "overlap"))
@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_message_renders(app: Flask, code: str, language: str) -> None:
    class Refusal(DomainError):
        pass

    Refusal.code = code  # type: ignore[misc]
    error = Refusal()
    with app.test_request_context(), force_locale(language):
        message = tables.message_for(error)
    assert message.strip() and "%(" not in message
    del Refusal


def test_message_depends_on_parameters(app: Flask) -> None:
    from incubator.domain.errors import NotFound, UnknownBranch

    with app.test_request_context(), force_locale("en"):
        assert tables.message_for(NotFound(consultation_id=5)) == "Consultation not found."
        assert "offices from the list" in tables.message_for(UnknownBranch(field="branch"))
        assert tables.message_for(UnknownBranch(branch_id=9)) == "Unknown office."
    with app.test_request_context(), force_locale("pl"):
        assert tables.message_for(NotFound(consultation_id=5)) == "Nie znaleziono konsultacji."


def test_no_status_below_the_web_layer() -> None:
    for cls in REFUSALS:
        assert "status" not in vars(cls), f"{cls.__qualname__} carries an HTTP status"
