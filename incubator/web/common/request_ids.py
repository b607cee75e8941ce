"""One id per request, to find a failed request in the log from what the person saw.

The id is 16 hex characters, or a sane ``X-Request-ID`` sent by the proxy in front (so nginx's
and the app's log lines can be joined). It is returned in the ``X-Request-ID`` response header,
logged with every unexpected error and shown on the error page and in the API's error body.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    """This request's id (made on first use); "-" outside a request."""
    if not has_request_context():
        return "-"
    value = g.get("request_id")
    if value is None:
        incoming = request.headers.get(HEADER, "")
        value = incoming if _SANE.fullmatch(incoming) else secrets.token_hex(8)
        g.request_id = value
    return value


def _add_header(response: Response) -> Response:
    response.headers[HEADER] = current_request_id()
    return response


def install(app: Flask) -> None:
    # No before_request hook: the id is made on first use (a log line, an error page, or at the
    # latest this header), which is the same id for the whole request and saves a hook call.
    app.after_request(_add_header)
