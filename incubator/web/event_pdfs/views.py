"""Attendance lists (the event's trainers and managers), certificates of completion (a client
their own; the event's trainers and managers anyone's, with ``?user=``) and the public check of
a certificate code (no login; rate limited per address).

Who may print what is `domain.event_printouts`, the loading and the audit
`services.event_printouts`; the documents are `exports.pdf.attendance_list` and
`exports.pdf.certificate`. A refusal (too few sessions attended, not registered…) is the error
page with its sentence from the one table (`web.common.errors`), never a 500. Lists are in the
staff member's language, a certificate in its holder's.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import login_required

from ...clock import utcnow
from ...domain.errors import InvalidInput
from ...domain.events import CODE_LENGTH, normalise_code
from ...exports.pdf.attendance_list import attendance_list_pdf
from ...exports.pdf.certificate import certificate_pdf
from ...extensions import db
from ...services import event_attendance, event_printouts
from ..common import display
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.limits import CODE_FIELD, certificate_check_limit
from ..common.links import public_url_for
from ..common.pdfs import pdf_response

bp = Blueprint("event_pdfs", __name__)

MAX_TYPED_CODE = 40  # generous for spaces and dashes; longer input is no code


def _lists(event_id: int, session_id: int | None, filename: str) -> ResponseReturnValue:
    actor = current_actor()
    sheets = event_printouts.attendance_lists(
        db.session, actor, event_id, session_id=session_id, now=utcnow(), ip=client_ip()
    )
    body = attendance_list_pdf(
        sheets.event,
        sheets.sessions,
        sheets.people,
        walk_in_rows=sheets.walk_in_rows,
        locale=str(get_locale()),
        full_date=display.full_date,
        author=actor.full_name,
    )
    return pdf_response(body, filename)


@bp.get("/wydarzenia/<id:event_id>/sesje/<id:session_id>/lista-obecnosci.pdf")
@login_required
def session_attendance_list(event_id: int, session_id: int) -> ResponseReturnValue:
    return _lists(event_id, session_id, f"lista-obecnosci-{event_id}-{session_id}.pdf")


@bp.get("/wydarzenia/<id:event_id>/lista-obecnosci.pdf")
@login_required
def attendance_lists(event_id: int) -> ResponseReturnValue:
    """One list per session of the event, each from a new page."""
    return _lists(event_id, None, f"listy-obecnosci-{event_id}.pdf")


def _query_user() -> int | None:
    raw = request.args.get("user", "").strip()
    if not raw:
        return None
    value = display.parse_id(raw)
    if value is None:
        raise InvalidInput(field="user", reason="not_an_id")
    return value


@bp.get("/wydarzenia/<id:event_id>/certyfikat.pdf")
@login_required
def certificate(event_id: int) -> ResponseReturnValue:
    """A client's own certificate; staff name the person with ``?user=<id>``. Issued on the
    first print when attendance reaches CERTIFICATE_MIN_SHARE; the same one afterwards."""
    issued = event_printouts.certificate(
        db.session,
        current_actor(),
        event_id,
        user_id=_query_user(),
        share=current_app.config["CERTIFICATE_MIN_SHARE"],
        now=utcnow(),
        ip=client_ip(),
    )
    language = issued.user.preferred_language
    body = certificate_pdf(
        issued,
        locale=language if language in current_app.config["LANGUAGES"] else "pl",
        long_date=display.long_date,
        verify_url=public_url_for("event_pdfs.verify", **{CODE_FIELD: issued.code}),
    )
    return pdf_response(body, f"certyfikat-{issued.code}.pdf")


@bp.get("/certyfikat")
@certificate_check_limit
def verify() -> ResponseReturnValue:
    """Anyone checks a code: initials, the training and its dates, or "no such certificate"."""
    typed = request.args.get(CODE_FIELD, "").strip()[:MAX_TYPED_CODE]
    check = None
    if typed and len(normalise_code(typed)) == CODE_LENGTH + 1:
        check = event_attendance.verify(db.session, typed)
    return render_template(
        "event_pdfs/verify.html", typed=typed, check=check, code_field=CODE_FIELD
    )
