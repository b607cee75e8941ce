"""A person's own data (RODO art. 15) from their account page: everything the incubator holds
about them as JSON or as a PDF. A client gets it all but the experts' notes on consultations,
which they may ask the incubator for; a manager gets their own in full; experts ask a manager
(the service refuses them: 403)."""

from __future__ import annotations

from flask_login import login_required
from werkzeug.wrappers import Response

from ..common import subject_access as downloads
from ..common.access import current_actor
from .views import bp


@bp.get("/moje-dane.json")
@login_required
def own_data_json() -> Response:
    return downloads.json_download(current_actor().id)


@bp.get("/moje-dane.pdf")
@login_required
def own_data_pdf() -> Response:
    return downloads.pdf_download(current_actor().id)
