"""The certificate of completion of a training: one A4 landscape page, centred, inside a double
frame — the incubator, "Certificate of completion", the person's full name, the training's title,
its dates (first–last session, Europe/Warsaw), the sessions attended of those held, the date of
issue, a signature line for the incubator's manager, and the code with the address where anyone
can check it.

The address is the caller's, built from PUBLIC_URL (never from a request's Host). In the given
locale (the holder's language); dates in words come from the caller, as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from ...models import EventCertificate
from . import fonts
from .pages import build, para, text_width

PAGE = landscape(A4)
ACCENT = colors.HexColor("#1f4e79")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()

    def centred(name: str, font: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.25, alignment=TA_CENTER, **kw
        )

    return {
        "org": centred("org", regular, 14, textColor=ACCENT),
        "h1": centred("h1", bold, 34, textColor=ACCENT, spaceBefore=10, spaceAfter=14),
        "lead": centred("lead", regular, 13),
        "name": centred("name", bold, 30, spaceBefore=10, spaceAfter=14),
        "title": centred("title", bold, 18, spaceBefore=8, spaceAfter=10),
        "body": centred("body", regular, 12.5, spaceAfter=2),
        "sign": centred("sign", regular, 9.5),
    }


def _frame_and_code(code_line: str, url_line: str) -> Callable[[Any, Any], None]:
    """A double frame around the page, and the code with the checking address at its foot."""

    def draw(canvas: Any, doc: Any) -> None:
        regular, bold = fonts.register()
        width, height = PAGE
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2.2)
        canvas.rect(9 * mm, 9 * mm, width - 18 * mm, height - 18 * mm)
        canvas.setLineWidth(0.6)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.setFont(bold, 10.5)
        canvas.drawCentredString(width / 2, 25 * mm, code_line)
        canvas.setFont(regular, 9)
        canvas.drawCentredString(width / 2, 20 * mm, url_line)
        canvas.restoreState()

    return draw


def _dates(first: date | datetime | None, last: date | datetime | None, long_date) -> str:
    if first is None or last is None:
        return ""
    if long_date(first) == long_date(last):
        return _("held on %(date)s", date=long_date(first))
    return _("held from %(first)s to %(last)s", first=long_date(first), last=long_date(last))


def _line() -> HRFlowable:
    return HRFlowable(width=75 * mm, thickness=0.6, color=colors.black, spaceAfter=3)


def _signatures(issued: str, s: dict) -> Table:
    """The date of issue on the left, the line for the manager's signature on the right."""
    left = [para(issued, s["body"]), _line(), para(_("Date of issue"), s["sign"])]
    right = [Spacer(1, s["body"].leading), _line(),
             para(_("Signature of the incubator's manager"), s["sign"])]  # fmt: skip
    half = text_width(PAGE) / 2
    table = Table([[left, right]], colWidths=[half, half])
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "CENTER")])
    )
    return table


def certificate_pdf(
    certificate: EventCertificate,
    *,
    locale: str,
    long_date: Callable[[date | datetime], str],
    verify_url: str,
) -> bytes:
    """The certificate as PDF bytes; ``verify_url`` is the public page that checks its code."""
    s = _styles()
    event = certificate.event
    with force_locale(locale):
        attended = ngettext(
            "Attended %(attended)d of %(num)d session held.",
            "Attended %(attended)d of %(num)d sessions held.",
            certificate.sessions_held,
            attended=certificate.sessions_attended,
        )
        story: list = [
            Spacer(1, 10 * mm),
            para(_("Social Economy Incubator"), s["org"]),
            para(_("Certificate of completion"), s["h1"]),
            para(_("This is to certify that"), s["lead"]),
            para(certificate.user.full_name, s["name"]),
            para(_("has completed the training"), s["lead"]),
            para(_("“%(title)s”", title=event.title), s["title"]),
            para(_dates(event.starts_at, event.ends_at, long_date), s["body"]),
            para(attended, s["body"]),
            Spacer(1, 16 * mm),
            _signatures(long_date(certificate.issued_at_dt), s),
        ]
        on_page = _frame_and_code(
            _("Certificate code: %(code)s", code=certificate.code),
            _("Anyone can check this certificate at %(url)s", url=verify_url),
        )
        return build(
            story,
            title=_("Certificate of completion"),
            page_text="",
            pagesize=PAGE,
            on_page=on_page,
        )
