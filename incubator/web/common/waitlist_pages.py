"""The waitlist pages shared by clients (for themselves) and staff (for anyone): the join form,
and the actions on an entry or an offer. Every rule is the service's (services/waitlist.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange, Optional

from ...clock import utcnow
from ...domain.bounds import MAX_ID
from ...domain.errors import DomainError, NotFound
from ...extensions import db
from ...models import Area, Branch, User
from ...services import waitlist
from ...services.directory import resolve_area, resolve_branch
from . import booking_flow as f
from . import display
from .access import current_actor
from .errors import message_for

STATUS_LABELS = {
    "waiting": _l("waiting"),
    "offered": _l("a time is held"),
    "booked": _l("booked"),
    "left": _l("left the list"),
    "lapsed": _l("offer not answered"),
}


class JoinForm(FlaskForm):
    domain = HiddenField(validators=[DataRequired()])
    branch = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    client = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    from_date = DateField(_l("Not before (optional)"), validators=[Optional()])
    to_date = DateField(_l("Not after (optional)"), validators=[Optional()])


class ActionForm(FlaskForm):
    """Only the CSRF token: leave, confirm or decline."""


def chosen_place(args) -> tuple[Area, Branch] | None:
    """The area and office named in the query (`domain`, `branch`), when both are valid."""
    try:
        return (
            resolve_area(db.session, args.get("domain", "")),
            resolve_branch(db.session, f.parse_id(args.get("branch")) or 0),
        )
    except DomainError:
        return None


def unless_waiting(place: tuple[Area, Branch] | None, entries) -> tuple[Area, Branch] | None:
    """No join form for a place the person already waits for (their entry is shown instead)."""
    if place is None:
        return None
    live = {(e.area_id, e.branch_id) for e in entries if e.status in ("waiting", "offered")}
    return None if (place[0].id, place[1].id) in live else place


def join(form: JoinForm, *, client: User | None, back: str) -> ResponseReturnValue:
    """Put the client on the list; the page says what happens next, or why not."""
    if not form.validate_on_submit():
        if set(form.errors) <= {"from_date", "to_date"}:
            flash(_("Please check the dates (day, month and year)."), "error")
        else:  # a crafted or stale form: the office or the person is not a valid record
            flash(_("Some of the values are not valid. Please check the form."), "error")
        return redirect(back)
    join_request = waitlist.JoinRequest(
        area_code=form.domain.data or "",
        branch_id=form.branch.data or 0,
        from_date=form.from_date.data,
        to_date=form.to_date.data,
        client_id=client.id if client is not None else None,
    )
    try:
        entry = waitlist.join(
            db.session, join_request, actor=current_actor(), now=utcnow(), policy=f.policy(),
            notices=f.notices(),
        )  # fmt: skip
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(back)
    if entry.status == "offered":
        flash(_("A free time was found at once and is held: please confirm it below."), "success")
    else:
        flash(
            _("On the waiting list. When a time frees up, it is offered by e-mail or by phone."),
            "success",
        )
    return redirect(back)


def act(
    action: str, target_id: int, *, back: str, booked: Callable[[int], str]
) -> ResponseReturnValue:
    """Leave the list, or confirm or decline an offer; `booked(consultation_id)` is where a
    confirmation leads (the page to print or read the booking)."""
    if not ActionForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(back)
    common = dict(actor=current_actor(), now=utcnow())
    try:
        if action == "leave":
            waitlist.leave(db.session, target_id, **common)
            flash(_("Taken off the waiting list."), "success")
        elif action == "decline":
            waitlist.decline(
                db.session, target_id, **common, policy=f.policy(), notices=f.notices()
            )
            flash(_("The offer was declined; the place on the waiting list is kept."), "success")
        else:
            consultation = waitlist.accept(
                db.session, target_id, **common, policy=f.policy(), notices=f.notices()
            )
            flash(_("Confirmed: the consultation is booked."), "success")
            return redirect(booked(consultation.id))
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_for(error), "error")
    return redirect(back)


def add_action_routes(bp: Blueprint, *, booked_endpoint: str) -> None:
    """The three answers on `bp` (the same paths for clients and under /personel): leave the list,
    confirm or decline an offer; a confirmation leads to `booked_endpoint`'s page."""

    def answer(action: str, target_id: int) -> ResponseReturnValue:
        return act(
            action,
            target_id,
            back=url_for(f"{bp.name}.waitlist_page"),
            booked=lambda cid: url_for(booked_endpoint, consultation_id=cid),
        )

    def waitlist_leave(entry_id: int) -> ResponseReturnValue:
        return answer("leave", entry_id)

    def waitlist_accept(offer_id: int) -> ResponseReturnValue:
        return answer("accept", offer_id)

    def waitlist_decline(offer_id: int) -> ResponseReturnValue:
        return answer("decline", offer_id)

    bp.post("/lista-oczekujacych/<id:entry_id>/rezygnacja")(waitlist_leave)
    bp.post("/lista-oczekujacych/oferty/<id:offer_id>/potwierdzenie")(waitlist_accept)
    bp.post("/lista-oczekujacych/oferty/<id:offer_id>/odmowa")(waitlist_decline)


def page_helpers() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "day_label": display.day_label,
        "full_date": display.full_date,
        "time_range": display.time_range,
        "branch_label": display.branch_label,
        "expert_name": display.expert_name,
        "action_form": ActionForm(),
    }
