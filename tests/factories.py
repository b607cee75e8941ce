"""Factories: create_x(**params), defaults set by setdefault; each commits and returns the row."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from incubator.extensions import db
from incubator.models import (
    Area,
    AvailabilityException,
    AvailabilityRule,
    Branch,
    CallTask,
    ClientProfile,
    Consultation,
    ConsultationAttendee,
    Event,
    EventRegistration,
    EventSession,
    ExpertProfile,
    FoundingGroup,
    FoundingGroupMember,
    FoundingGroupStage,
    Project,
    Role,
    SessionAttendance,
    SlotOffer,
    User,
    WaitlistEntry,
)
from tests.helpers import NOW

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def create_branch(**params) -> Branch:
    n = next(_counter)
    params.setdefault("code", f"branch-{n}")
    params.setdefault("name", f"Oddział {n}")
    branch = Branch(**params)
    db.session.add(branch)
    db.session.commit()
    return branch


def create_domain(**params) -> Area:
    n = next(_counter)
    params.setdefault("code", f"domain-{n}")
    params.setdefault("name_pl", f"Dziedzina {n}")
    params.setdefault("name_en", f"Area {n}")
    domain = Area(**params)
    db.session.add(domain)
    db.session.commit()
    return domain


def create_user(**params) -> User:
    n = next(_counter)
    password = params.pop("password", PASSWORD)
    params.setdefault("email", f"user{n}@example.org")
    params.setdefault("full_name", f"Użytkownik {n}")
    params.setdefault("role", Role.CLIENT)
    params.setdefault("created_at_dt", NOW)
    user = User(**params)
    if password is not None:
        user.set_password(password, method="pbkdf2:sha256:1000")
    if user.role == Role.CLIENT and user.client_profile is None:
        user.client_profile = ClientProfile()
    db.session.add(user)
    db.session.commit()
    return user


def create_client(**params) -> User:
    params.setdefault("role", Role.CLIENT)
    return create_user(**params)


def create_manager(**params) -> User:
    params.setdefault("role", Role.MANAGER)
    return create_user(**params)


def create_expert(*, domains=(), branches=(), title: str = "", **params) -> User:
    params.setdefault("role", Role.EXPERT)
    user = create_user(**params)
    user.expert_profile = ExpertProfile(title=title, domains=list(domains), branches=list(branches))
    db.session.commit()
    return user


def create_rule(expert: User, branch: Branch, **params) -> AvailabilityRule:
    """A weekly availability rule; default Monday 09:00–12:00, 60-minute consultations."""
    params.setdefault("weekday", 0)
    params.setdefault("start_time", time(9))
    params.setdefault("end_time", time(12))
    params.setdefault("length_min", 60)
    rule = AvailabilityRule(expert_id=expert.id, branch_id=branch.id, **params)
    db.session.add(rule)
    db.session.commit()
    return rule


def create_exception(expert: User, **params) -> AvailabilityException:
    """A day off (default: one whole day, every office) or, with ``kind="extra"``, extra hours."""
    params.setdefault("kind", "off")
    params.setdefault("start_date", date(2026, 11, 25))
    params.setdefault("end_date", params["start_date"])
    if params["kind"] == "extra":
        params.setdefault("start_time", time(9))
        params.setdefault("end_time", time(12))
    exception = AvailabilityException(expert_id=expert.id, **params)
    db.session.add(exception)
    db.session.commit()
    return exception


def create_consultation(
    *, expert: User, client: User, branch: Branch, area: Area, attendees=(), **params
) -> Consultation:
    """A consultation written directly, bypassing the booking rules (past, too soon, ...).

    Default: an hour from `start_dt` (default NOW + 2 days), booked by the client, who attends
    with `attendees`.
    """
    params.setdefault("start_dt", NOW + timedelta(days=2))
    params.setdefault("end_dt", params["start_dt"] + timedelta(hours=1))
    params.setdefault("created_by_id", client.id)
    params.setdefault("created_at_dt", NOW)
    params.setdefault("updated_at_dt", params["created_at_dt"])
    consultation = Consultation(
        expert_id=expert.id, client_id=client.id, branch_id=branch.id, domain_id=area.id, **params
    )
    people = dict.fromkeys([client.id, *(a.id for a in attendees)])
    consultation.attendees = [ConsultationAttendee(user_id=i) for i in people]
    db.session.add(consultation)
    db.session.commit()
    return consultation


def create_group(*, members=(), **params) -> FoundingGroup:
    """A founding group (default: a social cooperative formed at NOW) with current members."""
    n = next(_counter)
    params.setdefault("name", f"Spółdzielnia Socjalna „Grupa {n}”")
    params.setdefault("legal_form", "social_cooperative")
    params.setdefault("created_at_dt", NOW)
    if "branch_id" not in params:
        params["branch_id"] = create_branch().id
    group = FoundingGroup(**params)
    group.members = [FoundingGroupMember(user_id=m.id) for m in members]
    formed = params.get("created_at_dt", NOW)
    group.stage_history = [
        FoundingGroupStage(to_value="formed", on_date=formed.date(), changed_at_dt=formed)
    ]
    db.session.add(group)
    db.session.commit()
    return group


def create_event(*, sessions=(), trainers=(), came=None, registered=(), **params) -> Event:
    """An event written directly, bypassing the scheduling rules (past sessions allowed).

    ``sessions``: (start_dt, end_dt[, anonymous_count]) tuples; ``registered``: people with a
    seat; ``came``: {session index: [people present]} (the others of ``registered`` are ticked
    absent). Trainers get busy rows for the sessions, as `services.events.create` writes them.
    Default: an information meeting at a new office, capacity 100.
    """
    params.setdefault("kind", "information_meeting")
    params.setdefault("title", f"Spotkanie informacyjne {next(_counter)}")
    params.setdefault("capacity", 100)
    params.setdefault("created_at_dt", NOW)
    if "branch_id" not in params and not params.get("venue"):
        params["branch_id"] = create_branch().id
    event = Event(seats_taken=len(registered), **params)
    event.trainers = list(trainers)
    event.sessions = [
        EventSession(start_dt=s[0], end_dt=s[1], anonymous_count=s[2] if len(s) > 2 else 0)
        for s in sessions
    ]
    first = min((s[0] for s in sessions), default=NOW)
    event.registrations = [
        EventRegistration(
            user_id=u.id, status="registered", created_at_dt=first - timedelta(days=7),
            seat_since_dt=first - timedelta(days=7),
        )
        for u in registered
    ]  # fmt: skip
    db.session.add(event)
    db.session.flush()
    for i, row in enumerate(event.sessions):
        present = {u.id for u in (came or {}).get(i, ())}
        for user in registered:
            db.session.add(
                SessionAttendance(
                    session_id=row.id, user_id=user.id, attended=user.id in present,
                    recorded_at_dt=row.end_dt,
                )
            )  # fmt: skip
    db.session.add_all(event.trainers_busy_times())
    db.session.commit()
    return event


def create_project(*, branches=(), **params) -> Project:
    """A funded project (default: ESF+ 2021-2027, the whole of 2026) over `branches`."""
    n = next(_counter)
    params.setdefault("code", f"projekt-{n}")
    params.setdefault("name", f"Projekt {n}")
    params.setdefault("programme", "efs_2021_2027")
    params.setdefault("start_date", date(2026, 1, 1))
    params.setdefault("end_date", date(2026, 12, 31))
    params.setdefault("created_at_dt", NOW)
    project = Project(**params)
    project.branches = list(branches)
    db.session.add(project)
    db.session.commit()
    return project


def create_call_task(*, user: User, consultation: Consultation | None = None, **params) -> CallTask:
    """A person on the "to call" list (default: a reminder about `consultation`)."""
    params.setdefault("kind", "reminder")
    params.setdefault("created_at_dt", NOW)
    params.setdefault("key", f"test:{next(_counter)}")
    task = CallTask(
        user_id=user.id,
        consultation_id=consultation.id if consultation else None,
        branch_id=consultation.branch_id if consultation else None,
        expert_id=consultation.expert_id if consultation else None,
        **params,
    )
    db.session.add(task)
    db.session.commit()
    return task


def create_waitlist_offer(
    *,
    client: User,
    expert: User,
    branch: Branch,
    area: Area,
    start_dt: datetime,
    minutes: int = 60,
    expires_at_dt: datetime | None = None,
) -> tuple[WaitlistEntry, SlotOffer]:
    """`client` on the waiting list for `area` at `branch`, with a slot of `expert` held for them
    until `expires_at_dt` (default: an hour before the slot)."""
    entry = WaitlistEntry(
        client_id=client.id, area_id=area.id, branch_id=branch.id, status="offered",
        created_at_dt=NOW, created_by_id=client.id,
    )  # fmt: skip
    offer = SlotOffer(
        expert_id=expert.id, start_dt=start_dt, end_dt=start_dt + timedelta(minutes=minutes),
        offered_at_dt=NOW, expires_at_dt=expires_at_dt or start_dt - timedelta(hours=1),
        status="open",
    )  # fmt: skip
    entry.offers.append(offer)
    db.session.add(entry)
    db.session.commit()
    return entry, offer
