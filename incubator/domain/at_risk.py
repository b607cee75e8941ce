"""At-risk persons (osoby zagrożone wykluczeniem społecznym), art. 4 of the social cooperatives
act, as dated data: a member's category, not a yes/no flag, so the 50 % rule and the funder's
breakdowns can both be computed (DOMAIN.md, "Founding requirements").

The list changed on 31.03.2018 (Dz.U. 2017 poz. 2494); the 2022 social economy act and the 2025
labour-market act changed it again — *verify* against the consolidated text before relying on
the newest list; a change is one more row here, valid from its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

NOT_AT_RISK = "none"  # recorded: the person is not in an at-risk group
AMENDED_2018 = date(2018, 3, 31)


@dataclass(frozen=True)
class AtRiskCategory:
    code: str
    name_pl: str
    name_en: str
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


_C = AtRiskCategory
# fmt: off
AT_RISK_CATEGORIES: tuple[AtRiskCategory, ...] = (
    # In every version of art. 4 since 2006.
    _C("unemployed", "bezrobotni", "unemployed"),
    _C("disabled", "osoby niepełnosprawne", "disabled persons"),
    _C("homeless", "bezdomni realizujący program wychodzenia z bezdomności",
       "homeless persons in a programme leaving homelessness"),
    _C("alcohol_addicted", "uzależnieni od alkoholu po terapii", "alcohol-addicted after therapy"),
    _C("drug_addicted", "uzależnieni od narkotyków po terapii", "drug-addicted after therapy"),
    _C("mentally_ill", "chorzy psychicznie", "mentally ill persons"),
    _C("former_prisoners", "zwalniani z zakładów karnych", "persons released from prison"),
    _C("refugees", "uchodźcy realizujący program integracji",
       "refugees in an integration programme"),
    # Added on 31.03.2018 (Dz.U. 2017 poz. 2494).
    _C("cis_kis_graduates", "absolwenci CIS i KIS", "graduates of social integration centres",
       AMENDED_2018),
    _C("jobseekers_under_30", "poszukujący pracy do 30. roku życia bez zatrudnienia",
       "job seekers under 30 without work", AMENDED_2018),
    _C("jobseekers_over_50", "poszukujący pracy po 50. roku życia bez zatrudnienia",
       "job seekers over 50 without work", AMENDED_2018),
    _C("carers_of_disabled", "poszukujący pracy opiekunowie osoby niepełnosprawnej",
       "job-seeking carers of a disabled person", AMENDED_2018),
    _C("leaving_foster_care", "osoby opuszczające pieczę zastępczą",
       "persons leaving foster care", AMENDED_2018),
)
# fmt: on


def category_in_force(code: str, day: date) -> bool:
    """Whether ``code`` names an at-risk category of art. 4 on ``day``."""
    return any(c.code == code and c.in_force_on(day) for c in AT_RISK_CATEGORIES)


def categories_on(day: date) -> list[AtRiskCategory]:
    """The categories a member could be recorded in on ``day`` (the form's options)."""
    return [c for c in AT_RISK_CATEGORIES if c.in_force_on(day)]


def category_visible_to(viewer: Any, member_user_id: int | None) -> bool:
    """Whether `viewer` (someone who may see the group) may see a member's at-risk category.

    The categories name disability, mental illness, addiction or a prison sentence (art. 9 and 10
    GDPR): staff who see the group (its guardian, managers) need them for the founding rules; the
    member sees their own; the other members of the group never do.
    """
    if getattr(viewer, "is_staff", False):
        return True
    return member_user_id is not None and member_user_id == getattr(viewer, "id", None)
