"""The printed documents of trainings and information meetings (issue #14): attendance lists
and certificates of completion as PDF, and the public page that checks a certificate's code."""

from .views import bp

__all__ = ["bp"]
