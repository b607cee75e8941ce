"""Moving a consultation to a new time: a new day, a new time, confirm; for clients and staff.

A `MoveFlow` names the blueprint whose pages these are and where they lead back to; the views of
`web/booking` (a client's own consultations) and `web/staff` (an expert's own, a manager's any)
are one-line wrappers around `choose` and `confirm`. Every rule is the service's:
`booking.check_move` answers the confirm page at once, `booking.reschedule` writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date as date_
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.booking_rules import BookingPolicy, SlotTaken
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotFound
from ...domain.slots import Slot
from ...extensions import db
from ...models import Consultation, User
from ...services import booking, directory
from ...services.consultations import get_visible
from . import booking_flow as f
from . import booking_steps as steps
from . import display
from .booking_forms import MoveForm
from .errors import message_for, status_for

STEP_KEYS = ("date", "time", "confirm")


@dataclass(frozen=True)
class MoveFlow:
    blueprint: str  # "booking" (a client's own consultation) or "staff"
    actor: User

    @property
    def is_staff(self) -> bool:
        return self.blueprint == "staff"

    @property
    def fixed_expert(self) -> User | None:
        """An expert moves a consultation only within their own calendar."""
        return self.actor if self.is_staff and self.actor.is_expert else None

    def url(self, step: str, consultation_id: int, **args: object) -> str:
        endpoint = "reschedule_confirm" if step == "confirm" else "reschedule"
        params = {k: v for k, v in args.items() if v not in (None, "")}
        return url_for(f"{self.blueprint}.{endpoint}", consultation_id=consultation_id, **params)

    def back_url(self, c: Consultation) -> str:
        """Where the pages lead back to: my consultations, or the staff day view of its day."""
        if not self.is_staff:
            return url_for("booking.mine")
        return url_for("staff.day", branch=c.branch_id, date=local_date(c.start_dt).isoformat())

    def done_url(self, c: Consultation) -> str:
        """After the move: the client's confirmation, or the day view of the new day."""
        if not self.is_staff:
            return url_for("booking.done", consultation_id=c.id)
        return self.back_url(c)

    def progress(self, current: str, c: Consultation, day: str | None) -> list[f.StepLink]:
        urls = {"date": self.url("date", c.id), "time": self.url("date", c.id, date=day)}
        position = STEP_KEYS.index(current)
        return [
            f.StepLink(
                key=key,
                label=str(f.STEP_LABELS[key]),
                number=n,
                url=urls.get(key) if n - 1 < position and (key != "time" or day) else None,
                current=key == current,
            )
            for n, key in enumerate(STEP_KEYS, start=1)
        ]


def _visible(flow: MoveFlow, consultation_id: int) -> Consultation:
    try:
        return get_visible(db.session, consultation_id, flow.actor)
    except NotFound:
        abort(404)


def _movable(flow: MoveFlow, consultation_id: int) -> Consultation | Response:
    """The consultation, or back with the reason it cannot be moved (someone else's: 404)."""
    c = _visible(flow, consultation_id)
    refusal = f.change_refusal(c, flow.actor, utcnow(), f.policy())
    if refusal is not None:
        flash(message_for(refusal), "error")
        return redirect(flow.back_url(c))
    return c


def _context(flow: MoveFlow, c: Consultation) -> dict[str, object]:
    return {
        "c": c,
        "move": flow,
        "current_when": f"{display.full_date(c.start_dt)}, {f.time_range(c.start_dt, c.end_dt)}",
        "expert_name": f.expert_name,
        "branch_label": display.branch_label,
        "step_total": len(STEP_KEYS),
    }


def choose(flow: MoveFlow, consultation_id: int) -> ResponseReturnValue:
    """Pick a new day, then a new time: same area and office; any expert, or the expert's own."""
    c = _movable(flow, consultation_id)
    if isinstance(c, Response):
        return c
    day = f.parse_day(request.args.get("date"))
    names = f.expert_names(db.session, c.domain, c.branch)
    if flow.fixed_expert is not None:
        names = {k: v for k, v in names.items() if k == flow.fixed_expert.id}
    move = _Move(flow, c, utcnow(), f.policy(), names)
    return move.date_page() if day is None else move.time_page(day)


