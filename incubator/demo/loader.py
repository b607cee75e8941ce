"""Loading the whole demo set: reference data, demo logins, experts, founding groups, history.

Everything happens in one transaction (:func:`~incubator.demo.reference.all_or_nothing`): every
file is read and checked first, then the rows are written in steps, and a problem anywhere
rolls all of it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date
from ..domain.founding import REGISTER_OF
from ..domain.people import INFORMED_ON_PAGE
from ..domain.slots import Rule
from ..models import (
    Area,
    AvailabilityRule,
    Branch,
    ClientProfile,
    ExpertProfile,
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    Role,
    User,
)
from ..models.founding_group import HistoryKind, MemberKind
from .consultations import read_texts
from .context import (
    DEFAULT_PEOPLE_SERVED,
    DEFAULT_SEED,
    STAFF_SINCE,
    DemoContext,
    ExpertInfo,
    GroupInfo,
    HistorySummary,
    at_local,
)
from .current_groups import add_current_groups
from .events import EventSpec, EventsSummary, add_demo_events, read_events
from .files import (
    ACCOUNTS_FILE,
    DEFAULT_SEED_DIR,
    EXPERTS_FILE,
    AccountSpec,
    ExpertSpec,
    GroupSpec,
    SeedError,
    SeedFile,
    TextPool,
    check_seed_dir,
)
from .groups import read_groups
from .history import generate_history
from .people import NamePool, read_names
from .projects import add_demo_project
from .recent import add_awaiting_outcome
from .reference import ReferenceSummary, all_or_nothing, apply_reference, read_areas, read_branches
from .staff import demo_accounts, read_accounts, read_experts
from .upcoming_events import add_upcoming_events


@dataclass
class DemoSummary:
    reference: ReferenceSummary
    accounts: list[tuple[str, str, str]]  # (role, e-mail, password) of the demo logins
    experts: int = 0
    availability_rules: int = 0
    founding_groups: int = 0
    history: HistorySummary = field(default_factory=HistorySummary)
    awaiting_outcome: int = 0  # recent consultations left for the demo user to record
    events: EventsSummary = field(default_factory=EventsSummary)


@dataclass(frozen=True)
class _DemoFiles:
    """Every demo file, read and checked, before anything is written."""

    accounts: list[AccountSpec]
    experts: list[ExpertSpec]
    groups: list[GroupSpec]
    names: NamePool
    texts: TextPool
    events: list[EventSpec]

    @property
    def emails(self) -> set[str]:
        return {a.email for a in self.accounts} | {e.email for e in self.experts}

    def account(self, email: str) -> AccountSpec | None:
        return next((a for a in self.accounts if a.email == email), None)

    def first(self, role: Role) -> AccountSpec | None:
        return next((a for a in self.accounts if a.role == role), None)


@dataclass
class _Written:
    """The rows written so far, by code or e-mail, for the later steps."""

    branches: dict[str, Branch]
    areas: dict[str, Area]
    users: dict[str, User] = field(default_factory=dict)
    demo_client_branch: Branch | None = None
    rule_count: int = 0


def demo_data_present(session: Session, seed_dir: Path = DEFAULT_SEED_DIR) -> bool:
    """True if any demo account of demo/accounts.json is already in the database."""
    emails = [email for _role, email, _password in demo_accounts(seed_dir)]
    return session.scalar(select(User.id).where(User.email.in_(emails)).limit(1)) is not None


def _cross_check(files: _DemoFiles, accounts_file: SeedFile, experts_file: SeedFile) -> None:
    """Accounts and experts agree, and there is a manager (staff enter phone-only clients)."""
    expert_emails = {e.email for e in files.experts}
    for account in files.accounts:
        if account.role == Role.EXPERT and account.email not in expert_emails:
            raise accounts_file.error(
                f"account {account.email!r}: role expert but not in {EXPERTS_FILE}"
            )
    for expert in files.experts:
        account = files.account(expert.email)
        if account is not None and account.role != Role.EXPERT:
            raise experts_file.error(f"expert {expert.email!r}: account role is {account.role}")
        if account is not None and account.full_name != expert.full_name:
            raise experts_file.error(
                f"expert {expert.email!r}: full_name differs from {ACCOUNTS_FILE}"
            )
    if files.first(Role.MANAGER) is None:
        raise accounts_file.error("needs a manager account (staff enter phone-only clients)")


def _read_demo_files(session: Session, seed_dir: Path) -> _DemoFiles:
    """Step 1: read and check every file; codes may also come from the database."""
    _branch_file, branch_specs = read_branches(seed_dir)
    area_specs = read_areas(seed_dir)
    branch_codes = {s.code for s in branch_specs} | set(session.scalars(select(Branch.code)))
    area_codes = {s.code for s in area_specs} | set(session.scalars(select(Area.code)))
    accounts_file, accounts = read_accounts(seed_dir, branch_codes)
    experts_file, experts = read_experts(seed_dir, branch_codes, area_codes)
    files = _DemoFiles(
        accounts=accounts,
        experts=experts,
        groups=read_groups(seed_dir, branch_codes),
        names=read_names(seed_dir, branch_codes),
        texts=read_texts(seed_dir),
        events=read_events(seed_dir, branch_codes, area_codes, {e.email for e in experts}),
    )
    _cross_check(files, accounts_file, experts_file)
    taken = session.scalars(select(User.email).where(User.email.in_(files.emails))).first()
    if taken is not None:
        raise SeedError(f"demo data already present: the account {taken} exists")
    return files


def _add_accounts(
    session: Session, files: _DemoFiles, out: _Written, now: datetime, hash_method: str
) -> None:
    """Step 2: the manager and the demo client (expert logins come with the experts)."""
    for account in files.accounts:
        if account.role == Role.EXPERT:
            continue  # created with the experts
        created = (
            STAFF_SINCE.astimezone(UTC)
            if account.role == Role.MANAGER
            else now - timedelta(days=21)
        )
        user = User(
            email=account.email,
            full_name=account.full_name,
            phone=account.phone,
            role=account.role,
            created_at_dt=created,
            consent_dt=created if account.role == Role.CLIENT else None,
            informed_via=INFORMED_ON_PAGE if account.role == Role.CLIENT else None,
        )
        user.set_password(account.password, method=hash_method)
        if account.role == Role.CLIENT:
            user.client_profile = ClientProfile(entry_dt=None, **account.profile)
            if account.home_branch:
                out.demo_client_branch = out.branches[account.home_branch]
        out.users[account.email] = user
        session.add(user)


def _add_experts(
    session: Session, files: _DemoFiles, out: _Written, now: datetime, hash_method: str
) -> None:
    """Step 3: the experts, with weekly rules valid from the local date of ``now``, no end."""
    valid_from = local_date(now)
    for spec in files.experts:
        user = User(
            email=spec.email,
            full_name=spec.full_name,
            phone=spec.phone,
            role=Role.EXPERT,
            created_at_dt=STAFF_SINCE.astimezone(UTC),
        )
        account = files.account(spec.email)
        if account is not None:
            user.set_password(account.password, method=hash_method)
        user.expert_profile = ExpertProfile(
            title=spec.title,
            bio=spec.bio,
            default_length_min=spec.default_length_min,
            domains=[out.areas[c] for c in spec.domains],
            branches=[out.branches[c] for c in spec.branches],
        )
        session.add(user)
        for rule in spec.rules:
            session.add(
                AvailabilityRule(
                    expert=user,
                    branch=out.branches[rule.branch],
                    weekday=rule.weekday,
                    start_time=rule.start,
                    end_time=rule.end,
                    length_min=rule.length_min,
                    buffer_min=rule.buffer_min,
                    valid_from_date=valid_from,
                    valid_to_date=None,
                )
            )
            out.rule_count += 1
        out.users[spec.email] = user


def _group_row(spec: GroupSpec, branch: Branch, manager: User) -> FoundingGroup:
    """A founding group with its dated history (recorded by the manager) and legal founders."""
    group = FoundingGroup(
        name=spec.name,
        legal_form=spec.legal_form,
        branch=branch,
        guardian=manager,
        locality=spec.locality,
        stage=spec.stages[-1].stage,
        register=REGISTER_OF[spec.legal_form] if spec.stages[-1].stage == "registered" else None,
        krs=spec.krs,
        notes=spec.notes,
        created_at_dt=at_local(spec.stages[0].day, time(10)),
    )
    previous = [None, *(s.stage for s in spec.stages)]
    group.stage_history = [
        FoundingGroupStage(
            kind=HistoryKind.STAGE,
            from_value=before,
            to_value=s.stage,
            on_date=s.day,
            changed_at_dt=at_local(s.day, time(12)),
            changed_by_id=manager.id,
            note=s.note,
        )
        for before, s in zip(previous, spec.stages, strict=False)
    ]
    group.members = [
        FoundingGroupMember(
            kind=MemberKind.LEGAL,
            legal_person_name=name,
            legal_type=legal_type,
            is_founder=True,
            joined_date=group.founding_meeting_date,
        )
        for name, legal_type in spec.legal_persons
    ]
    return group


def _add_groups(
    session: Session, files: _DemoFiles, out: _Written, manager: User
) -> list[GroupInfo]:
    """Step 4: the founding groups; their natural-person members come with the history."""
    session.flush()  # ids: the manager records the groups' stages
    infos = []
    for spec in files.groups:
        group = _group_row(spec, out.branches[spec.branch], manager)
        session.add(group)
        infos.append(GroupInfo(group, spec.natural_founders, spec.joined_later))
    return infos


def _expert_info(spec: ExpertSpec, out: _Written) -> ExpertInfo:
    user = out.users[spec.email]
    return ExpertInfo(
        user_id=user.id,
        domain_ids=tuple(out.areas[c].id for c in spec.domains),
        branch_ids=tuple(out.branches[c].id for c in spec.branches),
        rules=tuple(
            Rule(
                expert_id=user.id,
                branch_id=out.branches[r.branch].id,
                weekday=r.weekday,
                start=r.start,
                end=r.end,
                length_min=r.length_min,
                buffer_min=r.buffer_min,
            )
            for r in spec.rules
        ),
    )


def _context(
    files: _DemoFiles, out: _Written, groups: list[GroupInfo], manager: User, now: datetime
) -> DemoContext:
    """Step 5: what the history planner needs, by id (flushed first by the caller)."""
    client = files.first(Role.CLIENT)
    featured = files.first(Role.EXPERT)
    return DemoContext(
        now=now,
        branch_codes={b.id: code for code, b in out.branches.items()},
        domain_codes={d.id: code for code, d in out.areas.items()},
        experts=tuple(_expert_info(spec, out) for spec in files.experts),
        groups=tuple(groups),
        names=files.names,
        texts=files.texts,
        manager=manager,
        demo_client=out.users[client.email] if client else None,
        demo_client_branch_id=out.demo_client_branch.id if out.demo_client_branch else None,
        featured_expert_id=out.users[featured.email].id if featured else None,
        taken_emails=frozenset(files.emails),
    )


def _load_demo(
    session: Session,
    seed_dir: Path,
    now: datetime,
    password_hash_method: str,
    people_served: int,
    seed: int,
) -> DemoSummary:
    files = _read_demo_files(session, seed_dir)
    reference = apply_reference(session, seed_dir)
    out = _Written(
        branches={b.code: b for b in session.scalars(select(Branch))},
        areas={d.code: d for d in session.scalars(select(Area))},
    )
    _add_accounts(session, files, out, now, password_hash_method)
    _add_experts(session, files, out, now, password_hash_method)
    manager_spec = files.first(Role.MANAGER)
    assert manager_spec is not None  # _cross_check refused files without one
    manager = out.users[manager_spec.email]
    groups = _add_groups(session, files, out, manager)
    session.flush()  # ids for the planner
    context = _context(files, out, groups, manager, now)
    try:
        history = generate_history(session, context, people_served=people_served, seed=seed)
    except ValueError as exc:
        raise SeedError(f"{seed_dir}: cannot generate the demo history: {exc}") from None
    session.flush()  # the consultations' busy time: the trainers' sessions must avoid it
    events = add_demo_events(session, context, files.events, seed=seed + 14)
    add_demo_project(session, now)
    awaiting = add_awaiting_outcome(session, context)
    current = add_current_groups(session, context)  # groups at work today (issue #12)
    branch_ids = {code: b.id for code, b in out.branches.items()}
    add_upcoming_events(session, context, branch_ids)  # to register for (issue #14)
    session.flush()
    return DemoSummary(
        reference=reference,
        accounts=[(str(a.role), a.email, a.password) for a in files.accounts],
        experts=len(files.experts),
        availability_rules=out.rule_count,
        founding_groups=len(files.groups) + current,
        history=history,
        awaiting_outcome=awaiting,
        events=events,
    )


def load_demo_data(
    session: Session,
    seed_dir: Path,
    now: datetime,
    password_hash_method: str,
    *,
    people_served: int = DEFAULT_PEOPLE_SERVED,
    seed: int = DEFAULT_SEED,
) -> DemoSummary:
    """Load reference data and the whole demo set in one transaction, and commit.

    ``now`` (aware) dates the experts' rules (valid from its local date, no end) and the demo
    client's upcoming bookings; the history itself is fixed in 2008-2011. Refuses (SeedError) if
    a demo account already exists, so it never duplicates the demo.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return all_or_nothing(
        session,
        lambda: _load_demo(
            session, check_seed_dir(seed_dir), now, password_hash_method, people_served, seed
        ),
    )
