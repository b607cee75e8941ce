"""The audit trail for managers: browse and filter (mounted at /audyt)."""

from .views import bp

__all__ = ["bp"]
