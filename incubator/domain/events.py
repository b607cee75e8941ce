"""Rules of trainings and information meetings (issue #14): sessions, registration, attendance,
certificates. Plain Python, no I/O: services/events*.py load, ask and write.

Counting people served by events follows DOMAIN.md: a person who attended at least one session
of an event is served by it (its form: training or information meeting); anonymous head counts
of a meeting are attendees, never participants.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import DomainError, InvalidInput

MAX_SESSIONS = 60
LONGEST_SESSION = timedelta(hours=12)
MAX_CAPACITY = 10000
# Certificate codes: no 0/O, 1/I/L, so a code read out on the phone is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class EventError(DomainError):
    code = "event_error"


class EventFull(EventError):
    """No seat left; the person may join the event's waiting list instead."""

    code = "event_full"


class AlreadyRegistered(EventError):
    code = "already_registered"


class EventStarted(EventError):
    """Registering, or cancelling a registration, once the first session has begun."""

    code = "event_started"


class NotRegistered(EventError):
    code = "not_registered"


class SessionNotStarted(EventError):
    """Attendance for a session that has not begun yet."""

    code = "session_not_started"


class NotEnoughAttendance(EventError):
    """A certificate below the required share of sessions (params: attended, held, needed)."""

    code = "not_enough_attendance"


class TrainerBusy(EventError):
    """A trainer already has a consultation or another session then (params: name, start)."""

    code = "trainer_busy"


class WrongEventKind(EventError):
    """Certificates are for trainings; anonymous head counts for information meetings."""

    code = "wrong_event_kind"


@dataclass(frozen=True)
class SessionTimes:
    start: datetime
    end: datetime


def check_sessions(sessions: Sequence[SessionTimes], now: datetime) -> list[SessionTimes]:
    """At least one session, each in the future, 12 hours at most, none overlapping another.
    Returns them in time order."""
    if not sessions:
        raise InvalidInput(field="sessions", reason="missing")
    if len(sessions) > MAX_SESSIONS:
        raise InvalidInput(field="sessions", reason="too_many", max=MAX_SESSIONS)
    ordered = sorted(sessions, key=lambda s: s.start)
    for index, item in enumerate(ordered):
        if item.end <= item.start or item.end - item.start > LONGEST_SESSION:
            raise InvalidInput(field="sessions", reason="session_length", index=index)
        if item.start <= now:
            raise InvalidInput(field="sessions", reason="session_in_past", index=index)
        if index and ordered[index - 1].end > item.start:
            raise InvalidInput(field="sessions", reason="sessions_overlap", index=index)
    return ordered


def check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(field="capacity", reason="out_of_range", min=1, max=MAX_CAPACITY)


def check_open_for_registration(first_start: datetime | None, now: datetime) -> None:
    """Registration (and cancelling one) closes when the first session begins."""
    if first_start is None or now >= first_start:
        raise EventStarted()


def check_attendance_time(session_start: datetime, now: datetime) -> None:
    """Who came can be recorded once a session has begun, never for one still ahead."""
    if session_start > now:
        raise SessionNotStarted(start=session_start.isoformat())


def sessions_needed(held: int, share: float) -> int:
    """How many of `held` sessions a certificate needs at `share` (rounded up)."""
    return max(1, math.ceil(held * share - 1e-9))


def check_certificate(attended: int, held: int, share: float) -> None:
    """Attendance must reach `share` of the sessions held since the person registered."""
    if held == 0 or attended < sessions_needed(held, share):
        raise NotEnoughAttendance(
            attended=attended, held=held, needed=sessions_needed(held, share) if held else 1
        )


def new_certificate_code() -> str:
    """A short random code, e.g. ``K7Q2-9MXD`` (about 40 bits: not guessable in practice)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(typed: str) -> str:
    """What a person typed (spaces, lower case, no dash) as a stored code."""
    raw = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else raw


def initials(full_name: str) -> str:
    """``Łucja Wiśniewska`` → ``Ł. W.``: all a public check of a certificate shows of a person."""
    return " ".join(f"{part[0]}." for part in full_name.split() if part)
