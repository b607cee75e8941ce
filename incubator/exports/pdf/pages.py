"""What every PDF shares: the A4 document with DejaVu Sans, the "Strona 1 z N" footer, Warsaw
times.

The page count is known only once every page is laid out, so the canvas keeps each page's state
and writes the footers at the end (the two-pass "NumberedCanvas" recipe of reportlab).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate
from reportlab.platypus.paragraph import ParagraphStyle

from ...domain.calendar import WARSAW
from ...models import Branch
from . import fonts

MARGIN = 18 * mm


def numbered_canvas(
    page_text: str, font: str, size: float = 8, page_width: float = A4[0]
) -> type[canvas.Canvas]:
    """A canvas class that writes ``page_text % {"page", "pages"}`` at the foot of every page."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, size)
                if page_text:
                    text = page_text % {"page": self._pageNumber, "pages": total}
                    self.drawRightString(page_width - MARGIN, 10 * mm, text)
                super().showPage()
            super().save()

    return NumberedCanvas


def build(
    story: Sequence[Flowable],
    *,
    title: str,
    page_text: str,
    author: str = "",
    pagesize: tuple[float, float] = A4,
    on_page: Callable[[canvas.Canvas, Any], None] | None = None,
) -> bytes:
    """Lay out ``story`` on A4 pages (portrait, or ``pagesize``) with the numbered footer; the
    PDF's bytes. ``on_page(canvas, doc)`` draws on every page before its flowables (a running
    header, a border); an empty ``page_text`` leaves the footer out."""
    regular, _bold = fonts.register()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=MARGIN,
        title=title,
        author=author,
    )
    pages = {"onFirstPage": on_page, "onLaterPages": on_page} if on_page else {}
    doc.build(
        list(story),
        canvasmaker=numbered_canvas(page_text, regular, page_width=pagesize[0]),
        **pages,
    )
    return out.getvalue()


def text_width(pagesize: tuple[float, float] = A4) -> float:
    """The width between the margins of an A4 page (portrait, or ``pagesize``)."""
    return pagesize[0] - 2 * MARGIN


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: names and topics may hold ``<`` or ``&``)."""
    return Paragraph(escape(text), style)


def office_name(branch: Branch) -> str:
    """ "Piwniczna-Zdrój (filia Nowy Sącz)": a branch office names the office it belongs to."""
    if branch.parent is None:
        return branch.name
    parent = _("branch office of %(name)s", name=branch.parent.name)
    return f"{branch.name} ({parent})"


def hhmm(value: datetime) -> str:
    """ "09:30" in Warsaw time (naive values are UTC, as everywhere in the app)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(WARSAW).strftime("%H:%M")


def time_range(start: datetime, end: datetime) -> str:
    return f"{hhmm(start)}–{hhmm(end)}"
