"""`GET /api/v1/people/{person_id}/export`: everything held about one person (issue #15).

Managers export anyone; a person themselves (the same document as their account page's
download); others get 403 `export_not_allowed` before the id is looked at, and an unknown id is
404 `unknown_person`. Registered on the API blueprint from here.
"""

from __future__ import annotations

from flask import Response, jsonify

from ..common import subject_access as downloads
from .responses import login_required
from .views import bp


@bp.get("/people/<id:person_id>/export")
@login_required
def person_export(person_id: int) -> Response:
    """The subject access document as JSON (audited as a `json` export)."""
    return jsonify(downloads.export(person_id, "json"))
