"""`GET /api/v1/audit`: the audit trail, filtered (managers; issue #15)."""

from __future__ import annotations

from .views import bp  # noqa: F401
