# pdfs registers the client's confirmation PDF on `bp`.
from . import pdfs, waitlist  # noqa: F401
from .views import bp

__all__ = ["bp"]
