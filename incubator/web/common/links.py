"""Absolute links for pages and e-mails: see `incubator.public_urls` (shared with services)."""

from ...public_urls import public_url_for

__all__ = ["public_url_for"]
