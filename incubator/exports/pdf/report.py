"""The report for the funder as PDF: incubator, project, period, filters, every table and its
totals, author and date; "Strona 1 z N" in the footer (`pages.numbered_canvas`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from ..report_data import Table
from . import fonts
from .pages import numbered_canvas


@dataclass(frozen=True)
class PdfMeta:
    incubator: str
    title: str
    lines: Sequence[tuple[str, str]] = field(default_factory=tuple)
    page: str = "Strona %(page)s z %(pages)s"
    decimal: str = ","  # the decimal separator of the reader's language (Polish: a comma)


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    return {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=8),
        "small": ParagraphStyle("small", fontName=regular, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=10.5),
    }


def _table(t: Table, styles: dict[str, ParagraphStyle], width: float, decimal: str) -> list[Any]:
    def cell(value: Any, style: str) -> Any:
        if isinstance(value, float):
            value = f"{value:.1f}".replace(".", decimal)
        return Paragraph(escape(str(value)), styles[style])

    data = [[cell(h, "head") for h in t.headers]]
    data += [[cell(v, "cell") for v in row] for row in t.rows]
    first = width * (0.25 if t.key == "by_month" else 0.5 if len(t.headers) > 2 else 0.7)
    rest = (width - first) / max(len(t.headers) - 1, 1)
    grid = PdfTable(data, colWidths=[first] + [rest] * (len(t.headers) - 1), repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    title = Paragraph(escape(t.title), styles["h2"])
    if len(t.rows) <= 20:
        return [KeepTogether([title, Spacer(1, 3), grid])]
    return [title, Spacer(1, 3), grid]


def report_pdf(parts: Sequence[Table], meta: PdfMeta) -> bytes:
    """The whole report as PDF bytes (A4, DejaVu Sans embedded)."""
    regular, bold = fonts.register()
    styles = _styles(regular, bold)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=meta.title,
        author=dict(meta.lines).get("author", ""),
    )
    story: list[Any] = [
        Paragraph(escape(meta.incubator), styles["small"]),
        Paragraph(escape(meta.title), styles["h1"]),
    ]
    for label, value in meta.lines:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {escape(value)}", styles["small"]))
    story.append(Spacer(1, 6))
    for t in parts:
        story += _table(t, styles, doc.width, meta.decimal)
    doc.build(story, canvasmaker=numbered_canvas(meta.page, regular))
    return out.getvalue()
