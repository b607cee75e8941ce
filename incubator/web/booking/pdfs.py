"""Clients: the confirmation of their own consultation as PDF, in their own language."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from ...domain.errors import NotFound
from ...extensions import db
from ...services import printouts
from ..common.access import current_actor
from ..common.pdfs import confirmation_response
from .views import bp


@bp.get("/moje-konsultacje/<id:consultation_id>/potwierdzenie.pdf")
def confirmation_pdf(consultation_id: int) -> ResponseReturnValue:
    user = current_actor()
    try:
        c = printouts.confirmation(db.session, user, consultation_id)
    except NotFound:
        abort(404)
    return confirmation_response(c, locale=user.preferred_language)
