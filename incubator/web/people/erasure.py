"""A manager anonymises a person (RODO art. 17): `/osoby/<id>/anonimizacja`.

The page shows what stands in the way (things ahead, a project's retention date) before anything
is done; the rules and the work are `services.erasure`'s.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotFound
from ...extensions import db
from ...services import erasure
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for
from .erasure_form import ErasureForm
from .views import bp


@bp.route("/<id:person_id>/anonimizacja", methods=["GET", "POST"])
def erase(person_id: int) -> ResponseReturnValue:
    actor = current_actor()
    if not actor.is_manager:
        abort(403)
    form = ErasureForm()
    form.fill()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            erasure.erase(
                db.session, actor=actor, person_id=person_id, reason=form.reason.data,
                ground=form.ground.data or None, now=utcnow(), ip=client_ip(),
            )  # fmt: skip
        except NotFound:
            abort(404)
        except DomainError as refusal:
            error, status = message_for(refusal), 409 if refusal.field is None else 422
        else:
            flash(_("The person is anonymised. Every report keeps its figures."), "success")
            return redirect(url_for("people.erase", person_id=person_id))
    elif form.is_submitted():
        status = 422
    try:
        found = erasure.preview(db.session, actor=actor, person_id=person_id, now=utcnow())
    except NotFound:
        abort(404)
    return render_template(
        "people/erase.html",
        form=form,
        preview=found,
        refusal=message_for(found.refusal) if found.refusal else None,
        error=error,
        today=local_date(utcnow()),
    ), status
