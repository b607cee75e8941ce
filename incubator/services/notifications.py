"""Tell people about their consultations: e-mails with the calendar file into the outbox, or a
line on the "to call" list, written in the same transaction as the change.

The booking service calls `consultation_changed` inside its write, after the change and before
the commit. Each message is built whole now (wording in the recipient's language, the .ics with
the consultation's UID and current SEQUENCE, links from PUBLIC_URL) and stored; a sender
delivers it after the commit (services/outbox.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.policy import SMTP
from email.utils import parseaddr
from typing import Any

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..domain.calendar import WARSAW
from ..domain.notifications import (
    ICS_METHOD,
    Notice,
    NoticeKind,
    Person,
    consultation_notices,
    reminder_notices,
)
from ..exports.calendar_entry import calendar_entry
from ..exports.ics import build_calendar, uid_domain
from ..models import Consultation, SlotOffer, User
from ..public_urls import public_url_for
from . import call_list, mail, outbox


@dataclass(frozen=True)
class NoticeSettings:
    """What building a message needs from the deployment's settings: the sender (also the
    calendar invitation's organiser) and the domain of calendar UIDs."""

    sender: str
    uid_domain: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NoticeSettings:
        return cls(
            sender=config.get("MAIL_DEFAULT_SENDER") or mail.DEFAULT_SENDER,
            uid_domain=uid_domain(config),
        )


@dataclass(frozen=True)
class Previous:
    """What a move changed: the time and expert before it."""

    start: datetime
    end: datetime
    expert: User
    branch_id: int | None = None


def consultation_changed(
    session: Session,
    consultation: Consultation,
    kind: NoticeKind,
    *,
    actor: User | None,
    now: datetime,
    settings: NoticeSettings,
    previous: Previous | None = None,
) -> None:
    """Queue every notice a booking, move or cancellation needs (inside the caller's write)."""
    attendees = [a.user for a in consultation.attendees]
    expert = consultation.expert
    previous_expert = previous.expert if previous is not None else None
    notices = consultation_notices(
        kind,
        attendees=[_person(u) for u in attendees],
        expert=_person(expert),
        actor_id=actor.id if actor is not None else None,
        previous_expert=_person(previous_expert) if previous_expert is not None else None,
    )
    people = {u.id: u for u in [*attendees, expert, *filter(None, [previous_expert])]}
    for notice in notices:
        _tell(session, settings, consultation, notice, people[notice.person_id], now, previous)


def remind(
    session: Session, consultation: Consultation, *, now: datetime, settings: NoticeSettings
) -> tuple[int, int]:
    """Queue tomorrow's reminders for one consultation: (e-mails queued, calls added).

    The keys hold the consultation's day, so a run repeated for the same day adds nothing, while
    a consultation moved to another day is reminded again the day before its new date.
    """
    attendees = [a.user for a in consultation.attendees]
    people = {u.id: u for u in attendees}
    day = consultation.start_dt.astimezone(WARSAW).date().isoformat()
    emails = calls = 0
    for notice in reminder_notices([_person(u) for u in attendees]):
        person = people[notice.person_id]
        key = f"consultation:{consultation.id}:reminder:{day}:{person.id}"
        if notice.by_email:
            emails += _queue_mail(
                session, settings, consultation, person, notice.kind, now, None, key
            )
        else:
            calls += call_list.add(
                session, key=key, kind=notice.kind, user_id=person.id,
                consultation_id=consultation.id, now=now,
            )  # fmt: skip
    return emails, calls


def _person(user: User) -> Person:
    return Person(user.id, has_email=bool(user.email) and user.active)


def _tell(
    session: Session,
    settings: NoticeSettings,
    consultation: Consultation,
    notice: Notice,
    person: User,
    now: datetime,
    previous: Previous | None,
) -> None:
    key = f"consultation:{consultation.id}:{notice.kind}:{consultation.sequence}:{person.id}"
    if notice.by_email:
        _queue_mail(session, settings, consultation, person, notice.kind, now, previous, key)
    else:
        call_list.add(
            session, key=key, kind=notice.kind, user_id=person.id,
            consultation_id=consultation.id, now=now,
        )  # fmt: skip


