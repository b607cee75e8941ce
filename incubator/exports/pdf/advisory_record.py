"""The advisory record (karta doradztwa): one consultation on one A4 page, as EFS projects keep
it on file — incubator, project, office, date and time, expert, area, attendees and whether each
came, topic and outcome, and a signature line for the expert and for each attendee.

A day document is several records one after another, each starting on a new page. The expert's
private notes are never printed. Wording is in the given locale (the staff member's language);
the date in words comes from the caller (`full_date`, the pages' own format), so a date reads
the same on paper as on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from ...models import Consultation, ConsultationAttendee
from . import fonts
from .pages import build, office_name, para, text_width, time_range

SIGNATURES_PER_ROW = 2


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()
    return {
        "org": ParagraphStyle("org", fontName=regular, fontSize=10, leading=13),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=17, leading=22, spaceBefore=4),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=15, spaceBefore=9),
        "label": ParagraphStyle("label", fontName=bold, fontSize=10, leading=13),
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=13),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8.5, leading=10.5),
        "sign": ParagraphStyle("sign", fontName=bold, fontSize=9.5, leading=12),
    }


def _office(c: Consultation) -> str:
    return ", ".join(part for part in (office_name(c.branch), c.branch.address) if part)


def _details(c: Consultation, full_date: Callable[[datetime], str], locale: str) -> list:
    rows = [
        (_("Office"), _office(c)),
        (_("Date"), full_date(c.start_dt)),
        (_("Time"), time_range(c.start_dt, c.end_dt)),
        (_("Expert"), c.expert.public_name),
        (_("Area"), c.domain.name(locale)),
    ]
    if c.founding_group is not None:
        rows.append((_("Founding group"), c.founding_group.name))
    rows.append((_("Topic"), c.topic or "—"))
    if c.topic_category is not None:
        rows.append((_("Topic category"), c.topic_category.name(locale)))
    if c.duration_min:
        rows.append((_("Actual length"), _("%(num)d min", num=c.duration_min)))
    return rows


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")))
    table.setStyle(TableStyle(style))
    return table


def _attendance(a: ConsultationAttendee) -> str:
    if a.attended is None:
        return _("Not recorded yet")
    return _("Came") if a.attended else _("Did not come")


def _attendees(c: Consultation, s: dict[str, ParagraphStyle]) -> Table:
    rows = [
        [para(_("No."), s["label"]), para(_("Name"), s["label"]), para(_("Attendance"), s["label"])]
    ]
    for number, a in enumerate(_ordered(c), start=1):
        rows.append(
            [para(f"{number}.", s["body"]), para(a.user.full_name, s["body"]),
             para(_attendance(a), s["body"])]
        )  # fmt: skip
    width = text_width()
    return _grid(rows, [12 * mm, width - 62 * mm, 50 * mm], header=True)


def _ordered(c: Consultation) -> list[ConsultationAttendee]:
    """The client the consultation is for first, then the others by name."""
    return sorted(c.attendees, key=lambda a: (a.user_id != c.client_id, a.user.full_name))


def _signature(name: str, role: str, s: dict[str, ParagraphStyle]) -> list:
    """Blank space to sign in, the line, and the signer's name and role printed under it."""
    line = HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=2)
    return [Spacer(1, 14 * mm), line, para(name, s["sign"]), para(role, s["small"])]


def _signatures(c: Consultation, s: dict[str, ParagraphStyle]) -> list:
    people = [(c.expert.public_name, _("Expert's signature"))]
    people += [(a.user.full_name, _("Attendee's signature")) for a in _ordered(c)]
    cells: list[Any] = [_signature(name, role, s) for name, role in people]
    while len(cells) % SIGNATURES_PER_ROW:
        cells.append("")
    rows = [cells[i : i + SIGNATURES_PER_ROW] for i in range(0, len(cells), SIGNATURES_PER_ROW)]
    column = text_width() / SIGNATURES_PER_ROW
    table = Table(rows, colWidths=[column] * SIGNATURES_PER_ROW)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    table.hAlign = "LEFT"
    place = Table([[_signature("", _("Place and date"), s)]], colWidths=[column], hAlign="LEFT")
    place.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 12 * mm)]))  # fmt: skip
    return [KeepTogether([para(_("Signatures"), s["h2"]), place]), table]


def _record(
    c: Consultation,
    project: str | None,
    full_date: Callable[[datetime], str],
    locale: str,
    s: dict[str, ParagraphStyle],
) -> list:
    story: list = [para(_("Social Economy Incubator"), s["org"])]
    if project:
        story.append(para(_("Project: %(name)s", name=project), s["org"]))
    story.append(para(_("Advisory record No. %(number)s", number=c.id), s["h1"]))
    story.append(Spacer(1, 4))
    label_width = 42 * mm
    rows = [[para(k, s["label"]), para(v, s["body"])] for k, v in _details(c, full_date, locale)]
    story.append(_grid(rows, [label_width, text_width() - label_width]))
    story.append(para(_("Attendees"), s["h2"]))
    story.append(Spacer(1, 3))
    story.append(_attendees(c, s))
    story.extend(_signatures(c, s))
    return story


def advisory_records_pdf(
    consultations: Sequence[Consultation],
    *,
    projects: Mapping[int, str],
    locale: str,
    full_date: Callable[[datetime], str],
    author: str = "",
) -> bytes:
    """The records of ``consultations`` (each from a new page) as PDF bytes; ``projects`` maps
    a consultation's id to the funded project it falls in."""
    s = _styles()
    story: list = []
    with force_locale(locale):
        for number, c in enumerate(consultations):
            if number:
                story.append(PageBreak())
            story += _record(c, projects.get(c.id), full_date, locale, s)
        title = _("Advisory record")
        page_text = _("Page %(page)s of %(pages)s")
        return build(story, title=title, page_text=page_text, author=author)
