"""Refuse requests whose Host header names a site we are not (TRUSTED_HOSTS, see config.py).

Absolute links never follow the Host header (`links.public_url_for`), but answering any host
invites cache poisoning and phishing through a look-alike name, so unknown hosts get 400. The
check runs before every other request hook; behind a proxy it sees the host after ProxyFix.
"""

from __future__ import annotations

from flask import abort, current_app, request
from werkzeug.sansio.utils import host_is_trusted


def refuse_unknown_host() -> None:
    allowed = current_app.config.get("ALLOWED_HOSTS")
    if allowed is not None and not host_is_trusted(request.host, allowed):
        current_app.logger.warning("Refused a request for unknown host %r", request.host[:100])
        abort(400)
