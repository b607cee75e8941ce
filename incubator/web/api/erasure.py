"""`POST /api/v1/people/{id}/erase`: anonymise a person, or 409 with the reason (issue #15)."""

from __future__ import annotations

from .views import bp  # noqa: F401
