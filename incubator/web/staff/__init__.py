# agenda registers the week, agenda and overview on `bp`; outcomes the outcome form and the
# to-record list.
from . import agenda, calls, outcomes  # noqa: F401
from .views import bp

__all__ = ["bp"]
