"""Absolute links for e-mails and feeds, built from the configured PUBLIC_URL, not the request.

`url_for(..., _external=True)` takes the host from the request's Host header, so a forged header
would put an attacker's address into a password e-mail. `public_url_for` binds the URL map to
PUBLIC_URL instead (``https://inkubator.example.org`` or ``https://example.org/inkubator``),
which works the same inside a request, in a command and in a background job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def public_url_for(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` on the public site (PUBLIC_URL)."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