@dataclass(frozen=True)
class _Move:
    """The two pages of moving a consultation: a new day, then a new time."""

    flow: MoveFlow
    c: Consultation
    now: datetime
    policy: BookingPolicy
    names: Mapping[int, str]

    def date_page(self) -> str:
        c, flow = self.c, self.flow
        window = f.day_window(
            db.session,
            domain=c.domain,
            branch=c.branch,
            expert=flow.fixed_expert,
            window_from=f.parse_day(request.args.get("from")),
            now=self.now,
            policy_=self.policy,
            day_url=lambda d: flow.url("date", c.id, date=d.isoformat()),
            window_url=lambda d: flow.url("date", c.id, **{"from": d.isoformat()}),
            exclude_consultation_id=c.id,
        )
        picker = f.picker_config(
            domain=c.domain,
            branch=c.branch,
            expert=flow.fixed_expert,
            names=self.names,
            confirm_url=flow.url("confirm", c.id),
        )
        return render_template(
            "booking/move_date.html",
            window=window,
            picker=picker,
            steps=flow.progress("date", c, None),
            step_number=1,
            **_context(flow, c),
        )

    def time_page(self, day: date_) -> ResponseReturnValue:
        c, flow = self.c, self.flow
        found = f.listing(
            db.session,
            domain=c.domain,
            branch=c.branch,
            start_date=day,
            end_date=day,
            now=self.now,
            policy_=self.policy,
            expert=flow.fixed_expert,
            exclude_consultation_id=c.id,
        )
        slots = [s for s in found if not (s.start == c.start_dt and s.expert_id == c.expert_id)]
        if not slots:
            flash(_("There are no free times on this day any more. Please choose another day."))
            return redirect(flow.url("date", c.id))
        options = f.slot_options(
            db.session,
            slots,
            branch=c.branch,
            names=self.names,
            url_for_slot=lambda s: flow.url(
                "confirm", c.id, expert=s.expert_id, start=f.start_arg(s.start)
            ),
        )
        return render_template(
            "booking/move_time.html",
            slots=options,
            day=f.day_label(day),
            steps=flow.progress("time", c, day.isoformat()),
            step_number=2,
            **_context(flow, c),
        )


def confirm(flow: MoveFlow, consultation_id: int) -> ResponseReturnValue:
    """Show the new time (refused at once if moving would be), then move on submit."""
    c = _movable(flow, consultation_id)
    if isinstance(c, Response):
        return c
    source = request.form if request.method == "POST" else request.args
    start = f.parse_start(source.get("start"))
    expert_id = f.parse_id(source.get("expert"))
    if start is None or expert_id is None:
        flash(_("Choose a day and a time."), "error")
        return redirect(flow.url("date", c.id))
    new_expert = directory.get_expert(db.session, expert_id)
    if new_expert is None:
        abort(404)
    new_slot = _checked_move(flow, c, start, expert_id) if request.method == "GET" else None
    if isinstance(new_slot, Response):  # refused at once, as the submit would be
        return new_slot
    form = MoveForm(data={"expert": expert_id, "start": f.start_arg(start)})
    alternatives: list[f.SlotOption] = []
    status = 200
    if form.validate_on_submit():
        previous_start = c.start_dt
        try:
            moved = _reschedule(flow, c, start, expert_id)
        except DomainError as error:
            flash(message_for(error), "error")
            status = status_for(error)
            if isinstance(error, SlotTaken):
                alternatives = _alternatives(flow, c, error, previous_start)
        else:
            flash(_("The consultation has been moved to the new time."), "success")
            return redirect(flow.done_url(moved))
    return (
        render_template(
            "booking/move_confirm.html",
            form=form,
            new_expert=f.expert_name(new_expert),
            new_when=f"{display.full_date(start)}, {_new_time(start, new_slot)}",
            alternatives=alternatives,
            steps=flow.progress("confirm", c, f.start_arg(start)[:10]),
            step_number=3,
            **_context(flow, c),
        ),
        status,
    )


def _reschedule(flow: MoveFlow, c: Consultation, start: datetime, expert_id: int) -> Consultation:
    try:
        return booking.reschedule(
            db.session,
            c.id,
            actor=flow.actor,
            start=start,
            expert_id=expert_id,
            now=utcnow(),
            policy=f.policy(),
            notices=f.notices(),
        )
    except NotFound:
        abort(404)


def _new_time(start: datetime, slot: Slot | None) -> str:
    return steps.time_with_length(slot.start, slot.end) if slot else display.hhmm(start)


def _checked_move(
    flow: MoveFlow, c: Consultation, start: datetime, expert_id: int
) -> Slot | Response:
    """The new slot, or back to choosing a time with the message moving would give."""
    try:
        return booking.check_move(
            db.session,
            c.id,
            actor=flow.actor,
            start=start,
            expert_id=expert_id,
            now=utcnow(),
            policy=f.policy(),
        )
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(message_for(error), "error")
        if isinstance(error, steps.DAY_REFUSALS):  # the day itself: back to the days
            return redirect(flow.url("date", c.id))
        return redirect(flow.url("date", c.id, date=local_date(start).isoformat()))


def _alternatives(
    flow: MoveFlow, c: Consultation, taken: SlotTaken, previous_start: datetime
) -> list[f.SlotOption]:
    """The next free times offered when the chosen one was taken meanwhile."""
    fixed = flow.fixed_expert
    return f.slot_options(
        db.session,
        [
            s
            for s in taken.next_slots
            if s.start != previous_start and (fixed is None or s.expert_id == fixed.id)
        ],
        branch=c.branch,
        url_for_slot=lambda s: flow.url(
            "confirm", c.id, expert=s.expert_id, start=f.start_arg(s.start)
        ),
    )
