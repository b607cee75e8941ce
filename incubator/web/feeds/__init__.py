"""Calendar feeds at secret addresses, read by calendar programs without a login (views.py)."""

from .views import bp

__all__ = ["bp"]
