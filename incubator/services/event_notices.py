"""Telling people about events: a seat is theirs (promoted from the waiting list), or the event
is called off. An e-mail through the outbox in the same transaction, or a line on the staff's
list to call (`notifications.mail_or_call`)."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..domain.notifications import NoticeKind
from ..models import EventRegistration
from ..public_urls import public_url_for
from .notifications import NoticeSettings, mail_or_call, when_text


def _first_session(registration: EventRegistration) -> str:
    event, person = registration.event, registration.user
    first = event.sessions[0] if event.sessions else None
    return when_text(first.start_dt, first.end_dt, person.preferred_language) if first else ""


def seat_given(
    session: Session, registration: EventRegistration, *, now: datetime, settings: NoticeSettings
) -> None:
    person, event = registration.user, registration.event
    when = _first_session(registration)
    context = {
        "person": person,
        "event": event,
        "when": when,
        "sessions": [
            when_text(s.start_dt, s.end_dt, person.preferred_language) for s in event.sessions
        ],
        "place": event.branch.name if event.branch else event.venue,
        "address": event.branch.address if event.branch else "",
        "link": public_url_for("events.detail", event_id=event.id),
    }

    def compose() -> tuple[str, str, str | None]:
        subject = _("A seat is yours: %(title)s", title=event.title)
        text = render_template("notifications/event_seat.txt", **context)
        html = render_template("notifications/event_seat.html", subject=subject, **context)
        return subject, text, html

    mail_or_call(
        session, settings, person, key=f"event-seat:{registration.id}:{person.id}",
        kind=NoticeKind.EVENT_SEAT, now=now, compose=compose,
        call_note=f"{event.title} · {when}", branch_id=event.branch_id,
    )  # fmt: skip


def event_cancelled(
    session: Session,
    registration: EventRegistration,
    *,
    reason: str,
    now: datetime,
    settings: NoticeSettings,
) -> None:
    """Tell a registered or waiting person the event is called off."""
    person, event = registration.user, registration.event
    when = _first_session(registration)
    context = {"person": person, "event": event, "when": when, "reason": reason,
               "link": public_url_for("events.index")}  # fmt: skip

    def compose() -> tuple[str, str, str | None]:
        subject = _("Called off: %(title)s", title=event.title)
        return subject, render_template("notifications/event_cancelled.txt", **context), None

    mail_or_call(
        session, settings, person, key=f"event-cancelled:{event.id}:{person.id}",
        kind=NoticeKind.EVENT_CANCELLED, now=now, compose=compose,
        call_note=f"{event.title} · {when}", branch_id=event.branch_id,
    )  # fmt: skip
