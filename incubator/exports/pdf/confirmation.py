"""The appointment confirmation for a client booked by phone: one A4 page in large type and plain
words — when, where (the office's address and phone), with whom, what to bring, how to cancel.

In the client's language (the caller passes it). The sentences are the ones of the printable
confirmation page (`templates/booking/_booking.html`), so paper and screen say the same. The
"my consultations" address comes from the caller, built from PUBLIC_URL; None for a client
without an account, who is told to phone the office.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Spacer, Table, TableStyle

from ...models import Consultation
from . import fonts
from .pages import build, office_name, para, text_width, time_range

BODY_PT = 16  # large type for people not used to small print
HEADLINE_PT = 26
MAX_NAMES = 4  # more attendees than this are counted, not named


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts.register()
    lead = BODY_PT * 1.3
    return {
        "org": ParagraphStyle("org", fontName=regular, fontSize=14, leading=18),
        "h1": ParagraphStyle(
            "h1", fontName=bold, fontSize=HEADLINE_PT, leading=HEADLINE_PT * 1.2, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", fontName=bold, fontSize=19, leading=24, spaceBefore=9, spaceAfter=3
        ),
        "label": ParagraphStyle("label", fontName=bold, fontSize=BODY_PT, leading=lead),
        "body": ParagraphStyle("body", fontName=regular, fontSize=BODY_PT, leading=lead),
        "when": ParagraphStyle("when", fontName=bold, fontSize=20, leading=25),
        "alert": ParagraphStyle(
            "alert", fontName=bold, fontSize=20, leading=25, textColor=colors.HexColor("#a00000")
        ),
    }


def _place(c: Consultation) -> list[str]:
    branch = c.branch
    lines = [office_name(branch)]
    if branch.address:
        lines.append(branch.address)
    if branch.phone:
        lines.append(_("Phone: %(phone)s", phone=branch.phone))
    return lines


def _details(c: Consultation, full_date: Callable[[datetime], str], locale: str, s: dict) -> Table:
    names = _names(c)
    rows = [
        (_("Date"), [para(full_date(c.start_dt), s["when"])]),
        (_("Time"), [para(time_range(c.start_dt, c.end_dt), s["when"])]),
        (_("Place"), [para(line, s["body"]) for line in _place(c)]),
        (_("Expert"), [para(c.expert.public_name, s["body"])]),
        (_("Area"), [para(c.domain.name(locale), s["body"])]),
        (_("For"), [para(names, s["body"])]),
    ]
    label = 42 * mm
    table = Table(
        [[para(k, s["label"]), v] for k, v in rows], colWidths=[label, text_width() - label]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def _names(c: Consultation) -> str:
    """Who the consultation is for; a large group as "the client and N other people", so the
    page stays one page."""
    others = [a.user.full_name for a in c.attendees if a.user_id != c.client_id]
    if len(others) <= MAX_NAMES - 1:
        return ", ".join([c.client.full_name, *others])
    return ngettext(
        "%(name)s and %(num)d other person",
        "%(name)s and %(num)d other people",
        len(others),
        name=c.client.full_name,
    )


def _bullets(lines: list[str], s: dict) -> ListFlowable:
    return ListFlowable(
        [ListItem(para(line, s["body"]), leftIndent=14, value="•") for line in lines],
        bulletType="bullet",
        bulletFontName=s["body"].fontName,
        bulletFontSize=BODY_PT,
        leftIndent=14,
    )


def _how_to_cancel(c: Consultation, cancel_hours: int, my_bookings_url: str | None) -> list[str]:
    phone = c.branch.phone
    if my_bookings_url is None:
        first = (
            _("To cancel or change the time, please call the office: %(phone)s.", phone=phone)
            if phone
            else _("To cancel or change the time, please call or visit the office.")
        )
        return [
            first,
            _("Please let us know as early as you can, so that someone else can have the time."),
        ]
    online = ngettext(
        "You can cancel or change the time under “My consultations” up to %(num)d hour before the start.",  # noqa: E501
        "You can cancel or change the time under “My consultations” up to %(num)d hours before the start.",  # noqa: E501
        cancel_hours,
    )
    later = (
        _("Later, or if you have no Internet, please call the office: %(phone)s.", phone=phone)
        if phone
        else _("Later, or if you have no Internet, please call or visit the office.")
    )
    return [online, my_bookings_url, later]


def confirmation_pdf(
    c: Consultation,
    *,
    locale: str,
    full_date: Callable[[datetime], str],
    cancel_hours: int,
    my_bookings_url: str | None,
) -> bytes:
    """One page confirming ``c`` to its client, in ``locale``."""
    s = _styles()
    with force_locale(locale):
        story: list = [
            para(_("Social Economy Incubator"), s["org"]),
            para(_("Confirmation of your consultation"), s["h1"]),
            para(_("Booking number: %(number)s", number=c.id), s["label"]),
        ]
        if c.is_cancelled:
            story.append(para(_("This consultation has been cancelled."), s["alert"]))
        story += [Spacer(1, 4), _details(c, full_date, locale, s)]
        if not c.is_cancelled:
            story.append(para(_("What to bring"), s["h2"]))
            story.append(_bullets(_to_bring(), s))
            story.append(para(_("If you cannot come"), s["h2"]))
            story += [
                para(line, s["body"]) for line in _how_to_cancel(c, cancel_hours, my_bookings_url)
            ]
        title = _("Confirmation of your consultation")
        return build(story, title=title, page_text=_("Page %(page)s of %(pages)s"))


def _to_bring() -> list[str]:
    return [
        _("an identity document;"),
        _(
            "any papers about your question: letters, contracts, a draft statute, financial documents;"  # noqa: E501
        ),
        _("a list of questions you want to ask."),
    ]
