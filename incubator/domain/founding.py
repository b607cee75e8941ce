"""Founding groups: the legal forms they aim for, the milestones on the way, and who may found.

The founding requirements are dated data, not constants: a group is judged by the law in force
on the day of its founding meeting (see DOMAIN.md, "Founding requirements"). Each
:class:`FoundingRequirement` carries its validity dates and the act that set it, so a lawyer can
check the table and a future amendment is one more row, not a code change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "FOUNDING_REQUIREMENTS",
    "FOUNDING_STEP",
    "REGISTER_OF",
    "STAGE_PATHS",
    "Register",
    "FoundingProblem",
    "FoundingRequirement",
    "GroupStage",
    "LegalForm",
    "founding_problems",
    "requirement_on",
]


class LegalForm(StrEnum):
    SOCIAL_COOPERATIVE = "social_cooperative"  # spółdzielnia socjalna
    ASSOCIATION = "association"  # stowarzyszenie rejestrowe
    ORDINARY_ASSOCIATION = "ordinary_association"  # stowarzyszenie zwykłe
    FOUNDATION = "foundation"  # fundacja


class GroupStage(StrEnum):
    """Milestones; each legal form has its own path (`STAGE_PATHS`). ABANDONED can follow any
    of them, and a group is reopened from it to a stage of its path."""

    FORMED = "formed"
    TRAINING = "training"
    STATUTE_DRAFTED = "statute_drafted"
    FOUNDING_MEETING_HELD = "founding_meeting_held"
    FOUNDING_ACT = "founding_act"  # a foundation's notarial deed
    APPLICATION_FILED = "application_filed"  # the KRS application
    APPLICATION_TO_STAROSTA = "application_to_starosta"  # an ordinary association's
    REGISTERED = "registered"  # in KRS, or in the starosta's ewidencja
    ABANDONED = "abandoned"


class Register(StrEnum):
    KRS = "krs"
    EWIDENCJA = "ewidencja"  # the starosta's register of ordinary associations


@dataclass(frozen=True)
class FoundingRequirement:
    """Who may found an entity of ``legal_form`` at a meeting held ``valid_from..valid_to``.

    The founders suffice if there are at least ``min_natural`` natural persons, or, where legal
    persons may found (``min_legal`` is not None), at least ``min_legal`` legal persons. Both
    dates are inclusive; None means open-ended.
    """

    legal_form: LegalForm
    valid_from: date | None
    valid_to: date | None
    min_natural: int
    min_legal: int | None  # None: legal persons cannot be founders
    source: str  # the act (and amendment) the numbers come from
    # Spółdzielnia socjalna only (issue #12; see `founding_check`):
    all_natural_at_risk: bool = False  # every natural-person founder from an at-risk group
    max_not_at_risk_share: float | None = None  # of the natural-person founders
    max_members: int | None = None
    # Natural-person founders below this many oblige the entity to admit and employ the rest
    # (at risk) within `duty_months` of registration (from 31.03.2018: 3 founders + 2 within 12).
    duty_until_natural: int = 0
    duty_months: int = 0

    def in_force_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


_COOPERATIVES = "ustawa z 27.04.2006 o spółdzielniach socjalnych, art. 4"
_ASSOCIATIONS = "ustawa z 7.04.1989 Prawo o stowarzyszeniach"
_COOP, _ASSOC = LegalForm.SOCIAL_COOPERATIVE, LegalForm.ASSOCIATION
_ORDINARY, _FOUNDATION = LegalForm.ORDINARY_ASSOCIATION, LegalForm.FOUNDATION

_R = FoundingRequirement

# fmt: off
# Columns: legal form, valid from, valid to (both inclusive), natural persons that suffice,
# legal persons that suffice (None: legal persons cannot found), source.
FOUNDING_REQUIREMENTS: tuple[FoundingRequirement, ...] = (
    # Spółdzielnia socjalna. Until 15.07.2009 natural persons only, all from the at-risk groups
    # (the at-risk share is not checked here: it needs the members' categories, not counts).
    _R(_COOP, None, date(2009, 7, 15), 5, None, f"{_COOPERATIVES} (original text)",
       all_natural_at_risk=True, max_members=50),
    # From 16.07.2009 also at least two legal persons (NGOs, local government units - JST,
    # church legal persons): act of 7.05.2009, Dz.U. 2009 nr 91 poz. 742.
    _R(_COOP, date(2009, 7, 16), date(2018, 3, 30), 5, 2,
       f"{_COOPERATIVES}, as amended by Dz.U. 2009 nr 91 poz. 742",
       max_not_at_risk_share=0.5, max_members=50),
    # From 31.03.2018 three natural persons suffice (two more at-risk persons must be admitted
    # and employed within 12 months of the KRS entry): Dz.U. 2017 poz. 2494.
    _R(_COOP, date(2018, 3, 31), None, 3, 2,
       f"{_COOPERATIVES}, as amended by Dz.U. 2017 poz. 2494",
       max_not_at_risk_share=0.5, max_members=50, duty_until_natural=5, duty_months=12),
    # Stowarzyszenie rejestrowe: natural persons only (a legal person can only be a supporting
    # member); 15 founders until 19.05.2016, 7 from 20.05.2016 (act of 25.09.2015, Dz.U. 2015
    # poz. 1923).
    _R(_ASSOC, None, date(2016, 5, 19), 15, None, f"{_ASSOCIATIONS}, art. 9 (original text)"),
    _R(_ASSOC, date(2016, 5, 20), None, 7, None,
       f"{_ASSOCIATIONS}, art. 9, as amended by Dz.U. 2015 poz. 1923"),
    # Stowarzyszenie zwykłe: at least 3 natural persons; legal persons cannot be members.
    _R(_ORDINARY, None, None, 3, None, f"{_ASSOCIATIONS}, art. 40"),
    # Fundacja: at least one founder, natural or legal person, any citizenship.
    _R(_FOUNDATION, None, None, 1, 1, "ustawa z 6.04.1984 o fundacjach, art. 2"),
)
# fmt: on

_S = GroupStage
_FIRST = (_S.FORMED, _S.TRAINING, _S.STATUTE_DRAFTED)
# The path of each legal form, in order (DOMAIN.md "Typical milestones").
STAGE_PATHS: dict[LegalForm, tuple[GroupStage, ...]] = {
    _COOP: (*_FIRST, _S.FOUNDING_MEETING_HELD, _S.APPLICATION_FILED, _S.REGISTERED),
    _ASSOC: (*_FIRST, _S.FOUNDING_MEETING_HELD, _S.APPLICATION_FILED, _S.REGISTERED),
    _ORDINARY: (*_FIRST, _S.FOUNDING_MEETING_HELD, _S.APPLICATION_TO_STAROSTA, _S.REGISTERED),
    _FOUNDATION: (*_FIRST, _S.FOUNDING_ACT, _S.APPLICATION_FILED, _S.REGISTERED),
}
# The step that founds the entity: the founders are judged by the law in force on its date.
FOUNDING_STEP: dict[LegalForm, GroupStage] = {
    form: _S.FOUNDING_ACT if form == _FOUNDATION else _S.FOUNDING_MEETING_HELD for form in LegalForm
}
REGISTER_OF: dict[LegalForm, Register] = {
    form: Register.EWIDENCJA if form == _ORDINARY else Register.KRS for form in LegalForm
}


_FORM_NAMES = {
    LegalForm.SOCIAL_COOPERATIVE: "a social cooperative",
    LegalForm.ASSOCIATION: "an association",
    LegalForm.ORDINARY_ASSOCIATION: "an ordinary association",
    LegalForm.FOUNDATION: "a foundation",
}


@dataclass(frozen=True)
class FoundingProblem:
    """Why a group could not have been founded as it was; ``code`` is stable, the rest explains.

    Codes: ``too_few_founders`` and ``legal_persons_not_allowed``.
    """

    code: str
    legal_form: LegalForm
    meeting_date: date
    requirement: FoundingRequirement
    natural_founders: int
    legal_founders: int

    @property
    def message(self) -> str:
        """One English sentence for seed-file errors and logs (the web layer translates codes)."""
        form, day, rule = _FORM_NAMES[self.legal_form], self.meeting_date, self.requirement
        if self.code == "legal_persons_not_allowed":
            return (
                f"{form} founded on {day} cannot have legal persons as founders, "
                f"got {self.legal_founders}"
            )
        if rule.min_legal is None:
            return (
                f"{form} founded on {day} needs at least {rule.min_natural} natural person "
                f"founders, got {self.natural_founders}"
            )
        return (
            f"{form} founded on {day} needs at least {rule.min_natural} natural persons or "
            f"{rule.min_legal} legal persons as founders, got {self.natural_founders} and "
            f"{self.legal_founders}"
        )

    def __str__(self) -> str:
        return self.message


def requirement_on(
    legal_form: LegalForm,
    meeting_date: date,
    requirements: Sequence[FoundingRequirement] = FOUNDING_REQUIREMENTS,
) -> FoundingRequirement:
    """The requirement in force for ``legal_form`` on ``meeting_date``.

    Raises :class:`LookupError` if the table has no row for that day (a gap in the data).
    """
    for requirement in requirements:
        if requirement.legal_form == legal_form and requirement.in_force_on(meeting_date):
            return requirement
    raise LookupError(f"no founding requirement for {legal_form} on {meeting_date}")


def founding_problems(
    legal_form: LegalForm,
    meeting_date: date,
    natural_founders: int,
    legal_founders: int,
    requirements: Sequence[FoundingRequirement] = FOUNDING_REQUIREMENTS,
) -> list[FoundingProblem]:
    """What stops these founders from founding ``legal_form`` at a meeting on ``meeting_date``.

    An empty list means the founders meet the law in force on that day.
    """
    rule = requirement_on(legal_form, meeting_date, requirements)

    def problem(code: str) -> FoundingProblem:
        return FoundingProblem(
            code, legal_form, meeting_date, rule, natural_founders, legal_founders
        )

    problems = []
    if legal_founders and rule.min_legal is None:
        problems.append(problem("legal_persons_not_allowed"))
    enough_natural = natural_founders >= rule.min_natural
    enough_legal = rule.min_legal is not None and legal_founders >= rule.min_legal
    if not (enough_natural or enough_legal):
        problems.append(problem("too_few_founders"))
    return problems
