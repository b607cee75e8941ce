"""The OpenAPI description of the people routes (issue #15)."""

from __future__ import annotations

from typing import Any


def people_paths() -> dict[str, Any]:
    return {}
