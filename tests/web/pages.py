"""Helpers for reading pages in web tests."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import func, select

from incubator.models import Consultation

HREF = re.compile(r'href="([^"]+)"')


def page(response) -> str:
    """The response body as text with HTML entities decoded."""
    return unescape(response.get_data(as_text=True))


def links(html: str, path: str) -> list[str]:
    """Every link in `html` whose path is `path` (query strings kept)."""
    return [unescape(h) for h in HREF.findall(html) if urlsplit(unescape(h)).path == path]


def count(db, model=Consultation) -> int:
    """Rows of `model` in the database."""
    return db.session.scalar(select(func.count()).select_from(model))
