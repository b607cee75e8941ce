"""Erasure (RODO art. 17) and retention: when a person may be anonymised, and what is kept.

Two duties meet here. A person may ask to be forgotten; a public body must keep each project's
documentation, and so its participants' identity, until the date the grant agreement sets
(`Project.retention_until`). Anonymisation removes who the person is (name, contact details,
PESEL, the free text written about them, their login) and keeps what the funder's totals are
made of (gender, age, labour status, education, residence, the sensitive answers, attendance),
so every report already given stays the same.

The rules, in the order they are checked (`erasure_refusal`):

1. An anonymised person cannot be anonymised again (`already_erased`).
2. A manager does not erase their own account (`erasure_self`).
3. A staff account that still has consultations or trainings it gives is refused: those records
   need the expert's name (`erasure_staff_has_work`).
4. Upcoming consultations, seats at events ahead or a time held for them from the waiting list
   must be cancelled first: anonymising would leave an appointment with nobody to tell
   (`erasure_upcoming`). No legal ground overrides this.
5. While any project the person took part in must still be kept — its retention date is today or
   later, or not set — the identity is required (`erasure_retention`). A manager may go ahead
   only by choosing a documented legal ground (`LegalGround`); the ground and the reason are
   kept in the audit trail.

The birth date is the one identifying answer reports need: the age at each support is counted
from it. `coarse_birth_date` replaces it with the earliest date that gives the same age on every
day the person was supported, so no figure moves while the real birthday is gone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from .errors import DomainError

REASON_MAX_LENGTH = 500


class LegalGround(StrEnum):
    """Why identity may be erased before a project's retention date (documented in the trail).

    ``retention_ended`` is not chosen by hand: it is what `incubator retention --apply` records.
    """

    FUNDER_CONSENT = "funder_consent"  # the managing institution agreed in writing
    UNLAWFUL_PROCESSING = "unlawful_processing"  # art. 17(1)(d): the data should not be held
    AUTHORITY_ORDER = "authority_order"  # a decision of the PUODO or a court
    RETENTION_ENDED = "retention_ended"


CHOOSABLE_GROUNDS = (
    LegalGround.FUNDER_CONSENT,
    LegalGround.UNLAWFUL_PROCESSING,
    LegalGround.AUTHORITY_ORDER,
)


class ErasureError(DomainError):
    code = "erasure_error"


class AlreadyErased(ErasureError):
    code = "already_erased"


class ErasingSelf(ErasureError):
    code = "erasure_self"


class StaffHasWork(ErasureError):
    """Params: ``consultations``, ``events`` (counts)."""

    code = "erasure_staff_has_work"


class UpcomingSupport(ErasureError):
    """Params: ``consultations``, ``events``, ``offers`` (counts), ``first`` (the first date)."""

    code = "erasure_upcoming"


class RetentionRequired(ErasureError):
    """Params: ``projects`` (codes), ``until`` (the latest retention date, None if one is unset),
    ``unset`` (codes of projects without a retention date)."""

    code = "erasure_retention"


class ReasonRequired(ErasureError):
    code = "erasure_reason"
    field = "reason"


class UnknownGround(ErasureError):
    code = "erasure_ground"
    field = "ground"


class NoRetentionSettings(ErasureError):
    """The retention run has nothing to go by: no project has a retention date."""

    code = "retention_not_set"


@dataclass(frozen=True)
class ProjectRetention:
    code: str
    until: date | None


@dataclass(frozen=True)
class ErasureFacts:
    """What the rules need to know about one person (gathered by `services.erasure`)."""

    person_id: int
    is_erased: bool = False
    is_staff: bool = False
    staff_consultations: int = 0
    staff_events: int = 0
    upcoming_consultations: int = 0
    upcoming_events: int = 0
    open_offers: int = 0
    first_upcoming: date | None = None
    projects: tuple[ProjectRetention, ...] = field(default_factory=tuple)


def clean_reason(reason: str | None) -> str:
    """The manager's reason, required and bounded."""
    text = " ".join((reason or "").split())
    if not text:
        raise ReasonRequired()
    if len(text) > REASON_MAX_LENGTH:
        raise ReasonRequired(max=REASON_MAX_LENGTH)
    return text


def parse_ground(value: str | None) -> LegalGround | None:
    """A ground chosen by a manager; empty means none, anything else unknown is refused."""
    if value in (None, ""):
        return None
    if value not in {g.value for g in CHOOSABLE_GROUNDS}:
        raise UnknownGround(value=str(value)[:40])
    return LegalGround(value)


def retention_holds(projects: Iterable[ProjectRetention], today: date) -> list[ProjectRetention]:
    """The projects that still require the person's identity on `today` (unset dates hold)."""
    return [p for p in projects if p.until is None or p.until >= today]


def erasure_refusal(
    facts: ErasureFacts, *, actor_id: int | None, ground: LegalGround | None, today: date
) -> ErasureError | None:
    """Why this person may not be anonymised now, or None (see the module docstring)."""
    if facts.is_erased:
        return AlreadyErased()
    if actor_id is not None and actor_id == facts.person_id:
        return ErasingSelf()
    if facts.is_staff and (facts.staff_consultations or facts.staff_events):
        return StaffHasWork(consultations=facts.staff_consultations, events=facts.staff_events)
    if facts.upcoming_consultations or facts.upcoming_events or facts.open_offers:
        return UpcomingSupport(
            consultations=facts.upcoming_consultations,
            events=facts.upcoming_events,
            offers=facts.open_offers,
            first=facts.first_upcoming,
        )
    holding = retention_holds(facts.projects, today)
    if holding and ground is None:
        dated = [p.until for p in holding if p.until is not None]
        unset = [p.code for p in holding if p.until is None]
        return RetentionRequired(
            projects=[p.code for p in holding],
            until=None if unset else max(dated),
            unset=unset,
        )
    return None


def coarse_birth_date(birth_date: date | None, support_days: Iterable[date]) -> date | None:
    """The earliest date of the birth year that gives the same age on every support day.

    Age on a day depends only on whether the day's (month, day) comes before the birthday's.
    The result is the day after the last support anniversary that comes before the birthday in
    the year (1 January if none does), so every comparison, and so every age, is unchanged.
    """
    if birth_date is None:
        return None
    birthday = (birth_date.month, birth_date.day)
    before = [(d.month, d.day) for d in support_days if (d.month, d.day) < birthday]
    if not before:
        return date(birth_date.year, 1, 1)
    month, day = max(before)
    if (month, day) == (2, 29) and not calendar.isleap(birth_date.year):
        return date(birth_date.year, 3, 1)
    return date(birth_date.year, month, day) + timedelta(days=1)
