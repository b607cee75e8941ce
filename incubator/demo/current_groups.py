"""Founding groups in progress today, for the demo (issue #12).

The four registered entities of the original incubator come from ``founding_groups.json`` with
their historical dates; these groups are at work *now*, dated relative to the demo's ``now``, so
the group list, the funnel and the requirement check have something current to show — one of
them a social cooperative still one founder short. Their members are the demo client and
people entered by name only: nobody here had a consultation, so the people-served figures of
the history stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calendar import local_date
from ..domain.founding import GroupStage, LegalForm
from ..models import Branch, FoundingGroup, FoundingGroupMember, FoundingGroupStage, User
from ..models.founding_group import HistoryKind, LegalType, MemberKind
from .context import DemoContext, at_local

DEMO_CLIENT = "demo-client"  # the place of the demo client among the members


@dataclass(frozen=True)
class CurrentGroup:
    name: str
    legal_form: LegalForm
    branch: str
    locality: str
    guardian: str  # "expert" (the demo expert) or "manager"
    stages: tuple[tuple[GroupStage, int], ...]  # (stage, days before now)
    natural: tuple[tuple[str, str | None], ...] = ()  # (name or DEMO_CLIENT, at-risk category)
    legal: tuple[tuple[str, LegalType, str], ...] = ()  # (name, type, KRS)
    notes: str = ""


S = GroupStage
CURRENT_GROUPS = (
    CurrentGroup(
        name="Spółdzielnia Socjalna „Razem w Kluczach”",
        legal_form=LegalForm.SOCIAL_COOPERATIVE,
        branch="klucze",
        locality="Klucze",
        guardian="expert",
        stages=((S.FORMED, 120), (S.TRAINING, 100), (S.STATUTE_DRAFTED, 40)),
        natural=((DEMO_CLIENT, "unemployed"), ("Halina Mrozek", "disabled")),
        notes="Brakuje trzeciego założyciela; rozmowy z osobą z Klubu Integracji Społecznej.",
    ),
    CurrentGroup(
        name="Stowarzyszenie „Dolina Popradu”",
        legal_form=LegalForm.ASSOCIATION,
        branch="piwniczna-zdroj",
        locality="Piwniczna-Zdrój",
        guardian="manager",
        stages=((S.FORMED, 60), (S.TRAINING, 45)),
        natural=tuple(
            (name, None)
            for name in (
                "Tadeusz Górka",
                "Zofia Wnęk",
                "Krzysztof Bieniek",
                "Agata Zięba",
                "Stanisław Kmak",
                "Beata Opoka",
                "Łukasz Wolanin",
            )
        ),  # fmt: skip
    ),
    CurrentGroup(
        name="Fundacja „Sądecki Warsztat”",
        legal_form=LegalForm.FOUNDATION,
        branch="nowy-sacz",
        locality="Nowy Sącz",
        guardian="manager",
        stages=((S.FORMED, 30),),
        legal=(("Stowarzyszenie „Aktywne Wsparcie”", LegalType.NGO, "0000336217"),),
    ),
)


def add_current_groups(session: Session, context: DemoContext) -> int:
    """Add the groups in progress (flushed by the caller); returns how many."""
    today = local_date(context.now)
    branches = {b.code: b for b in session.scalars(select(Branch))}
    expert = session.get(User, context.featured_expert_id) if context.featured_expert_id else None
    for spec in CURRENT_GROUPS:
        guardian = expert if spec.guardian == "expert" and expert else context.manager
        session.add(_group(spec, branches[spec.branch], guardian, context, today))
    return len(CURRENT_GROUPS)


def _group(
    spec: CurrentGroup, branch: Branch, guardian: User, context: DemoContext, today: date
) -> FoundingGroup:
    days = [today - timedelta(days=ago) for _stage, ago in spec.stages]
    group = FoundingGroup(
        name=spec.name, legal_form=spec.legal_form, branch=branch, guardian=guardian,
        locality=spec.locality, stage=spec.stages[-1][0], notes=spec.notes,
        created_at_dt=at_local(days[0], time(10)),
    )  # fmt: skip
    previous = [None, *(stage for stage, _ago in spec.stages)]
    group.stage_history = [
        FoundingGroupStage(
            kind=HistoryKind.STAGE, from_value=before, to_value=stage, on_date=day,
            changed_at_dt=at_local(day, time(12)), changed_by_id=guardian.id,
        )
        for before, (stage, _ago), day in zip(previous, spec.stages, days, strict=False)
    ]  # fmt: skip
    client = context.demo_client
    group.members = [
        FoundingGroupMember(
            kind=MemberKind.NATURAL,
            user_id=client.id if name == DEMO_CLIENT and client else None,
            full_name=None if name == DEMO_CLIENT and client else _named(name),
            at_risk_category=at_risk, is_founder=True, joined_date=days[0],
        )
        for name, at_risk in spec.natural
    ] + [
        FoundingGroupMember(
            kind=MemberKind.LEGAL, legal_person_name=name, legal_type=legal_type, krs=krs,
            is_founder=True, joined_date=days[0],
        )
        for name, legal_type, krs in spec.legal
    ]  # fmt: skip
    return group


def _named(name: str) -> str:
    return "Anna Demo" if name == DEMO_CLIENT else name
