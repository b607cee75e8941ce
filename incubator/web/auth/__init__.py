# own_data registers the person's own data downloads (RODO art. 15) on `bp`.
from . import own_data  # noqa: F401
from .views import bp

__all__ = ["bp"]
