"""What the web layer tells the services about the browser on the other end."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


def client_ip() -> str:
    """The client's address for the audit trail ("" when unknown)."""
    return request.remote_addr or ""


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, take the client from ``X-Forwarded-For``.

    Each trusted proxy appends the address it saw to ``X-Forwarded-For``; Werkzeug's `ProxyFix`
    takes the entry that many places from the right, so a client cannot forge its address by
    sending the header itself. With 0 (the default) the headers are ignored: without a proxy
    anyone could send them. The scheme (``X-Forwarded-Proto``) is trusted the same way.
    """
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or a positive number of proxies")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
