"""`GET /api/v1/people/{id}/export`: everything held about one person (issue #15)."""

from __future__ import annotations

from .views import bp  # noqa: F401
