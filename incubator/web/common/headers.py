"""Security headers on every answer, set in one place (`add_security_headers`).

* ``Content-Security-Policy``: scripts, styles, images and fonts from this site only, no inline
  script or style (the templates have none: behaviour lives in ``static/js/``, looks in
  ``static/css/``), no plug-ins, no ``<base>``, forms post only here, and no framing.
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (older browsers).
* ``Referrer-Policy: same-origin``, unless the view chose a stricter one (the reset page, whose
  address holds the token, sends ``no-referrer``).
* ``Permissions-Policy``: camera, microphone, geolocation and other device features off.
* ``Cache-Control: no-store`` on every page and API answer except static files and the public
  reference data (offices, areas, experts, free slots, the OpenAPI document): the rule is
  "no-store unless known to be public", so a new page that shows personal data is covered
  without anyone remembering to mark it.
* ``Strict-Transport-Security`` only when ``SESSION_COOKIE_SECURE`` is on, i.e. the site is
  served over HTTPS.

The server banner: gunicorn sends ``Server: gunicorn`` (no version) and the reverse proxy should
hide its own version (``server_tokens off``, see docs/deployment.md). The application sets no
``Server`` header, except under Werkzeug's development server (``incubator demo``), whose default
banner names the Werkzeug and Python versions.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
# Endpoints whose answers carry nothing personal: the same for every visitor.
PUBLIC_ENDPOINTS = frozenset(
    {"static", "api.branches", "api.domains", "api.experts", "api.slots", "api.openapi"}
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.endpoint not in PUBLIC_ENDPOINTS and "no-store" not in headers.get(
        "Cache-Control", ""
    ):  # a view may say more ("private, no-store" on a PDF), never less
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = HSTS
    if request.environ.get("SERVER_SOFTWARE", "").startswith("Werkzeug/"):
        headers["Server"] = "Werkzeug"  # instead of "Werkzeug/3.x Python/3.y"
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
