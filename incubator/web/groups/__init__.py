from . import edits  # noqa: F401  (the forms' routes, on the same blueprint)
from .views import bp

__all__ = ["bp"]
