"""JSON API v1, mounted at /api/v1 (see views.py, and openapi.py for its description)."""

# reports registers GET /reports/summary on `bp` (kept apart from the booking views).
from . import reports  # noqa: F401

# groups registers the founding groups' routes (issue #12) on `bp`.
from . import groups  # noqa: F401, E402
from .views import bp

__all__ = ["bp"]
