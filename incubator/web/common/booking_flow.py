"""The booking flow's state and data, shared by clients (`booking`) and staff (`staff`).

domain → branch → expert (any, or one) → day → time → confirm. Every step is a plain GET page
whose links carry the choices so far in the query string, so the flow works without JavaScript;
`static/js/slots.js` only speeds up the day → time steps. Staff flows carry `client=ID` as well,
and an expert books only into their own calendar, so their flow has no expert step.

Nothing here decides a booking rule: choices are resolved by `services.directory`, free slots
come from `services.slots` (the same cached listing as the JSON API), who may change a
consultation is `domain.consultations`, and refusals come back as `DomainError`s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...domain import consultations
from ...domain.booking_rules import BookingPolicy, TooLateToCancel
from ...domain.calendar import local_date, local_midnight
from ...domain.errors import DomainError
from ...domain.slots import Slot
from ...models import Area, Branch, Consultation, User
from ...services import booking, directory, slot_cache, slots
from .display import (
    day_label,
    expert_name,
    parse_day,
    parse_id,
    parse_start,
    start_arg,
    time_range,
)

WINDOW_DAYS = 14  # days shown at once on the day step

STEP_LABELS = {
    "client": _l("Client"),
    "domain": _l("Area"),
    "branch": _l("Office"),
    "expert": _l("Expert"),
    "date": _l("Day"),
    "time": _l("Time"),
    "confirm": _l("Confirm"),
}
# The query arguments each step needs (the choices made before it).
STEP_ARGS: dict[str, tuple[str, ...]] = {
    "client": (),
    "domain": (),
    "branch": ("domain",),
    "expert": ("domain", "branch"),
    "date": ("domain", "branch", "expert"),
    "time": ("domain", "branch", "expert", "date"),
    "confirm": ("domain", "branch", "expert", "start"),
}
ENDPOINTS = {
    "booking": {
        "domain": "booking.new",
        "branch": "booking.branch",
        "expert": "booking.expert",
        "date": "booking.date",
        "time": "booking.time",
        "confirm": "booking.confirm",
    },
    "staff": {
        "client": "staff.book",
        "domain": "staff.book_domain",
        "branch": "staff.book_branch",
        "expert": "staff.book_expert",
        "date": "staff.book_date",
        "time": "staff.book_time",
        "confirm": "staff.book_confirm",
    },
}


def policy() -> BookingPolicy:
    return booking.policy_from_config(current_app.config)


def notices() -> booking.NoticeSettings:  # what e-mails about a change need from settings
    return booking.NoticeSettings.from_config(current_app.config)


# --- flow -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepLink:
    key: str
    label: str
    number: int
    url: str | None  # earlier steps link back; the current and later ones do not
    current: bool


class StepError(Exception):
    """A choice in the query string is missing or no longer valid: go back to `step`."""

    def __init__(self, step: str, message: str, args: Mapping[str, object] | None = None):
        super().__init__(message)
        self.step = step
        self.message = message
        self.args_ = dict(args or {})


@dataclass(frozen=True)
class Flow:
    blueprint: str  # "booking" (a client for themselves) or "staff"
    actor: User
    client: User | None = None  # staff: whom the consultation is for

    @property
    def for_client(self) -> User:
        return self.client if self.client is not None else self.actor

    @property
    def is_staff(self) -> bool:
        return self.blueprint == "staff"

    @property
    def fixed_expert(self) -> User | None:
        """Experts book only into their own calendar."""
        return self.actor if self.actor.is_expert else None

    @property
    def step_keys(self) -> list[str]:
        keys = ["domain", "branch", "expert", "date", "time", "confirm"]
        if self.is_staff:
            keys.insert(0, "client")
        if self.fixed_expert is not None:
            keys.remove("expert")
        return keys

    def url(self, step: str, **args: object) -> str:
        params = {k: v for k, v in args.items() if v not in (None, "")}
        if self.client is not None and step != "client":
            params["client"] = self.client.id
        return url_for(ENDPOINTS[self.blueprint][step], **params)

    def step_url(self, step: str, args: Mapping[str, object]) -> str:
        return self.url(step, **{k: args.get(k) for k in STEP_ARGS[step]})

    def progress(self, current: str, args: Mapping[str, object]) -> list[StepLink]:
        keys = self.step_keys
        position = keys.index(current)
        return [
            StepLink(
                key=key,
                label=str(STEP_LABELS[key]),
                number=n,
                url=self.step_url(key, args) if n - 1 < position else None,
                current=key == current,
            )
            for n, key in enumerate(keys, start=1)
        ]

    def step_number(self, step: str) -> int:
        return self.step_keys.index(step) + 1


@dataclass
class Choice:
    """What has been chosen so far, resolved against the database."""

    domain: Area | None = None
    branch: Branch | None = None
    expert: User | None = None  # None: any expert
    day: date | None = None
    start: datetime | None = None

    def args(self) -> dict[str, object]:
        return {
            "domain": self.domain.code if self.domain else None,
            "branch": self.branch.id if self.branch else None,
            "expert": self.expert.id if self.expert else None,
            "date": self.day.isoformat() if self.day else None,
            "start": start_arg(self.start) if self.start else None,
        }


def resolve(session: Session, flow: Flow, args: Mapping[str, str], need: Sequence[str]) -> Choice:
    """Resolve the choices `need` from the query string; StepError says where to go back."""
    choice = Choice()
    if "domain" in need:
        try:
            choice.domain = directory.resolve_area(session, (args.get("domain") or "")[:40])
        except DomainError:
            raise StepError("domain", str(_l("Choose the area of advice."))) from None
        if flow.fixed_expert is not None and choice.domain not in _profile_domains(flow):
            raise StepError("domain", str(_l("You do not give consultations in this area.")))
    if "branch" in need:
        branch_id = parse_id(args.get("branch"))
        try:
            choice.branch = directory.resolve_branch(session, branch_id or 0)
        except DomainError:
            raise StepError("branch", str(_l("Choose the office.")), choice.args()) from None
    if "expert" in need:
        expert_id = parse_id(args.get("expert"))
        if flow.fixed_expert is not None:
            expert_id = flow.fixed_expert.id
        if expert_id is not None:
            try:
                choice.expert = directory.resolve_expert(
                    session, expert_id, choice.domain, choice.branch
                )
            except DomainError:
                back = "branch" if flow.fixed_expert is not None else "expert"
                message = _l("This expert does not give consultations in this area at this office.")
                raise StepError(back, str(message), choice.args()) from None
    if "date" in need:
        choice.day = parse_day(args.get("date"))
        if choice.day is None:
            raise StepError("date", str(_l("Choose a day.")), choice.args())
    if "start" in need:
        choice.start = parse_start(args.get("start"))
        if choice.start is None or choice.expert is None:
            raise StepError("date", str(_l("Choose a day and a time.")), choice.args())
    return choice


def _profile_domains(flow: Flow) -> list[Area]:
    profile = flow.fixed_expert.expert_profile if flow.fixed_expert else None
    return list(profile.domains) if profile is not None else []


def _profile_branch_ids(flow: Flow) -> set[int]:
    profile = flow.fixed_expert.expert_profile if flow.fixed_expert else None
    return {b.id for b in profile.branches} if profile is not None else set()


# --- step data ------------------------------------------------------------------------------


def domain_options(session: Session, flow: Flow) -> list[Area]:
    if flow.fixed_expert is not None:
        return _profile_domains(flow)
    return directory.domains(session)


@dataclass
class BranchOption:
    branch: Branch
    bookable: bool  # someone gives consultations in the chosen area here
    children: list[BranchOption] = field(default_factory=list)


def branch_options(session: Session, flow: Flow, domain: Area) -> list[BranchOption]:
    """The branch tree (filie nested under their office), marking where the area is offered."""
    if flow.fixed_expert is not None:
        offered = _profile_branch_ids(flow)
    else:
        offered = {
            b.id
            for expert in directory.experts_for(session, domain)
            for b in expert.expert_profile.branches
        }
    options = []
    for top in directory.branch_tree(session):
        children = [
            BranchOption(child, child.id in offered) for child in top.children if child.active
        ]
        if top.id in offered or any(c.bookable for c in children):
            options.append(BranchOption(top, top.id in offered, children))
    return options


@dataclass(frozen=True)
class DayOption:
    day: date
    label: str  # "wtorek 3 marca"
    count: int
    url: str


@dataclass(frozen=True)
class DayWindow:
    days: list[DayOption]
    start: date
    end: date
    earlier_url: str | None
    later_url: str | None
    first_free: DayOption | None  # when the window is empty: the first later day with a slot


def bookable_range(now: datetime, policy_: BookingPolicy) -> tuple[date, date]:
    return local_date(now), local_date(now + policy_.horizon)


def day_window(
    session: Session,
    *,
    domain: Area,
    branch: Branch,
    expert: User | None,
    window_from: date | None,
    now: datetime,
    policy_: BookingPolicy,
    day_url: Callable[[date], str],
    window_url: Callable[[date], str],
    exclude_consultation_id: int | None = None,
) -> DayWindow:
    """Days with free slots in a 14-day window, with counts and links to other windows."""
    first, last = bookable_range(now, policy_)
    start = min(max(window_from or first, first), last)
    end = min(start + timedelta(days=WINDOW_DAYS - 1), last)
    found = listing(
        session,
        domain=domain,
        branch=branch,
        start_date=start,
        end_date=end,
        now=now,
        policy_=policy_,
        expert=expert,
        exclude_consultation_id=exclude_consultation_id,
    )
    counts = Counter(local_date(s.start) for s in found)
    days = [DayOption(d, day_label(d), n, day_url(d)) for d, n in sorted(counts.items())]
    earlier = None
    if start > first:
        earlier = window_url(max(first, start - timedelta(days=WINDOW_DAYS)))
    later = window_url(end + timedelta(days=1)) if end < last else None
    first_free = None
    if not days and later is not None:
        upcoming = slots.next_free_slots(
            session,
            area=domain,
            branch=branch,
            after=local_midnight(end + timedelta(days=1)),
            now=now,
            policy=policy_,
            expert_id=expert.id if expert else None,
            limit=1,
            cached=True,
            listen=current_app.config["SLOT_LISTEN"],
        )
        if upcoming and (expert is None or upcoming[0].expert_id == expert.id):
            d = local_date(upcoming[0].start)
            first_free = DayOption(d, day_label(d), 0, window_url(d))
    return DayWindow(days, start, end, earlier, later, first_free)


@dataclass(frozen=True)
class SlotOption:
    slot: Slot
    expert_name: str
    day: str  # "wtorek 3 marca"
    time_range: str
    office: str
    url: str = ""

    @property
    def label(self) -> str:
        """What a screen reader reads: the day and the office around the visible time and name
        (the page shows the first and last parts to screen readers only, WCAG 2.5.3)."""
        return f"{self.day}, {self.time_range} {self.expert_name}, {self.office}"

    @property
    def start_arg(self) -> str:
        return start_arg(self.slot.start)


def listing(
    session: Session,
    *,
    domain: Area,
    branch: Branch,
    start_date: date,
    end_date: date,
    now: datetime,
    policy_: BookingPolicy,
    expert: User | None = None,
    exclude_consultation_id: int | None = None,
) -> list[Slot]:
    """Free slots between two days, from the same cache the JSON API serves its listings from."""
    query = slots.SlotQuery(
        area_code=domain.code,
        branch_id=branch.id,
        start_date=start_date,
        end_date=end_date,
        expert_id=expert.id if expert else None,
        exclude_consultation_id=exclude_consultation_id,
    )
    return slots.cached_listing(
        session,
        query,
        now=now,
        policy=policy_,
        listen=current_app.config["SLOT_LISTEN"],
    )


def expert_names(session: Session, domain: Area, branch: Branch) -> Mapping[int, str]:
    """The names of the experts of `domain` at `branch` (cached until the directory changes)."""
    return slots.directory_cached(
        session,
        ("expert-names", domain.id, branch.id),
        lambda: {e.id: expert_name(e) for e in directory.experts_for(session, domain, branch)},
        listen=current_app.config["SLOT_LISTEN"],
    )


_slot_options = slot_cache.LruCache(maxsize=1024)


def cached_slot_options(
    page: Hashable,
    build: Callable[[], list[SlotOption]],
    *,
    slots: Sequence[Slot],
    names: Mapping[int, str],
) -> list[SlotOption]:
    """`build()`'s options, kept for the same page, slots, names and language.

    Worded times and a link per slot cost ~40 µs each; the same office's day is shown to many
    people, and its slots change only with the calendar, so the words and links are reused.
    Everything they are made of is in the key: `page` (who books for whom, the page's choices),
    the slots themselves, the experts' names and the language."""
    key = (
        page,
        str(get_locale()),
        tuple((s.start, s.end, s.expert_id, s.branch_id) for s in slots),
        tuple(names.items()),
    )
    return _slot_options.get_or_compute(key, build)


def slot_options(
    session: Session,
    slots: Iterable[Slot],
    *,
    branch: Branch,
    names: Mapping[int, str] | None = None,
    url_for_slot: Callable[[Slot], str] | None = None,
) -> list[SlotOption]:
    names = dict(names or {})
    options = []
    for slot in slots:
        name = names.get(slot.expert_id)
        if name is None:  # not among the office's experts now (an alternative offered earlier)
            user = directory.get_expert(session, slot.expert_id)
            name = names[slot.expert_id] = expert_name(user) if user else "?"
        where = branch
        if slot.branch_id != branch.id:
            where = directory.get_branch(session, slot.branch_id)
        span = time_range(slot.start, slot.end)
        day = day_label(slot.start)
        options.append(
            SlotOption(
                slot=slot,
                expert_name=name,
                day=day,
                time_range=span,
                office=where.name if where else "",
                url=url_for_slot(slot) if url_for_slot else "",
            )
        )
    return options


def picker_config(
    *,
    domain: Area,
    branch: Branch,
    expert: User | None,
    names: Mapping[int, str],
    confirm_url: str,
) -> dict[str, object]:
    """What `static/js/slots.js` needs to render a day's slots in place (data-* attributes)."""
    return {
        "api": url_for("api.slots"),
        "domain": domain.code,
        "branch": branch.id,
        "branch_name": branch.name,
        "expert": expert.id if expert else "",
        "experts": dict(names),
        "confirm_url": confirm_url,
    }


# --- changing a consultation ----------------------------------------------------------------


def change_refusal(
    consultation: Consultation, user: User, now: datetime, policy_: BookingPolicy
) -> DomainError | None:
    """Why `user` cannot cancel or move the consultation now (None: they can)."""
    return consultations.change_refusal(user, consultation, now, policy_)


def is_too_late(error: DomainError | None) -> bool:
    return isinstance(error, TooLateToCancel)
