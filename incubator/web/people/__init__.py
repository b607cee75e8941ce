"""A person's data for managers (RODO): the overview, the subject access export and erasure."""

from .views import bp

__all__ = ["bp"]
