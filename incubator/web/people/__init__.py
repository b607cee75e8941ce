"""A person's data for managers (RODO): the overview, the subject access export and erasure.

Every page here is for managers only (`managers_only` runs before each request).
"""

from ..common.access import managers_only
from . import erasure  # noqa: F401  (registers /osoby/<id>/anonimizacja on `bp`)
from .views import bp

bp.before_request(managers_only)

__all__ = ["bp"]