def _queue_mail(
    session: Session,
    settings: NoticeSettings,
    consultation: Consultation,
    person: User,
    kind: NoticeKind,
    now: datetime,
    previous: Previous | None,
    key: str,
) -> bool:
    # The expert who lost a moved consultation is told of the old time.
    old_time = previous is not None and person.id == previous.expert.id != consultation.expert_id
    start, end = (previous.start, previous.end) if old_time and previous else (
        consultation.start_dt, consultation.end_dt
    )  # fmt: skip
    message, subject = build_consultation_message(
        settings, consultation, person, kind, start=start, end=end, previous=previous, now=now
    )
    return outbox.queue(
        session,
        key=key,
        kind=str(kind),
        to_address=_address(person),
        subject=subject,
        message=message,
        now=now,
        recipient_id=person.id,
        consultation_id=consultation.id,
    )


def build_consultation_message(
    settings: NoticeSettings,
    consultation: Consultation,
    person: User,
    kind: NoticeKind,
    *,
    start: datetime,
    end: datetime,
    previous: Previous | None,
    now: datetime,
) -> tuple[bytes, str]:
    """The whole e-mail (bytes) and its subject, in `person`'s language."""
    locale = person.preferred_language
    for_expert = person.id in {consultation.expert_id, previous.expert.id if previous else 0}
    context = _wording(consultation, person, kind, start, end, previous, for_expert)
    with force_locale(locale):
        subject = _subject(kind, context["when"])
        text = render_template("notifications/consultation.txt", **context)
        html = render_template("notifications/consultation.html", subject=subject, **context)
    message = mail.build_message(
        sender=settings.sender, to=_address(person), subject=subject, text=text, html=html,
        now=now,
    )  # fmt: skip
    method = ICS_METHOD.get(kind)
    if method is not None:
        calendar = _calendar(consultation, person, kind, start, end, method, settings, now)
        message.add_attachment(
            calendar.decode("utf-8"),
            subtype="calendar",
            charset="utf-8",
            filename=f"konsultacja-{consultation.id}.ics",
            params={"method": method},
        )
    return message.as_bytes(policy=SMTP), subject  # CRLF lines, as SMTP wants them


def _calendar(
    consultation: Consultation,
    person: User,
    kind: NoticeKind,
    start: datetime,
    end: datetime,
    method: str,
    settings: NoticeSettings,
    now: datetime,
) -> bytes:
    """The .ics part: the consultation's UID and SEQUENCE, organised by the incubator, with the
    recipient as an attendee who has accepted (calendars then add it without asking)."""
    entry = calendar_entry(consultation, locale=person.preferred_language)
    sender = Address(addr_spec=_plain_address(settings.sender))
    entry = dataclasses.replace(
        entry,
        start=start,
        end=end,
        cancelled=kind is NoticeKind.CANCELLED,
        organizer_email=sender.addr_spec,
        attendees=((person.full_name, person.email or ""),),
    )
    return build_calendar([entry], now=now, domain=settings.uid_domain, method=method)


def _plain_address(sender: str) -> str:
    return parseaddr(sender)[1] or "inkubator@localhost"


def when_text(start: datetime, end: datetime, locale: str) -> str:
    local_start, local_end = start.astimezone(WARSAW), end.astimezone(WARSAW)
    day = format_date(local_start.date(), "full", locale=locale)
    return f"{day}, {local_start:%H:%M}–{local_end:%H:%M}"


