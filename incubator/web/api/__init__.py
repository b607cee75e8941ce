"""JSON API v1, mounted at /api/v1 (see views.py, and openapi.py for its description)."""

# reports registers GET /reports/summary on `bp` (kept apart from the booking views), groups
# the founding groups' routes (issue #12), feeds the calendar feed's address and waitlist the
# waiting list (issue #13), events the trainings and information meetings (issue #14); people
# the subject access export, erasure the anonymisation and audit the trail (issue #15).
from . import audit, erasure, events, feeds, groups, people, reports, waitlist  # noqa: F401
from .views import bp

__all__ = ["bp"]
