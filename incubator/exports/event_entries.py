"""Sessions of trainings and information meetings as calendar entries (issue #14): in the
trainer's and the participant's feeds, and in an event's own .ics download."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import EventSession
from .ics import CalendarEntry


def session_entries(sessions: Iterable[EventSession], *, locale: str) -> list[CalendarEntry]:
    """One entry per session: ``Szkolenie: <title> (2/5)``, where it is, who trains; a
    cancelled event's sessions as cancelled. UIDs ``event-session-<id>`` never change."""
    entries = []
    for item in sessions:
        event = item.event
        place = (
            ", ".join(p for p in (event.branch.name, event.branch.address) if p)
            if event.branch
            else event.venue
        )
        number = next((i for i, s in enumerate(event.sessions, 1) if s.id == item.id), 1)
        with force_locale(locale):
            kind = _("Training") if event.kind == "training" else _("Information meeting")
            summary = f"{kind}: {event.title}"
            if len(event.sessions) > 1:
                summary += f" ({number}/{len(event.sessions)})"
            lines = [event.topic] if event.topic else []
            if event.trainers:
                names = ", ".join(t.full_name for t in event.trainers)
                lines.append(_("Trainers: %(names)s", names=names))
        entries.append(
            CalendarEntry(
                uid=f"event-session-{item.id}",
                sequence=0,
                start=item.start_dt,
                end=item.end_dt,
                summary=summary,
                location=place,
                description="\n".join(lines),
                cancelled=event.cancelled_at_dt is not None,
                created=event.created_at_dt,
                last_modified=event.created_at_dt,
            )
        )
    return entries
