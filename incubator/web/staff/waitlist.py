"""Staff: the waiting list of every office — who waits for what, the times held for them —
and, on a client's behalf (by phone), joining it, confirming or declining an offer, leaving."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...domain.bounds import is_id
from ...domain.errors import DomainError
from ...extensions import db
from ...services import clients, waitlist
from ..common import booking_flow as f
from ..common import waitlist_pages as pages
from ..common.access import current_actor
from ..common.errors import message_for
from .views import bp, branch_choices


@bp.get("/lista-oczekujacych")
def waitlist_page() -> ResponseReturnValue:
    user = current_actor()
    branch_id = f.parse_id(request.args.get("office"))
    error = None
    try:
        entries = waitlist.queue(
            db.session, user, branch_id=branch_id, area_code=request.args.get("area") or None
        )
    except DomainError as refusal:
        entries, error = [], message_for(refusal)
    client = clients.get_client(db.session, f.parse_id(request.args.get("client")) or 0)
    place = None
    if client is not None:
        own = waitlist.entries_of(db.session, client.id)
        place = pages.unless_waiting(pages.chosen_place(request.args), own)
    form = pages.JoinForm(
        data={"domain": place[0].code, "branch": place[1].id, "client": client.id}
        if place and client
        else None
    )
    return render_template(
        "staff/waitlist.html",
        entries=entries,
        positions=_positions(entries),
        error=error,
        client=client,
        place=place,
        form=form,
        branches=branch_choices(),
        office=branch_id,
        can_act=not user.is_expert,
        **pages.page_helpers(),
    )


def _positions(entries: list) -> dict[int, int]:
    """Each entry's place in its own line (area at office), first come first served."""
    seen: dict[tuple[int, int], int] = {}
    positions = {}
    for entry in entries:
        line = (entry.area_id, entry.branch_id)
        seen[line] = seen.get(line, 0) + 1
        positions[entry.id] = seen[line]
    return positions


@bp.post("/lista-oczekujacych")
def waitlist_join() -> ResponseReturnValue:
    form = pages.JoinForm()
    client_id = form.client.data
    client = clients.get_client(db.session, client_id) if is_id(client_id) else None
    if client is None:
        abort(404)
    return pages.join(form, client=client, back=url_for("staff.waitlist_page"))


pages.add_action_routes(bp, booked_endpoint="staff.printout")
