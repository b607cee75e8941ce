"""JSON API v1, mounted at /api/v1 (see views.py, and openapi.py for its description)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import views  # noqa: E402,F401
