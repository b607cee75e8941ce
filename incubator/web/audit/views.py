"""The audit trail's pages (mounted at /audyt)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__)
