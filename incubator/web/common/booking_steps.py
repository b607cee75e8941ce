"""The pages of the booking flow, one function per step, for both the client and staff flows.

Each takes a `Flow` (who books, for whom, through which blueprint) and answers the request:
parse the query string, call `services.booking`, render or redirect. The blueprints' views are
one-line wrappers around these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.booking_rules import (
    BeyondHorizon,
    ClosedDay,
    SlotTaken,
    TooManyBookings,
    TooShortNotice,
)
from ...domain.calendar import local_date
from ...domain.consultations import ConsultationStatus
from ...domain.errors import DomainError, InThePast
from ...domain.slots import Slot
from ...extensions import db
from ...models import Consultation, User
from ...services import booking, clients, directory
from ...services.consultations import list_consultations
from . import booking_flow as f
from . import display
from .booking_forms import ConfirmForm
from .errors import message_for, status_for
from .fields import choice as choice_

TEMPLATES = "booking"


def _back(flow: f.Flow, error: f.StepError) -> Response:
    flash(error.message, "error")
    return redirect(flow.step_url(error.step, error.args_))


def _render(
    template: str, flow: f.Flow, step: str, choice: f.Choice, **context
) -> ResponseReturnValue:
    return render_template(
        f"{TEMPLATES}/{template}",
        flow=flow,
        step=step,
        steps=flow.progress(step, choice.args()),
        step_number=flow.step_number(step),
        step_total=len(flow.step_keys),
        choice=choice,
        locale=str(get_locale()),
        branch_label=display.branch_label,
        **context,
    )


def domain_step(flow: f.Flow) -> ResponseReturnValue:
    """The first step; a client who may not book any more learns it here, with the way out."""
    now = utcnow()
    limit = booking.client_limit_refusal(db.session, flow.for_client, now=now, policy=f.policy())
    if limit is not None:
        return _render(
            "step_domain.html",
            flow,
            "domain",
            f.Choice(),
            domains=[],
            limit_message=message_for(limit),
            active=active_consultations(flow.for_client, now),
            time_range=f.time_range,
        )
    domains = f.domain_options(db.session, flow)
    return _render("step_domain.html", flow, "domain", f.Choice(), domains=domains)


def branch_step(flow: f.Flow) -> ResponseReturnValue:
    # Entered from the home page's area cards: a client at the limit learns it first.
    if booking.client_limit_refusal(db.session, flow.for_client, now=utcnow(), policy=f.policy()):
        return redirect(flow.url("domain"))
    try:
        choice = f.resolve(db.session, flow, request.args, ("domain",))
    except f.StepError as error:
        return _back(flow, error)
    options = f.branch_options(db.session, flow, choice.domain)
    return _render("step_branch.html", flow, "branch", choice, options=options)


def expert_step(flow: f.Flow) -> ResponseReturnValue:
    if flow.fixed_expert is not None:  # an expert books into their own calendar only
        return redirect(flow.url("date", **_args_for("date")))
    try:
        choice = f.resolve(db.session, flow, request.args, ("domain", "branch"))
    except f.StepError as error:
        return _back(flow, error)
    experts = directory.experts_for(db.session, choice.domain, choice.branch)
    if not experts:
        flash(_("Nobody gives consultations in this area at this office yet."), "error")
        return redirect(flow.step_url("branch", choice.args()))
    return _render(
        "step_expert.html", flow, "expert", choice, experts=experts, expert_name=f.expert_name
    )


def _args_for(step: str) -> dict[str, str]:
    return {k: request.args.get(k, "") for k in f.STEP_ARGS[step]}


def date_step(flow: f.Flow) -> ResponseReturnValue:
    try:
        choice = f.resolve(db.session, flow, request.args, ("domain", "branch", "expert"))
    except f.StepError as error:
        return _back(flow, error)
    args = choice.args()
    window = f.day_window(
        db.session,
        domain=choice.domain,
        branch=choice.branch,
        expert=choice.expert,
        window_from=f.parse_day(request.args.get("from")),
        now=utcnow(),
        policy_=f.policy(),
        day_url=lambda d: flow.url("time", **{**args, "date": d.isoformat()}),
        window_url=lambda d: flow.url("date", **{**args, "from": d.isoformat()}),
    )
    names = f.expert_names(db.session, choice.domain, choice.branch)
    picker = f.picker_config(
        domain=choice.domain,
        branch=choice.branch,
        expert=choice.expert,
        names=names,
        confirm_url=flow.url("confirm", **{**args, "expert": None}),
    )
    waitlist_url = None
    if not window.days and window.first_free is None and not flow.actor.is_expert:
        waitlist_url = url_for(
            f"{flow.blueprint}.waitlist_page",
            domain=choice.domain.code,
            branch=choice.branch.id,
            client=flow.client.id if flow.client is not None else None,
        )
    return _render(
        "step_date.html", flow, "date", choice, window=window, picker=picker,
        waitlist_url=waitlist_url,
    )  # fmt: skip


def time_step(flow: f.Flow) -> ResponseReturnValue:
    try:
        choice = f.resolve(db.session, flow, request.args, ("domain", "branch", "expert", "date"))
    except f.StepError as error:
        return _back(flow, error)
    args = choice.args()
    slots = f.listing(
        db.session,
        domain=choice.domain,
        branch=choice.branch,
        start_date=choice.day,
        end_date=choice.day,
        now=utcnow(),
        policy_=f.policy(),
        expert=choice.expert,
    )
    if not slots:
        flash(_("There are no free times on this day any more. Please choose another day."))
        return redirect(flow.step_url("date", args))
    names = f.expert_names(db.session, choice.domain, choice.branch)
    options = f.cached_slot_options(
        (flow.blueprint, flow.client.id if flow.client else None, tuple(args.items())),
        lambda: f.slot_options(
            db.session,
            slots,
            branch=choice.branch,
            names=names,
            url_for_slot=lambda s: flow.url(
                "confirm", **{**args, "expert": s.expert_id, "start": f.start_arg(s.start)}
            ),
        ),
        slots=slots,
        names=names,
    )
    return _render(
        "step_time.html", flow, "time", choice, slots=options, day=f.day_label(choice.day)
    )


def confirm_step(
    flow: f.Flow, done_endpoint_url: Callable[[Consultation], str]
) -> ResponseReturnValue:
    """GET: the summary and the form, or at once the refusal booking would give; POST: book,
    then go to `done_endpoint_url(consultation)`."""
    source = request.form if request.method == "POST" else request.args
    try:
        choice = f.resolve(db.session, flow, source, ("domain", "branch", "expert", "start"))
    except f.StepError as error:
        return _back(flow, error)
    wanted = booking.BookingRequest(
        expert_id=choice.expert.id,
        branch_id=choice.branch.id,
        domain_code=choice.domain.code,
        start=choice.start,
        client_id=flow.client.id if flow.client is not None else None,
    )
    slot: Slot | None = None
    if request.method == "GET":
        try:
            slot = _preview(flow, wanted)
        except DomainError as error:
            return _refused(flow, choice, error)
    form = _confirm_form(flow, choice)
    alternatives: list[f.SlotOption] = []
    status = 200
    if form.validate_on_submit():
        try:
            consultation = booking.book(
                db.session,
                replace(
                    wanted,
                    expert_id=f.parse_id(form.expert.data) or 0,
                    topic=form.topic.data or "",
                    attendee_ids=tuple(form.attendees.data or ()),
                ),
                actor=flow.actor,
                now=utcnow(),
                policy=f.policy(),
                notices=f.notices(),
            )
        except DomainError as error:
            flash(message_for(error), "error")
            status = status_for(error) if status_for(error) != 404 else 422
            if isinstance(error, SlotTaken):
                alternatives = _alternatives(flow, choice, error)
        else:
            return redirect(done_endpoint_url(consultation))
    elif request.method == "POST":
        status = 422
    if slot is None and not alternatives:  # a refused POST: the summary still shows the end
        slot = _preview_or_none(flow, wanted)
    context = {"form": form, "summary": _summary(choice, slot), "alternatives": alternatives}
    return _render("step_confirm.html", flow, "confirm", choice, **context), status


def _confirm_form(flow: f.Flow, choice: f.Choice) -> ConfirmForm:
    form = ConfirmForm(data=choice.args() if request.method == "GET" else None)
    companions = clients.group_companions(db.session, flow.for_client)
    form.attendees.choices = [choice_(u.id, u.full_name) for u in companions]
    if flow.is_staff:
        form.attendees.label.text = _("Who else from the client's founding group will come?")
        form.topic.label.text = _("Topic of the consultation (optional)")
    return form


def _preview(flow: f.Flow, wanted: booking.BookingRequest) -> Slot:
    return booking.check_booking(
        db.session, wanted, actor=flow.actor, now=utcnow(), policy=f.policy()
    ).slot


def _preview_or_none(flow: f.Flow, wanted: booking.BookingRequest) -> Slot | None:
    try:
        return _preview(flow, wanted)
    except DomainError:
        return None


def _refused(flow: f.Flow, choice: f.Choice, error: DomainError) -> Response:
    """A confirm link the booking would refuse: say why at once and go back to choose a time.

    The first step explains the booking limit itself, with the way out, so it is not flashed."""
    if not isinstance(error, TooManyBookings):
        flash(message_for(error), "error")
    return redirect(refusal_url(flow, choice, error))


def _summary(choice: f.Choice, slot: Slot | None) -> dict[str, str]:
    start: datetime = choice.start
    return {
        "date": f.day_label(start),
        "full_date": display.full_date(start),
        "time": time_with_length(slot.start, slot.end) if slot else display.hhmm(start),
        "expert": f.expert_name(choice.expert),
    }


def active_consultations(client: User, now: datetime) -> list[Consultation]:
    """The client's booked consultations that have not ended: what counts towards the limit."""
    return [
        c
        for c in list_consultations(db.session, client, include_cancelled=False)
        if c.status == ConsultationStatus.BOOKED and c.end_dt > now
    ]


def time_with_length(start: datetime, end: datetime) -> str:
    """ "09:00–10:00 (60 min)" """
    minutes = int((end - start).total_seconds() // 60)
    return _("%(range)s (%(minutes)d min)", range=f.time_range(start, end), minutes=minutes)


# Refusals about the day itself rather than the chosen time: choose another day.
DAY_REFUSALS = (InThePast, ClosedDay, TooShortNotice, BeyondHorizon)


def refusal_url(flow: f.Flow, choice: f.Choice, error: DomainError) -> str:
    """Where a refused confirm link sends the person: the first step when they may not book
    more, the day step when the day cannot be booked, else that day's times."""
    args = choice.args()
    if isinstance(error, TooManyBookings):
        return flow.url("domain")
    if isinstance(error, DAY_REFUSALS) or choice.start is None:
        return flow.step_url("date", args)
    return flow.step_url("time", {**args, "date": local_date(choice.start).isoformat()})


def _alternatives(flow: f.Flow, choice: f.Choice, error: SlotTaken) -> list[f.SlotOption]:
    return f.slot_options(db.session, error.next_slots, branch=choice.branch)
