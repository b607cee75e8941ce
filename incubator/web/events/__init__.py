"""Trainings and information meetings: the list, an event's page with registration, creating
an event (managers) and ticking attendance (trainers, managers)."""

from . import attendance, manage  # noqa: F401  (register their routes on `bp`)
from .views import bp

__all__ = ["bp"]
