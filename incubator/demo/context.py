"""What the history planner is given and what it hands back, and the demo's fixed dates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from ..domain.calendar import WARSAW, local_date
from ..domain.slots import Rule, Slot
from ..models import ConsultationStatus, FoundingGroup, User
from .files import TextPool
from .people import NamePool, Person

DEFAULT_PEOPLE_SERVED = 207
DEFAULT_SEED = 20080501

# The original project's period (inclusive local dates) and the tail of "after the project" noise.
PERIOD_START = date(2008, 5, 1)
PERIOD_END = date(2011, 6, 30)
HISTORY_END = date(2011, 12, 31)
# When the demo staff accounts "joined": shortly before the project started.
STAFF_SINCE = datetime(2008, 4, 14, 9, 0, tzinfo=WARSAW)

WORKDAY_START = time(8, 0)
WORKDAY_END = time(17, 0)


@dataclass(frozen=True)
class ExpertInfo:
    user_id: int
    domain_ids: tuple[int, ...]
    branch_ids: tuple[int, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class GroupInfo:
    group: FoundingGroup  # flushed: has an id
    natural_founders: int
    joined_later: int


@dataclass(frozen=True)
class DemoContext:
    """Everything the generator needs, already in the session (flushed, so ids are known)."""

    now: datetime
    branch_codes: dict[int, str]  # branch id -> code
    domain_codes: dict[int, str]  # domain id -> code
    experts: tuple[ExpertInfo, ...]
    groups: tuple[GroupInfo, ...]
    names: NamePool
    texts: TextPool
    manager: User
    demo_client: User | None = None
    demo_client_branch_id: int | None = None
    featured_expert_id: int | None = None  # the demo expert: gets the demo client's first booking
    taken_emails: frozenset[str] = frozenset()


@dataclass
class HistorySummary:
    clients: int = 0
    consultations: int = 0
    people_served: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    after_period: int = 0
    group_consultations: int = 0
    upcoming: int = 0


@dataclass(eq=False)
class Planned:
    """A consultation the planner has placed on a slot, before it becomes a row."""

    slot: Slot
    domain_id: int
    status: ConsultationStatus
    client: Person
    attendees: list[Person]
    group: FoundingGroup | None = None


def within_workday(slot: Slot) -> bool:
    """The slot lies inside one local day's 08:00-17:00."""
    start, end = slot.start.astimezone(WARSAW), slot.end.astimezone(WARSAW)
    return local_date(start) == local_date(end) and (
        start.time() >= WORKDAY_START and end.time() <= WORKDAY_END
    )


def at_local(day: date, at: time) -> datetime:
    """A Warsaw wall-clock moment as a UTC instant (what the ``*_dt`` columns hold)."""
    return datetime.combine(day, at, WARSAW).astimezone(UTC)
