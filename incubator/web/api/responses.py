"""JSON errors and the API's own log-in check.

Every error the API answers has the shape ``{"error": {"code": "...", "message": "..."}}``:
``code`` is stable (clients branch on it), ``message`` is translated for people. Domain refusals
(`DomainError`) are mapped generically through the tables in `web.common.errors`; nothing here
knows the individual rules.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ...domain.booking_rules import SlotTaken
from ...domain.errors import Busy, DomainError
from ..common.errors import message_for, status_for
from . import serializers

F = TypeVar("F", bound=Callable[..., Any])
RETRY_AFTER_SECONDS = 2


def json_error(
    status: int, code: str, message: str, *, field: str | None = None, **extra: Any
) -> tuple[Response, int]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return jsonify({"error": error, **extra}), status


def domain_error(error: DomainError) -> tuple[Response, int]:
    extra: dict[str, Any] = {}
    if isinstance(error, SlotTaken):
        extra["next_slots"] = [serializers.slot(s) for s in error.next_slots]
    # Which input was wrong, for `invalid_input`: the message is for people and names no field.
    field = error.params.get("field") if error.code == "invalid_input" else None
    response, status = json_error(
        status_for(error),
        error.code,
        message_for(error),
        field=field if isinstance(field, str) else None,
        **extra,
    )
    if isinstance(error, Busy):
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, status


def unauthorized() -> tuple[Response, int]:
    return json_error(401, "unauthorized", _("Please log in first."))


def login_required(view: F) -> F:
    """Flask-Login's decorator redirects to the login page; an API client needs a 401 JSON."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return unauthorized()
        return view(*args, **kwargs)

    return cast(F, wrapped)


def register_error_handlers(bp: Blueprint) -> None:
    bp.register_error_handler(DomainError, domain_error)
