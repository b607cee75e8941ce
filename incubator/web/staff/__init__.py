from . import agenda  # noqa: F401  (registers the week, agenda and overview on `bp`)
from .views import bp

__all__ = ["bp"]
