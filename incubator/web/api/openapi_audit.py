"""The OpenAPI description of the audit routes (issue #15)."""

from __future__ import annotations

from typing import Any


def audit_paths() -> dict[str, Any]:
    return {}
