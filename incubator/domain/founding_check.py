"""Which founding requirements a group's members do not meet yet, with the reason in Polish and
English (issue #12).

`founding.requirement_on` gives the numbers in force on the founding meeting's date (today when
it has not been held); this module applies them to the members themselves — who is a founder
on that day, natural or legal person, and each natural person's at-risk category
(`domain.at_risk`) — so the 50 % rule, the rule before 16.07.2009 that every founder be at
risk, and the 50-member ceiling can be checked, which counts alone cannot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .at_risk import NOT_AT_RISK, category_in_force
from .founding import FoundingRequirement, LegalForm, requirement_on

NATURAL, LEGAL = "natural", "legal"

_FORM_PL = {
    LegalForm.SOCIAL_COOPERATIVE: "Spółdzielnia socjalna",
    LegalForm.ASSOCIATION: "Stowarzyszenie rejestrowe",
    LegalForm.ORDINARY_ASSOCIATION: "Stowarzyszenie zwykłe",
    LegalForm.FOUNDATION: "Fundacja",
}
_FORM_EN = {
    LegalForm.SOCIAL_COOPERATIVE: "A social cooperative",
    LegalForm.ASSOCIATION: "A registered association",
    LegalForm.ORDINARY_ASSOCIATION: "An ordinary association",
    LegalForm.FOUNDATION: "A foundation",
}


@dataclass(frozen=True)
class Member:
    """What the rules need to know about one member of a group."""

    kind: str  # NATURAL or LEGAL
    # A natural person's at-risk category code, NOT_AT_RISK, or None (not recorded).
    at_risk: str | None = None
    founder: bool = True
    joined: date | None = None
    left: date | None = None  # the day they left (no longer a member from that day)

    def member_on(self, day: date) -> bool:
        return (self.joined is None or self.joined <= day) and (
            self.left is None or day < self.left
        )


@dataclass(frozen=True)
class Unmet:
    """One requirement not met: a stable ``code``, its numbers, and the sentence in both
    languages (the page shows the reader's)."""

    code: str
    message_pl: str
    message_en: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_pl


def polish_plural(n: int, one: str, few: str, many: str) -> str:
    """``1 osoba``, ``2 osoby``, ``5 osób``, ``22 osoby``, ``12 osób`` (Polish plural rules)."""
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def _persons_pl(n: int) -> str:  # in the genitive after "brakuje", "co najmniej"
    return f"{n} {polish_plural(n, 'osoby', 'osób', 'osób')}"


def _founders_rule(
    form: LegalForm, rule: FoundingRequirement, natural: int, legal: int
) -> list[Unmet]:
    unmet = []
    if legal and rule.min_legal is None:
        unmet.append(
            Unmet(
                "legal_persons_not_allowed",
                f"{_FORM_PL[form]} nie może mieć założycieli będących osobami prawnymi "
                f"(jest ich {legal}).",
                f"{_FORM_EN[form]} cannot have legal persons as founders ({legal} recorded).",
                {"legal": legal},
            )
        )
    enough_legal = rule.min_legal is not None and legal >= rule.min_legal
    if natural >= rule.min_natural or enough_legal:
        return unmet
    missing = rule.min_natural - natural
    params = {"min_natural": rule.min_natural, "min_legal": rule.min_legal, "missing": missing}
    noun = polish_plural(rule.min_natural, "założyciela", "założycieli", "założycieli")
    pl = (
        f"{_FORM_PL[form]} wymaga co najmniej {rule.min_natural} {noun} będących osobami fizycznymi"
    )
    en = f"{_FORM_EN[form]} needs at least {rule.min_natural} natural-person founders"
    if rule.min_natural == 1 and rule.min_legal == 1:
        pl = (
            f"{_FORM_PL[form]} wymaga co najmniej jednego założyciela (osoby fizycznej lub prawnej)"
        )
        en = f"{_FORM_EN[form]} needs at least one founder (a natural or a legal person)"
    elif rule.min_legal is not None:
        pl += f" albo {_persons_pl(rule.min_legal)} prawnych"
        en += f" or {rule.min_legal} legal persons"
    people = "person" if missing == 1 else "people"
    pl += f" — brakuje {_persons_pl(missing)}."
    en += f" — {missing} {people} short."
    unmet.append(Unmet("too_few_founders", pl, en, params))
    return unmet


def _at_risk_rules(rule: FoundingRequirement, natural: Sequence[Member], day: date) -> list[Unmet]:
    """The founders' at-risk categories: all at risk (until 15.07.2009), or at most half not."""
    if not (rule.all_natural_at_risk or rule.max_not_at_risk_share is not None) or not natural:
        return []
    unknown = sum(1 for m in natural if m.at_risk is None)
    stale = sum(
        1
        for m in natural
        if m.at_risk not in (None, NOT_AT_RISK) and not category_in_force(m.at_risk, day)
    )
    not_at_risk = sum(1 for m in natural if m.at_risk == NOT_AT_RISK)
    unmet = []
    if unknown:
        unmet.append(
            Unmet(
                "at_risk_not_recorded",
                f"Nie wpisano kategorii zagrożenia wykluczeniem: {_persons_pl(unknown)} "
                "(bez niej nie da się sprawdzić składu założycieli).",
                f"The at-risk category is not recorded for {unknown} founder(s); the founders "
                "cannot be checked without it.",
                {"count": unknown},
            )
        )
    if stale:
        unmet.append(
            Unmet(
                "at_risk_category_not_in_force",
                f"Kategoria zagrożenia wykluczeniem {_persons_pl(stale)} nie obowiązywała "
                f"w dniu zebrania ({day.strftime('%d.%m.%Y')}).",
                f"The at-risk category of {stale} founder(s) was not in the act on the meeting "
                f"day ({day.isoformat()}).",
                {"count": stale},
            )
        )
    if rule.all_natural_at_risk and not_at_risk:
        unmet.append(
            Unmet(
                "founders_not_at_risk",
                "Do 15.07.2009 wszyscy założyciele spółdzielni socjalnej musieli należeć do grup "
                f"zagrożonych wykluczeniem — {_persons_pl(not_at_risk)} nie należy.",
                "Until 15.07.2009 every founder of a social cooperative had to be at risk of "
                f"exclusion — {not_at_risk} founder(s) are not.",
                {"count": not_at_risk},
            )
        )
    share = rule.max_not_at_risk_share
    if share is not None and not_at_risk > share * len(natural):
        allowed = int(share * len(natural))
        unmet.append(
            Unmet(
                "too_many_not_at_risk",
                f"Co najwyżej {int(share * 100)} procent założycieli może nie należeć do grup "
                f"zagrożonych wykluczeniem: dopuszczalnie {allowed}, jest {not_at_risk}.",
                f"At most {int(share * 100)} percent of the founders may be from outside the "
                f"at-risk groups: {allowed} allowed, {not_at_risk} recorded.",
                {"allowed": allowed, "count": not_at_risk},
            )
        )
    return unmet


def unmet_requirements(
    legal_form: LegalForm, members: Sequence[Member], meeting_date: date
) -> list[Unmet]:
    """Every founding requirement the group does not meet for a meeting on ``meeting_date``
    (the law in force that day); an empty list means it may hold its founding meeting."""
    rule = requirement_on(legal_form, meeting_date)
    present = [m for m in members if m.member_on(meeting_date)]
    founders = [m for m in present if m.founder]
    natural = [m for m in founders if m.kind == NATURAL]
    legal = [m for m in founders if m.kind == LEGAL]
    unmet = _founders_rule(legal_form, rule, len(natural), len(legal))
    unmet += _at_risk_rules(rule, natural, meeting_date)
    if rule.max_members is not None and len(present) > rule.max_members:
        unmet.append(
            Unmet(
                "too_many_members",
                f"{_FORM_PL[legal_form]} może mieć najwyżej {rule.max_members} członków "
                f"(jest {len(present)}).",
                f"{_FORM_EN[legal_form]} may have at most {rule.max_members} members "
                f"({len(present)} recorded).",
                {"max": rule.max_members, "count": len(present)},
            )
        )
    return unmet


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]  # fmt: skip
    return date(year, month, min(day.day, last))


def employment_duty_due(
    legal_form: LegalForm, meeting_date: date, natural_founders: int, registered_on: date
) -> date | None:
    """The day by which a cooperative founded by fewer than five natural persons must have
    admitted and employed the rest (from 31.03.2018: two more at-risk persons within 12 months
    of the KRS entry); None when there is no such duty. Shown as a dated reminder."""
    rule = requirement_on(legal_form, meeting_date)
    if not rule.duty_months or not 0 < natural_founders < rule.duty_until_natural:
        return None
    return _add_months(registered_on, rule.duty_months)
