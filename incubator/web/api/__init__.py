"""JSON API v1, mounted at /api/v1 (see views.py, and openapi.py for its description)."""

from .views import bp

__all__ = ["bp"]
