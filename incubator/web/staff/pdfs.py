"""Staff: the advisory record (karta doradztwa) of a consultation or of a day, and the appointment
confirmation for a client booked by phone, as PDF.

Who may print what is `domain.printouts`, the loading and the audit `services.printouts`; the
documents are `exports.pdf.advisory_record` and `exports.pdf.confirmation`. The records are in
the staff member's language, the confirmation in the client's.
"""

from __future__ import annotations

from flask import abort, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from ...clock import utcnow
from ...domain.errors import InvalidInput, NotFound
from ...exports.pdf.advisory_record import advisory_records_pdf
from ...extensions import db
from ...services import printouts
from ..common import display
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.pdfs import confirmation_response, pdf_response
from .views import bp


def _records_pdf(records: printouts.Records, filename: str) -> ResponseReturnValue:
    body = advisory_records_pdf(
        records.consultations,
        projects=records.projects,
        locale=str(get_locale()),
        full_date=display.full_date,
        author=current_actor().full_name,
    )
    return pdf_response(body, filename)


@bp.get("/konsultacje/<id:consultation_id>/karta.pdf")
def advisory_record(consultation_id: int) -> ResponseReturnValue:
    try:
        records = printouts.advisory_record(
            db.session, current_actor(), consultation_id, now=utcnow(), ip=client_ip()
        )
    except NotFound:
        abort(404)
    return _records_pdf(records, f"karta-doradztwa-{consultation_id}.pdf")


def _query_id(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = display.parse_id(raw)
    if value is None:
        raise InvalidInput(field=name, reason="not_an_id")
    return value


@bp.get("/dzien/<day>/karty.pdf")
def day_records(day: str) -> ResponseReturnValue:
    """The records of one day at ``?branch=`` (a manager may name ``?expert=`` instead or as
    well); an expert's are their own. A refusal is an error page in the user's language."""
    the_day = display.parse_day(day)
    if the_day is None or len(day) != len("2026-12-08"):
        raise InvalidInput(field="date", reason="malformed")
    user = current_actor()
    records = printouts.day_records(
        db.session,
        user,
        the_day,
        branch_id=_query_id("branch"),
        expert_id=_query_id("expert") if user.is_manager else None,
        now=utcnow(),
        ip=client_ip(),
    )
    return _records_pdf(records, f"karty-doradztwa-{the_day.isoformat()}.pdf")


@bp.get("/konsultacje/<id:consultation_id>/potwierdzenie.pdf")
def confirmation(consultation_id: int) -> ResponseReturnValue:
    """For the client booked by phone: in the client's language."""
    try:
        c = printouts.confirmation(db.session, current_actor(), consultation_id)
    except NotFound:
        abort(404)
    return confirmation_response(c, locale=c.client.preferred_language)
