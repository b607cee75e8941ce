"""Factories: create_x(**params), defaults set by setdefault; each commits and returns the row."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from incubator.extensions import db
from incubator.models import Area, Branch, ClientProfile, ExpertProfile, Role, User

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


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


def create_rule(expert: User, branch: Branch, **params):
    """A weekly availability rule; default Monday 09:00–12:00, 60-minute consultations."""
    from datetime import time

    from incubator.models import AvailabilityRule

    params.setdefault("weekday", 0)
    params.setdefault("start_time", time(9))
    params.setdefault("end_time", time(12))
    params.setdefault("length_min", 60)
    rule = AvailabilityRule(expert_id=expert.id, branch_id=branch.id, **params)
    db.session.add(rule)
    db.session.commit()
    return rule
