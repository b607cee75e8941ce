"""Staff (experts and managers): book for a client, print a confirmation, the day view, cancel
and move a consultation.

The booking steps are the clients' (`web/common/booking_steps.py`) with a client picker first. An
expert books only into their own calendar (their flow has no expert step, and the service
refuses anything else); a manager books with any expert. Moving is the clients' move
(`web/common/move_steps.py`): an expert moves their own consultations within their calendar, a
manager any consultation to any expert of its area and office.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.accounts import ConsentRequired, DuplicateEmail, InvalidEmail
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotFound
from ...domain.people import mask_email, mask_phone
from ...extensions import db
from ...models import Consultation, User
from ...services import booking, clients, directory, informing, participants
from ...services.consultations import get_visible, list_consultations, on_day_off
from ..common import booking_flow as f
from ..common import booking_steps as steps
from ..common import display
from ..common import move_steps as moving
from ..common import participant_form as pf
from ..common.access import current_actor, staff_only
from ..common.choices import branch_choices
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from .forms import ClientSearchForm, DayForm, NewClientForm, StaffCancelForm

bp = Blueprint("staff", __name__)


bp.before_request(staff_only)


def _flow() -> f.Flow | Response:
    """The staff flow for the client in `?client=`; without one, back to the client picker."""
    client = clients.get_client(db.session, f.parse_id(request.args.get("client")) or 0)
    if client is None:
        flash(_("First find the client or enter a new one."), "error")
        return redirect(url_for("staff.book"))
    return f.Flow("staff", current_actor(), client)


def _step(step: Callable[[f.Flow], ResponseReturnValue]) -> ResponseReturnValue:
    flow = _flow()
    return flow if isinstance(flow, Response) else step(flow)


# --- choosing the client --------------------------------------------------------------------


@bp.get("/rezerwacja")
def book() -> ResponseReturnValue:
    form = ClientSearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    results = (
        clients.find_clients_to_book(
            db.session, actor=current_actor(), query=query, now=utcnow(), ip=client_ip()
        )
        if query
        else []
    )
    flow = f.Flow("staff", current_actor())
    return render_template(
        "staff/book.html",
        form=form,
        query=query,
        results=results,
        flow=flow,
        steps=flow.progress("client", {}),
        step_number=1,
        step_total=len(flow.step_keys),
    )


@bp.route("/klienci/nowy", methods=["GET", "POST"])
def client_new() -> ResponseReturnValue:
    form = NewClientForm()
    if request.method == "GET" and request.args.get("q"):
        _prefill(form, request.args["q"])
    duplicates: list[participants.Duplicate] = []
    if form.validate_on_submit():
        duplicates = clients.likely_duplicates(
            db.session, full_name=form.full_name.data, phone=form.phone.data, email=form.email.data
        )
        if not duplicates or form.create_anyway.data:
            try:
                client = clients.create_phone_client(
                    db.session,
                    actor=current_actor(),
                    full_name=form.full_name.data,
                    phone=form.phone.data,
                    email=form.email.data or None,
                    rodo_clause_read=form.rodo_read.data,
                    now=utcnow(),
                    ip=client_ip(),
                )
            except (DuplicateEmail, InvalidEmail) as error:
                form.email.errors = [message_for(error)]
            except ConsentRequired as error:
                form.rodo_read.errors = [message_for(error)]
            except DomainError as error:
                flash(message_for(error), "error")
            else:
                flash(_("Client %(name)s has been added.", name=client.full_name), "success")
                return redirect(url_for("staff.book_domain", client=client.id))
    flow = f.Flow("staff", current_actor())
    readable = participants.readable_ids(
        db.session, current_actor(), [d.person.id for d in duplicates]
    )
    return render_template(
        "staff/client_new.html",
        form=form,
        duplicates=duplicates,
        readable=readable,
        contacts={
            d.person.id: (d.person.phone, d.person.email or "")
            if d.person.id in readable
            else (mask_phone(d.person.phone), mask_email(d.person.email))
            for d in duplicates
        },
        flow=flow,
        steps=flow.progress("client", {}),
        step_number=1,
        step_total=len(flow.step_keys),
    )


def _prefill(form: NewClientForm, query: str) -> None:
    """Carry a search that found nobody into the new-client form."""
    if sum(ch.isdigit() for ch in query) >= clients.MIN_PHONE_DIGITS:
        form.phone.data = query.strip()
    elif "@" in query:
        form.email.data = query.strip()
    else:
        form.full_name.data = query.strip()


# --- the booking steps ----------------------------------------------------------------------


@bp.get("/rezerwacja/dziedzina")
def book_domain() -> ResponseReturnValue:
    return _step(steps.domain_step)


@bp.get("/rezerwacja/oddzial")
def book_branch() -> ResponseReturnValue:
    return _step(steps.branch_step)


@bp.get("/rezerwacja/ekspert")
def book_expert() -> ResponseReturnValue:
    return _step(steps.expert_step)


@bp.get("/rezerwacja/dzien")
def book_date() -> ResponseReturnValue:
    return _step(steps.date_step)


@bp.get("/rezerwacja/godzina")
def book_time() -> ResponseReturnValue:
    return _step(steps.time_step)


@bp.route("/rezerwacja/potwierdzenie", methods=["GET", "POST"])
def book_confirm() -> ResponseReturnValue:
    return _step(
        lambda flow: steps.confirm_step(
            flow, lambda c: url_for("staff.printout", consultation_id=c.id, new=1)
        )
    )


# --- printable confirmation -----------------------------------------------------------------


def _visible(consultation_id: int) -> Consultation:
    try:
        return get_visible(db.session, consultation_id, current_actor())
    except NotFound:
        abort(404)


@bp.get("/konsultacje/<id:consultation_id>/wydruk")
def printout(consultation_id: int) -> ResponseReturnValue:
    c = _visible(consultation_id)
    return render_template(
        "staff/printout.html",
        c=c,
        just_booked=request.args.get("new") == "1",
        when_date=display.full_date(c.start_dt),
        when_time=f.time_range(c.start_dt, c.end_dt),
        expert_name=f.expert_name(c.expert),
        status_label=display.status_label,
        cancel_hours=int(f.policy().cancel_notice.total_seconds() // 3600),
        day_url=_day_url(c),
    )


def _day_url(c: Consultation) -> str:
    return url_for("staff.day", branch=c.branch_id, date=local_date(c.start_dt).isoformat())


# --- day view -------------------------------------------------------------------------------


def _default_branch(user: User, choices: list) -> int | None:
    profile = user.expert_profile
    if profile is not None and profile.branches:
        return profile.branches[0].id
    return choices[0].value if choices else None


@bp.get("/dzien")
def day() -> ResponseReturnValue:
    user = current_actor()
    form = DayForm(request.args)
    form.branch.choices = branch_choices()
    form.validate()
    branch_id = f.parse_id(request.args.get("branch")) or _default_branch(user, form.branch.choices)
    branch = directory.get_branch(db.session, branch_id)
    today = local_date(utcnow())
    parsed = f.parse_day(request.args.get("date"))
    if parsed is None and request.args.get("date"):  # garbage or out of range: say so
        flash(_("Choose a day."), "error")
    the_day: date = parsed or today
    form.branch.data = branch.id if branch else None
    form.date.data = the_day
    consultations = (
        list_consultations(
            db.session, user, branch_id=branch.id, date_from=the_day, date_to=the_day
        )
        if branch is not None
        else []
    )
    now = utcnow()

    def day_link(d: date) -> str:
        return url_for("staff.day", branch=branch.id if branch else None, date=d.isoformat())

    return render_template(
        "staff/day.html",
        form=form,
        branch=branch,
        the_day=the_day,
        day_title=display.full_date(the_day),
        today=today,
        consultations=consultations,
        previous_url=day_link(the_day - timedelta(days=1)),
        next_url=day_link(the_day + timedelta(days=1)),
        today_url=day_link(today),
        can_cancel={
            c.id: f.change_refusal(c, user, now, f.policy()) is None for c in consultations
        },
        on_day_off=on_day_off(db.session, consultations, now=now),
        status_label=display.status_label,
        time_range=f.time_range,
        expert_name=f.expert_name,
    )


# --- cancelling -----------------------------------------------------------------------------


@bp.route("/konsultacje/<id:consultation_id>/odwolanie", methods=["GET", "POST"])
def cancel(consultation_id: int) -> ResponseReturnValue:
    c = _visible(consultation_id)
    back = _day_url(c)
    refusal = f.change_refusal(c, current_actor(), utcnow(), f.policy())
    if refusal is not None:
        flash(message_for(refusal), "error")
        return redirect(back)
    form = StaffCancelForm()
    status = 200
    if form.validate_on_submit():
        try:
            booking.cancel(
                db.session,
                consultation_id,
                actor=current_actor(),
                reason=form.reason.data,
                now=utcnow(),
                policy=f.policy(),
                notices=f.notices(),
            )
        except NotFound:
            abort(404)
        except DomainError as error:
            flash(message_for(error), "error")
            status = status_for(error)
        else:
            flash(_("The consultation has been cancelled."), "success")
            return redirect(back)
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "staff/cancel.html",
            c=c,
            form=form,
            back=back,
            when=f"{display.full_date(c.start_dt)}, {f.time_range(c.start_dt, c.end_dt)}",
            expert_name=f.expert_name(c.expert),
        ),
        status,
    )


# --- moving ---------------------------------------------------------------------------------


def _move_flow() -> moving.MoveFlow:
    return moving.MoveFlow("staff", current_actor())


@bp.get("/konsultacje/<id:consultation_id>/zmiana-terminu")
def reschedule(consultation_id: int) -> ResponseReturnValue:
    """The client's move, for an expert's own consultation or any, for a manager."""
    return moving.choose(_move_flow(), consultation_id)


@bp.route("/konsultacje/<id:consultation_id>/zmiana-terminu/potwierdzenie", methods=["GET", "POST"])
def reschedule_confirm(consultation_id: int) -> ResponseReturnValue:
    return moving.confirm(_move_flow(), consultation_id)


# --- the participant record -----------------------------------------------------------------


@bp.route("/klienci/<id:client_id>/dane-uczestnika", methods=["GET", "POST"])
def participant(client_id: int) -> ResponseReturnValue:
    """The client's participant record: opening it is audited; experts get fewer questions."""
    try:
        record = participants.read(
            db.session, viewer=current_actor(), person_id=client_id, now=utcnow(), ip=client_ip()
        )
    except NotFound:
        abort(404)
    form = pf.make_form(record, prefill=request.method == "GET")
    status, changed = pf.submit(form, actor=current_actor(), person_id=client_id)
    if changed is not None:
        flash(
            _("The participant data has been saved.") if changed else _("Nothing has changed."),
            "success" if changed else "info",
        )
        return redirect(url_for("staff.participant", client_id=client_id))
    return (
        render_template(
            "staff/participant.html",
            form=form,
            person=record.person,
            phone=record.phone,
            email=record.email,
            missing=pf.missing_text(record.missing),
            duplicates=_duplicates_of(record.person),
            shows_sensitive=record.shows_sensitive,
        ),
        status,
    )


@bp.post("/klienci/<id:client_id>/poinformowano")
def informed(client_id: int) -> ResponseReturnValue:
    """Staff have just read the information clause out to a person with no record of it."""
    try:
        recorded = informing.record_read_out(
            db.session, actor=current_actor(), person_id=client_id, now=utcnow(), ip=client_ip()
        )
    except NotFound:
        abort(404)
    if recorded:
        flash(_("Recorded: the information clause was read out on the phone today."), "success")
    else:
        flash(_("This person has already been informed; the earlier record stays."), "info")
    return redirect(url_for("staff.participant", client_id=client_id))


def _duplicates_of(person: User) -> list[participants.Duplicate]:
    """For a manager: other records that may be this person, each to merge from this page."""
    if not current_actor().is_manager:
        return []
    keys = participants.keys_of(person)
    return participants.find_duplicates(db.session, keys, exclude_id=person.id)
