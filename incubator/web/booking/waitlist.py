"""A client's waiting list: join it for an area at an office, see and answer offers, leave."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...extensions import db
from ...services import waitlist
from ..common import waitlist_pages as pages
from ..common.access import current_actor
from .views import bp


@bp.get("/lista-oczekujacych")
def waitlist_page() -> ResponseReturnValue:
    user = current_actor()
    entries = waitlist.entries_of(db.session, user.id)
    place = pages.unless_waiting(pages.chosen_place(request.args), entries)
    form = pages.JoinForm(data={"domain": place[0].code, "branch": place[1].id} if place else None)
    return render_template(
        "booking/waitlist.html",
        entries=entries,
        place=place,
        form=form,
        join_url=url_for("booking.waitlist_join"),
        **pages.page_helpers(),
    )


@bp.post("/lista-oczekujacych")
def waitlist_join() -> ResponseReturnValue:
    return pages.join(pages.JoinForm(), client=None, back=url_for("booking.waitlist_page"))


pages.add_action_routes(bp, booked_endpoint="booking.done")