def _wording(
    consultation: Consultation,
    person: User,
    kind: NoticeKind,
    start: datetime,
    end: datetime,
    previous: Previous | None,
    for_expert: bool,
) -> dict:
    locale = person.preferred_language
    branch = consultation.branch
    if for_expert:
        manage = public_url_for(
            "staff.day", branch=branch.id, date=start.astimezone(WARSAW).date().isoformat()
        )
    else:
        manage = public_url_for("booking.mine")
    moved_from = None
    if kind is NoticeKind.MOVED and previous is not None:
        moved_from = when_text(previous.start, previous.end, locale)
    return {
        "person": person,
        "kind": str(kind),
        "for_expert": for_expert,
        "when": when_text(start, end, locale),
        "moved_from": moved_from,
        "branch": branch,
        "expert_name": consultation.expert.public_name,
        "area": consultation.domain.name(locale),
        "topic": consultation.topic,
        "reason": consultation.cancel_reason if kind is NoticeKind.CANCELLED else "",
        "attendees": [a.user.full_name for a in consultation.attendees] if for_expert else [],
        "group": consultation.founding_group.name if consultation.founding_group else "",
        "manage_link": manage,
        "number": consultation.id,
    }


def _subject(kind: NoticeKind, when: str) -> str:
    if kind is NoticeKind.BOOKED:
        return _("Consultation booked: %(when)s", when=when)
    if kind is NoticeKind.MOVED:
        return _("Consultation moved to %(when)s", when=when)
    if kind is NoticeKind.CANCELLED:
        return _("Consultation cancelled: %(when)s", when=when)
    return _("Reminder: your consultation tomorrow, %(when)s", when=when)


def _address(user: User) -> str:
    return str(Address(display_name=user.full_name, addr_spec=user.email or ""))


def waitlist_offered(
    session: Session, offer: SlotOffer, *, now: datetime, settings: NoticeSettings
) -> None:
    """Tell the first person waiting that a slot is held for them: by e-mail, or on the list of
    calls for staff (the expert whose slot it is sees the call too). No calendar file: nothing
    is booked until they confirm."""
    entry = offer.entry
    person = entry.client
    locale = person.preferred_language
    context = {
        "person": person,
        "when": when_text(offer.start_dt, offer.end_dt, locale),
        "until": _moment(offer.expires_at_dt, locale),
        "branch": entry.branch,
        "expert_name": offer.expert.public_name,
        "area": entry.area.name(locale),
        "link": public_url_for("booking.waitlist_page"),
    }

    def compose() -> tuple[str, str, str | None]:
        subject = _("A consultation slot is held for you: %(when)s", when=context["when"])
        text = render_template("notifications/waitlist_offer.txt", **context)
        html = render_template("notifications/waitlist_offer.html", subject=subject, **context)
        return subject, text, html

    mail_or_call(
        session, settings, person, key=f"waitlist-offer:{offer.id}:{person.id}",
        kind=NoticeKind.WAITLIST_OFFER, now=now, compose=compose,
        call_note=f"{context['when']} · {offer.expert.public_name}",
        branch_id=entry.branch_id, expert_id=offer.expert_id,
    )  # fmt: skip


def mail_or_call(
    session: Session,
    settings: NoticeSettings,
    person: User,
    *,
    key: str,
    kind: NoticeKind,
    now: datetime,
    compose: Callable[[], tuple[str, str, str | None]],
    call_note: str,
    branch_id: int | None = None,
    expert_id: int | None = None,
) -> None:
    """One notice without a calendar file: an e-mail into the outbox, worded by `compose()` in
    the person's language (subject, text, optional HTML), or, for a person without an address,
    a line on the staff's list to call."""
    if not _person(person).has_email:
        call_list.add(
            session, key=key, kind=kind, user_id=person.id, now=now, note=call_note,
            branch_id=branch_id, expert_id=expert_id,
        )  # fmt: skip
        return
    with force_locale(person.preferred_language):
        subject, text, html = compose()
    message = mail.build_message(
        sender=settings.sender, to=_address(person), subject=subject, text=text, html=html,
        now=now,
    )  # fmt: skip
    outbox.queue(
        session, key=key, kind=str(kind), to_address=_address(person), subject=subject,
        message=message.as_bytes(policy=SMTP), now=now, recipient_id=person.id,
    )  # fmt: skip


def _moment(instant: datetime, locale: str) -> str:
    local = instant.astimezone(WARSAW)
    return f"{format_date(local.date(), 'full', locale=locale)}, {local:%H:%M}"
