"""The manager's reports: people served, on screen and as PDF, CSV and XLSX (see views.py)."""

from .views import bp

__all__ = ["bp"]
