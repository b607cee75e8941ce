"""Pages about one person's data, for managers (mounted at /osoby)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("people", __name__)
