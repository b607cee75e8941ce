"""`POST /api/v1/people/{id}/erase` `{reason, ground?}`: anonymise a person (managers; issue #15).

200 with what was removed; 409 with the refusal's code and message (things ahead, a project's
retention date without a legal ground, already anonymised, a staff account with work, oneself);
422 for a missing reason or an unknown ground; 404 for an unknown id. The rules are
`domain.erasure`'s, the work `services.erasure`'s.
"""

from __future__ import annotations

from ...clock import utcnow
from ...domain.errors import NotAllowed
from ...extensions import db
from ...services import erasure
from ..common.access import current_actor
from ..common.client import client_ip
from .inputs import json_body, str_field
from .responses import login_required
from .views import bp


@bp.post("/people/<id:person_id>/erase")
@login_required
def erase_person(person_id: int):
    actor = current_actor()
    if not actor.is_manager:
        raise NotAllowed(reason="managers_only")
    body = json_body()
    removed = erasure.erase(
        db.session,
        actor=actor,
        person_id=person_id,
        reason=str_field(body, "reason", required=False),
        ground=str_field(body, "ground", required=False) or None,
        now=utcnow(),
        ip=client_ip(),
    )
    return {"id": person_id, "erased": True, "removed": removed}
