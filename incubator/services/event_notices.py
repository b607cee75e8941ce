"""Telling a person a seat at an event is theirs (promoted from its waiting list): an e-mail
through the outbox in the same transaction, or a line on the staff's list to call."""

from __future__ import annotations

from datetime import datetime
from email.policy import SMTP

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..domain.notifications import NoticeKind
from ..models import EventRegistration
from ..public_urls import public_url_for
from . import call_list, mail, outbox
from .notifications import NoticeSettings, _address, _person, _when


def seat_given(
    session: Session, registration: EventRegistration, *, now: datetime, settings: NoticeSettings
) -> None:
    person, event = registration.user, registration.event
    key = f"event-seat:{registration.id}:{person.id}"
    first = event.sessions[0] if event.sessions else None
    when = _when(first.start_dt, first.end_dt, person.preferred_language) if first else ""
    if not _person(person).has_email:
        call_list.add(
            session, key=key, kind=NoticeKind.EVENT_SEAT, user_id=person.id, now=now,
            note=f"{event.title} · {when}", branch_id=event.branch_id,
        )  # fmt: skip
        return
    context = {
        "person": person,
        "event": event,
        "when": when,
        "sessions": [
            _when(s.start_dt, s.end_dt, person.preferred_language) for s in event.sessions
        ],
        "place": event.branch.name if event.branch else event.venue,
        "address": event.branch.address if event.branch else "",
        "link": public_url_for("events.detail", event_id=event.id),
    }
    with force_locale(person.preferred_language):
        subject = _("A seat is yours: %(title)s", title=event.title)
        text = render_template("notifications/event_seat.txt", **context)
        html = render_template("notifications/event_seat.html", subject=subject, **context)
    message = mail.build_message(
        sender=settings.sender, to=_address(person), subject=subject, text=text, html=html,
        now=now,
    )  # fmt: skip
    outbox.queue(
        session, key=key, kind=str(NoticeKind.EVENT_SEAT), to_address=_address(person),
        subject=subject, message=message.as_bytes(policy=SMTP), now=now, recipient_id=person.id,
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
    key = f"event-cancelled:{event.id}:{person.id}"
    first = event.sessions[0] if event.sessions else None
    when = _when(first.start_dt, first.end_dt, person.preferred_language) if first else ""
    if not _person(person).has_email:
        call_list.add(
            session, key=key, kind=NoticeKind.EVENT_CANCELLED, user_id=person.id, now=now,
            note=f"{event.title} · {when}", branch_id=event.branch_id,
        )  # fmt: skip
        return
    context = {"person": person, "event": event, "when": when, "reason": reason,
               "link": public_url_for("events.index")}  # fmt: skip
    with force_locale(person.preferred_language):
        subject = _("Called off: %(title)s", title=event.title)
        text = render_template("notifications/event_cancelled.txt", **context)
    message = mail.build_message(
        sender=settings.sender, to=_address(person), subject=subject, text=text, now=now
    )
    outbox.queue(
        session, key=key, kind=str(NoticeKind.EVENT_CANCELLED), to_address=_address(person),
        subject=subject, message=message.as_bytes(policy=SMTP), now=now, recipient_id=person.id,
    )  # fmt: skip
