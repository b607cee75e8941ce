"""Error pages in the user's language, never a stack trace; JSON under /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ...domain.errors import Busy, DomainError
from ..common.errors import message_for, status_for
from ..common.request_ids import current_request_id
from ..common.urls import API_ROOT

log = logging.getLogger(__name__)
# Seconds a client should wait when the database stayed locked past its busy timeout.
BUSY_RETRY_AFTER_SECONDS = 2


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("Access denied"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("The page you are looking for does not exist.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        409: (_("Conflict"), _("Someone else changed this in the meantime. Please try again.")),
        415: (_("Bad request"), _("This address accepts forms only.")),
        429: (_("Too many attempts"), _("Too many attempts. Please wait a while and try again.")),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. It has been logged; please try again later."),
        ),
        503: (_("The system is busy"), _("The system is busy. Please try again in a moment.")),
    }


def _wants_json() -> bool:
    return request.path.startswith(API_ROOT + "/")


def render_error(code: int, message: str | None = None, error_code: str | None = None):
    title, default_message = _messages().get(code, _messages()[400 if code < 500 else 500])
    message = message or default_message
    # A server error carries the request id, so the person can quote it and we can find the log.
    request_id = current_request_id() if code >= 500 else None
    if _wants_json():
        error = {"code": error_code or _default_code(code), "message": message}
        if request_id:
            error["request_id"] = request_id
        return jsonify({"error": error}), code
    page = render_template(
        "errors/error.html", code=code, title=title, message=message, request_id=request_id
    )
    return page, code


def _default_code(code: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        415: "unsupported_media_type",
        422: "invalid_input",
        429: "too_many_requests",
        503: "busy",
    }.get(code, "internal_error")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if _wants_json():
            message = _(
                "The X-CSRFToken header is missing or out of date. Get a fresh token from "
                "GET /api/v1/session."
            )
        else:
            message = _(
                "Your form has expired or is missing its security token. Please reload the page."
            )
        return render_error(400, message, "csrf_failed")

    @app.errorhandler(Busy)
    def busy(error: Busy):
        """A write outside the API (pages, log-in) that waited past the busy timeout: 503."""
        response = make_response(render_error(503, message_for(error), error.code))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        """A refusal no view caught (e.g. a NUL byte refused before the view): its status and
        sentence from the one table; the API blueprint's own handler answers under /api/."""
        return render_error(status_for(error), message_for(error), error.code)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return http_error(error)
        request_id = current_request_id()
        log.exception(
            "Unhandled error [request %s] on %s %s",
            request_id,
            request.method,
            request.path,
            extra={"request_id": request_id},
        )
        return render_error(InternalServerError.code)
