"""What the web layer tells the services about the browser on the other end."""

from __future__ import annotations

from flask import request


def client_ip() -> str:
    """The client's address for the audit trail ("" when unknown)."""
    return request.remote_addr or ""
