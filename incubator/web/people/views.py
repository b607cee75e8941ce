"""Pages about one person's data, for managers (mounted at /osoby): what is held about them and
the subject access downloads (RODO art. 15). An unknown number answers 404 with a sentence
saying so (the `unknown_person` refusal); nothing is written then."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...exports.pdf import subject_access_labels as words
from ...extensions import db
from ...services import subject_access
from ..common import subject_access as downloads
from ..common.access import current_actor

bp = Blueprint("people", __name__)


@bp.get("/<id:person_id>")
def person(person_id: int) -> ResponseReturnValue:
    """The account, how much each section of the export holds, and the two downloads."""
    found, document = subject_access.overview(
        db.session,
        viewer=current_actor(),
        person_id=person_id,
        now=utcnow(),
        locale=downloads.locale(),
    )
    headings = words.headings()
    counts = subject_access.counts(document)
    return render_template(
        "people/person.html",
        person=found,
        account=document["account"],
        sections=[(headings[name], count) for name, count in counts.items()],
        has_record=document["participant_record"] is not None,
        is_staff=document["staff_work"] is not None,
    )


@bp.get("/<id:person_id>/eksport.json")
def export_json(person_id: int) -> Response:
    return downloads.json_download(person_id)


@bp.get("/<id:person_id>/eksport.pdf")
def export_pdf(person_id: int) -> Response:
    return downloads.pdf_download(person_id)
