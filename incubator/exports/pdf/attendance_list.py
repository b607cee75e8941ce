"""The attendance list (lista obecności) of a session of a training or an information meeting:
the incubator, the place, the event and its kind, the session's date and time (Europe/Warsaw),
the trainers, then one row per registered person — number, full name, a wide box to sign in —
and, at an information meeting, a few blank rows for people who come without registering.

A long list flows onto further pages: the column headings repeat, and a line at the top of each
further page says which event and session it continues. Several sessions make one document,
each list from a new page; "Strona 1 z N" counts the whole document. In the given locale (the
staff member's); the date in words comes from the caller, as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from ...models import Event, EventKind, EventSession, User
from . import fonts
from .pages import MARGIN, build, office_name, para, text_width, time_range

ROW_HEIGHT = 10 * mm  # room for a signature
NUMBER_WIDTH = 12 * mm
NAME_WIDTH = 72 * mm


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()
    return {
        "org": ParagraphStyle("org", fontName=regular, fontSize=10, leading=13),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=17, leading=22, spaceBefore=4),
        "title": ParagraphStyle("title", fontName=bold, fontSize=12.5, leading=16, spaceBefore=2),
        "label": ParagraphStyle("label", fontName=bold, fontSize=10, leading=13),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=13),
        "name": ParagraphStyle("name", fontName=regular, fontSize=10.5, leading=13),
    }


def kind_label(kind: str) -> str:
    return _("Training") if kind == EventKind.TRAINING else _("Information meeting")


def place(event: Event) -> str:
    """The office (a filia names its parent) and its address, or the outside venue."""
    if event.branch is None:
        return event.venue
    parts = (office_name(event.branch), event.branch.address, event.venue)
    return ", ".join(part for part in parts if part)


def _details(
    event: Event, item: EventSession, full_date: Callable[[datetime], str]
) -> list[tuple[str, str]]:
    trainers = ", ".join(t.public_name for t in event.trainers) or "—"
    return [
        (_("Place"), place(event) or "—"),
        (_("Date"), full_date(item.start_dt)),
        (_("Time"), time_range(item.start_dt, item.end_dt)),
        (_("Trainers"), trainers),
    ]


def _grid(rows: list[list[Any]], widths: list[float], style: list[tuple]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                *style,
            ]
        )
    )
    return table


def _people_table(people: Sequence[User], blank_rows: int, s: dict) -> Table:
    head = [para(_("No."), s["label"]), para(_("Full name"), s["label"]),
            para(_("Signature"), s["label"])]  # fmt: skip
    rows: list[list[Any]] = [head]
    rows += [[para(f"{n}.", s["name"]), para(u.full_name, s["name"]), ""]
             for n, u in enumerate(people, start=1)]  # fmt: skip
    rows += [[para(f"{n}.", s["name"]), "", ""]
             for n in range(len(people) + 1, len(people) + blank_rows + 1)]  # fmt: skip
    widths = [NUMBER_WIDTH, NAME_WIDTH, text_width() - NUMBER_WIDTH - NAME_WIDTH]
    table = Table(
        rows,
        colWidths=widths,
        rowHeights=[None] + [ROW_HEIGHT] * (len(rows) - 1),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


class RunningHeader(Flowable):
    """Sets (or clears, with None) the line drawn at the top of the pages that follow: the
    pages a list continues on. Takes no room."""

    def __init__(self, text: str | None) -> None:
        super().__init__()
        self.text = text
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._running_header = self.text  # type: ignore[attr-defined]


def _draw_running_header(canvas: Any, doc: Any) -> None:
    text = getattr(canvas, "_running_header", None)
    if not text:
        return
    regular, _bold = fonts.register()
    canvas.saveState()
    canvas.setFont(regular, 8)
    canvas.drawString(MARGIN, A4[1] - 10 * mm, text)
    canvas.restoreState()


def _sheet(
    sheet: tuple[Event, EventSession],
    people: Sequence[User],
    blank_rows: int,
    full_date: Callable[[datetime], str],
    s: dict,
) -> list:
    event, item = sheet
    label_width = 32 * mm
    details = [
        [para(k, s["label"]), para(v, s["body"])] for k, v in _details(event, item, full_date)
    ]
    continued = _(
        "%(title)s, %(date)s %(time)s: attendance list (continued)",
        title=event.title,
        date=full_date(item.start_dt),
        time=time_range(item.start_dt, item.end_dt),
    )
    return [
        para(_("Social Economy Incubator"), s["org"]),
        para(_("Attendance list"), s["h1"]),
        para(f"{kind_label(event.kind)}: {event.title}", s["title"]),
        Spacer(1, 4),
        _grid(
            details,
            [label_width, text_width() - label_width],
            [("LEFTPADDING", (0, 0), (0, -1), 0)],
        ),
        Spacer(1, 8),
        RunningHeader(continued),
        _people_table(people, blank_rows, s),
        RunningHeader(None),
    ]


def attendance_list_pdf(
    event: Event,
    sessions: Sequence[EventSession],
    people: Sequence[User],
    *,
    walk_in_rows: int,
    locale: str,
    full_date: Callable[[datetime], str],
    author: str = "",
) -> bytes:
    """The list of each of ``sessions`` (each from a new page) as PDF bytes; ``people`` in the
    order they are to be listed."""
    s = _styles()
    story: list = []
    with force_locale(locale):
        for number, item in enumerate(sessions):
            if number:
                story.append(PageBreak())
            story += _sheet((event, item), people, walk_in_rows, full_date, s)
        return build(
            story,
            title=_("Attendance list"),
            page_text=_("Page %(page)s of %(pages)s"),
            author=author,
            on_page=_draw_running_header,
        )
