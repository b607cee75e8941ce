# agenda registers the week, agenda and overview on `bp`; outcomes the outcome form and the
# to-record list; pdfs the advisory records and the confirmation as PDF; calls the list of
# people to phone; waitlist the waiting list.
from . import agenda, calls, outcomes, pdfs, waitlist  # noqa: F401
from .views import bp

__all__ = ["bp"]
