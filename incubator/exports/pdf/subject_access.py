"""The subject access export (RODO art. 15) as a readable PDF: the document of
`services.subject_access` section by section, each under its heading — the key–value sections
as two-column tables, the lists as tables whose long cells wrap and whose column headings repeat
on every page a table continues on. From the second page a line at the top names the person, so
a loose page still says whose data it holds. In the reader's locale; times in Warsaw time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from . import fonts
from . import subject_access_labels as words
from .pages import MARGIN, build, para, text_width

Json = dict[str, Any]
Cell = Callable[[Json], Sequence[Any]]  # the lines of one cell, from one item of a list
Columns = list[tuple[str, float, Cell]]  # each column's heading, share of the width, lines
KEY_VALUE = ("account", "information", "participant_record", "expert_profile", "staff_work")
LABEL_WIDTH = 62 * mm


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()
    return {
        "org": ParagraphStyle("org", fontName=regular, fontSize=10, leading=13),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=16, leading=21, spaceBefore=4),
        "h2": ParagraphStyle(
            "h2",
            fontName=bold,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "label": ParagraphStyle("label", fontName=bold, fontSize=8.5, leading=10.5),
        "body": ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=10.5),
        "text": ParagraphStyle("text", fontName=regular, fontSize=10, leading=13),
    }


def moment(raw: str | None) -> str:
    """An ISO instant of the document (Warsaw time already) as "2026-03-02 10:00"."""
    if not raw:
        return "—"
    try:
        return datetime.fromisoformat(raw).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return raw


def _span(start: str | None, end: str | None) -> str:
    if not start:
        return "—"
    first = moment(start)
    if end and end[:10] == start[:10]:
        return f"{first}–{moment(end)[11:]}"
    return f"{first} – {moment(end)}" if end else first


def _cell(lines: Sequence[Any], style: ParagraphStyle) -> Paragraph:
    """Several lines in one wrapping cell (each escaped: names and topics may hold ``<``)."""
    shown = [escape(str(line)) for line in lines if line not in (None, "")]
    return Paragraph("<br/>".join(shown) or "—", style)


def _table(rows: list[list[Any]], widths: list[float], *, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    shaded_end = (-1, 0) if header else (0, -1)  # the heading row, or the label column
    style.append(("BACKGROUND", (0, 0), shaded_end, colors.HexColor("#e8e8e8")))
    table.setStyle(TableStyle(style))
    return table


def _key_values(section: Json, s: dict, names: dict, values: dict) -> Table:
    rows = [
        [para(names.get(key, key), s["label"]), _cell([_shown(key, raw, values)], s["body"])]
        for key, raw in section.items()
    ]
    return _table(rows, [LABEL_WIDTH, text_width() - LABEL_WIDTH], header=False)


def _shown(key: str, raw: Any, values: dict) -> str:
    if isinstance(raw, str) and (key.endswith("_at") or key.endswith("_dt")):
        return moment(raw)
    if key in ("full_name", "email", "phone", "pesel", "locality", "title", "bio"):
        return raw or "—"  # a person's own words, never a code to translate
    return words.value(raw, values)


def _came() -> dict[bool | None, str]:
    return {True: _("Came"), False: _("Did not come"), None: _("Not recorded yet")}


def _activity_columns(v: dict, notes: bool) -> dict[str, Columns]:
    """Projects, consultations, groups and events."""

    def w(raw: Any) -> str:
        return words.value(raw, v)

    came = _came()
    consultations: Columns = [
        (_("Date"), 0.17, lambda i: [_span(i["start"], i["end"]), w(i["as"])]),
        (_("Office"), 0.2, lambda i: [i["office"], i["area"], i["expert"]]),
        (_("Status"), 0.2, lambda i: [
            w(i["status"]), came[i["attended"]] if i["status"] != "cancelled" else "",
            _("%(num)d min", num=i["duration_min"]) if i["duration_min"] else "",
            i["topic_category"], i["cancel_reason"]]),
        (_("Topic"), 0.2 if notes else 0.43, lambda i: [i["topic"], i["founding_group"]]),
    ]  # fmt: skip
    if notes:
        consultations.append((_("Expert's notes"), 0.23, lambda i: [i.get("notes")]))
    return {
        "projects": [
            (_("Project"), 0.3, lambda i: [i["project_code"], i["project_name"]]),
            (_("Entry date"), 0.2, lambda i: [i["entry_date"]]),
            (_("Age at entry"), 0.2, lambda i: [i["age_at_entry"]]),
            (_("Data at entry"), 0.3, lambda i: [
                w(x) for x in (i["labour_status"], i["education"], i["residence"]) if x]),
        ],
        "consultations": consultations,
        "founding_groups": [
            (_("Founding group"), 0.35, lambda i: [i["group"], i["office"]]),
            (_("Legal form"), 0.25, lambda i: [w(i["legal_form"]), w(i["stage"])]),
            (_("Membership"), 0.25, lambda i: [
                w(i["kind"]), _("Founder") if i["is_founder"] else "", i["at_risk_category"]]),
            (_("Member since"), 0.15, lambda i: [i["joined_date"], i["left_date"]]),
        ],
        "events": [
            (_("Event"), 0.3, lambda i: [i["title"], w(i["kind"]), _span(i["starts"], i["ends"])]),
            (_("Registration"), 0.25, lambda i: [
                f"{w(r['status'])}: {moment(r['registered_at'])}" for r in i["registrations"]]),
            (_("Attendance"), 0.28, lambda i: [
                f"{_span(x['start'], x['end'])}: {came[x['attended']]}" for x in i["sessions"]]),
            (_("Certificate"), 0.17, lambda i: [i["certificate"]["code"]]
             if i["certificate"] else []),
        ],
    }  # fmt: skip


def _contact_columns(v: dict) -> dict[str, Columns]:
    """The waiting list, messages, calls, calendar feeds and the trail."""

    def w(raw: Any) -> str:
        return words.value(raw, v)

    return {
        "waiting_list": [
            (_("Area"), 0.25, lambda i: [i["area"], i["office"]]),
            (_("Days wanted"), 0.18, lambda i: [i["from_date"], i["to_date"]]),
            (_("Status"), 0.22, lambda i: [w(i["status"]), moment(i["joined_at"])]),
            (_("Slots offered"), 0.35, lambda i: [
                f"{_span(o['start'], o['end'])}, {o['expert']}: {w(o['status'])}"
                for o in i["offers"]]),
        ],
        "messages": [
            (_("Date"), 0.2, lambda i: [moment(i["created_at"])]),
            (_("Kind"), 0.2, lambda i: [i["kind"]]),
            (_("Subject"), 0.4, lambda i: [i["subject"]]),
            (_("Status"), 0.2, lambda i: [w(i["status"]), moment(i["sent_at"])]),
        ],
        "call_tasks": [
            (_("Date"), 0.2, lambda i: [moment(i["created_at"])]),
            (_("Kind"), 0.2, lambda i: [i["kind"]]),
            (_("Note"), 0.4, lambda i: [i["note"]]),
            (_("Called"), 0.2, lambda i: [moment(i["done_at"]) if i["done_at"] else _("No")]),
        ],
        "calendar_feeds": [
            (_("Calendar"), 0.6, lambda i: [i["office"] or _("Own consultations")]),
            (_("Address created"), 0.4, lambda i: [moment(i["created_at"])]),
        ],
        "audit": [
            (_("Date"), 0.2, lambda i: [moment(i["at"])]),
            (_("Action"), 0.3, lambda i: [i["action"]]),
            (_("By"), 0.32, lambda i: [i["actor_name"] or "", w(i["actor_role"])]),
            (_("IP address"), 0.18, lambda i: [i["ip"]]),
        ],
    }  # fmt: skip


def _list(section: str, items: list[Json], s: dict, v: dict, notes: bool) -> Table:
    columns = {**_activity_columns(v, notes), **_contact_columns(v)}[section]
    head = [para(title, s["label"]) for title, _share, _lines in columns]
    rows = [head] + [[_cell(lines(item), s["body"]) for _t, _s, lines in columns] for item in items]
    return _table(rows, [share * text_width() for _t, share, _l in columns], header=True)


def _sections(document: Json, s: dict) -> list:
    names, values, headings = words.fields(), words.values(), words.headings()
    notes = "consultation_notes" not in document.get("withheld", [])
    story: list = []
    for key, heading in headings.items():
        section = document.get(key)
        if section is None and key in ("expert_profile", "staff_work"):
            continue  # a client has no expert profile, a client no work as staff
        story.append(para(heading, s["h2"]))
        if not section:
            story.append(para(_("Nothing recorded."), s["text"]))
        elif key in KEY_VALUE:
            story.append(_key_values(section, s, names, values))
        else:
            story.append(_list(key, section, s, values, notes))
    return story


def _running_header(text: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        if doc.page == 1:
            return
        regular, _bold = fonts.register()
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(MARGIN, A4[1] - 10 * mm, text)
        canvas.restoreState()

    return draw


def subject_access_pdf(document: Json, *, locale: str, author: str = "") -> bytes:
    """The PDF of a subject access ``document`` (`services.subject_access.export`)."""
    s = _styles()
    account = document["account"]
    with force_locale(locale):
        name = account["full_name"]
        title = _("Personal data held about %(name)s", name=name)
        story: list = [
            para(_("Social Economy Incubator"), s["org"]),
            para(title, s["h1"]),
            para(
                _(
                    "Person No. %(id)s · prepared %(when)s (UTC)",
                    id=account["id"],
                    when=document["generated_at"][:16].replace("T", " "),
                ),
                s["text"],
            ),
        ]
        explained = words.withheld()
        for code in document.get("withheld", []):
            story.append(para(explained.get(code, code), s["text"]))
        story.append(Spacer(1, 4))
        story += _sections(document, s)
        header = _("%(name)s (No. %(id)s): personal data, continued", name=name, id=account["id"])
        return build(
            story,
            title=title,
            page_text=_("Page %(page)s of %(pages)s"),
            author=author,
            on_page=_running_header(header),
        )
