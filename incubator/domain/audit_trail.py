"""The audit trail's vocabulary and its browsing filters (plain Python).

`ACTIONS` names every kind of entry the application writes (`services.audit.record`): the
managers' filter offers them, and a test checks that the services write no other. A filter on
an action is either one of them exactly or a family: its prefix ending in a dot
(``participant.``). Dates are Europe/Warsaw local dates, both ends included; the instants they
cover come from `calendar.local_day_bounds`, so a day is 23 or 25 hours long around a DST change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from . import bounds
from .calendar import local_day_bounds, local_midnight
from .errors import InvalidInput

PER_PAGE = 50
MAX_ACTION_LENGTH = 64  # the column
_ACTION = re.compile(r"[a-z][a-z_]*(\.[a-z_]*)*")

# Every action the services record, by family; the order is the filter's.
ACTIONS: tuple[str, ...] = (
    # a person's data and notes read or exported by staff
    "participant.viewed",
    "participant.updated",
    "participants.exported",
    "consultation.notes_viewed",
    "consultation.record_printed",
    "client.searched",
    "client.created_by_staff",
    # consultations
    "consultation.book",
    "consultation.cancel",
    "consultation.reschedule",
    "consultation.outcome",
    "consultation.outcome_corrected",
    "call.done",
    # accounts
    "user.registered",
    "user.registration_attempt",
    "user.created",
    "user.updated",
    "user.profile_updated",
    "user.password_changed",
    "user.password_reset_requested",
    "user.password_reset",
    "user.password_set",
    "user.deactivated",
    "user.reactivated",
    "user.login",
    "user.login_failed",
    "user.logout",
    "person.merged",
    "person.exported",
    "person.erased",
    "person.informed",
    # reports and settings
    "report.exported",
    "setting.changed",
    "project.created",
    "project.updated",
    "calendar_feed.regenerated",
    # consultation hours
    "availability.rule_add",
    "availability.rule_end",
    "availability.rule_delete",
    "availability.exception_add",
    "availability.exception_delete",
    # waiting list
    "waitlist.join",
    "waitlist.leave",
    "waitlist.decline",
    "waitlist.offer",
    "waitlist.lapsed",
    # events
    "event.create",
    "event.cancel",
    "event.registered",
    "event.waitlisted",
    "event.cancel_registration",
    "event.promoted",
    "event.attendance",
    "event.head_count",
    "event.certificate",
    "event.certificate_printed",
    "event.attendance_list_printed",
    # founding groups
    "group.created",
    "group.legal_form",
    "group.member_added",
    "group.stage",
)

# The families the filter offers as a whole ("every account change").
FAMILIES: tuple[str, ...] = (
    "participant.",
    "consultation.",
    "user.",
    "report.",
    "availability.",
    "waitlist.",
    "event.",
    "group.",
)


@dataclass(frozen=True)
class AuditFilters:
    """What the trail is narrowed to; None means "any". Dates are Warsaw local, inclusive."""

    person_id: int | None = None
    actor_id: int | None = None
    action: str | None = None
    first_day: date | None = None
    last_day: date | None = None

    @property
    def is_family(self) -> bool:
        return bool(self.action) and self.action.endswith(".")  # type: ignore[union-attr]

    def check(self) -> None:
        """Refuse filters that cannot mean anything (the field says which)."""
        for name, value in (("person_id", self.person_id), ("actor_id", self.actor_id)):
            if value is not None and not bounds.is_id(value):
                raise InvalidInput(field=name, reason="not_an_id")
        if self.action is not None and not is_action_filter(self.action):
            raise InvalidInput(field="action", reason="not_an_action")
        for name, day in (("from", self.first_day), ("to", self.last_day)):
            if day is not None and not bounds.is_accepted_date(day):
                raise InvalidInput(field=name, reason="out_of_range")
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise InvalidInput(field="to", reason="before_from")

    def instants(self) -> tuple[datetime | None, datetime | None]:
        """``[start, end)`` in UTC: the instants the local dates cover (None: open on that side).

        In UTC, because subtracting two Warsaw datetimes counts wall-clock hours (24 on the
        23-hour day in March), and the column is compared in UTC anyway.
        """
        start = local_midnight(self.first_day).astimezone(UTC) if self.first_day else None
        end = None
        if self.last_day:
            end = local_day_bounds(self.last_day, self.last_day)[1].astimezone(UTC)
        return start, end


def is_action_filter(value: str) -> bool:
    """An action code or a family prefix ending in a dot, in the codes' own alphabet."""
    return 0 < len(value) <= MAX_ACTION_LENGTH and _ACTION.fullmatch(value) is not None


def check_page(page: int) -> None:
    if page < 1 or page > bounds.MAX_ID:
        raise InvalidInput(field="page", reason="not_a_page")


def _id(args: Mapping[str, str | None], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = bounds.parse_id(raw)
    if value is None:
        raise InvalidInput(field=name, reason="not_an_id")
    return value


def _day(args: Mapping[str, str | None], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    return bounds.parse_day(raw, name) if raw else None


def _page(args: Mapping[str, str | None]) -> int:
    raw = (args.get("page") or "").strip()
    if not raw:
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > bounds.MAX_ID_DIGITS:
        raise InvalidInput(field="page", reason="not_a_page")
    page = int(raw)
    check_page(page)
    return page


def parse_filters(args: Mapping[str, str | None]) -> tuple[AuditFilters, int]:
    """The filters and the page from a query string (the page's form and the API share it).

    Empty values mean "any"; anything malformed is `InvalidInput` naming its field.
    """
    action = (args.get("action") or "").strip() or None
    filters = AuditFilters(
        person_id=_id(args, "person_id"),
        actor_id=_id(args, "actor_id"),
        action=action,
        first_day=_day(args, "from"),
        last_day=_day(args, "to"),
    )
    filters.check()
    return filters, _page(args)
