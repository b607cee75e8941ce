"""People served per form of support: advice, training, information meeting (issue #14).

DOMAIN.md, "Counting people served": each form of support is recorded separately, and a total
across forms counts a person once. Anonymous attendees of an information meeting (head counts
of people who came without registering) are attendees of that meeting, never EFS participants:
they are added to the meeting's attendees and reported beside the total, never inside it.

What makes a person *served* by a form is decided where the rows are (the services' queries):
advice — an attendee who came to a held consultation; training and information meeting — a
registered person ticked present at one or more sessions of the event that took place. Here the
database's grouped counts become the figures, so each of these rules lives in one place:

* `served_by_form`: people per form and the total, each person once (from people grouped by
  the combination of forms that served them);
* `FormFigures.attendees`: identified people plus head counts, and head counts only where the
  form allows them (`HEAD_COUNT_FORMS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .counting import Breakdown

ADVICE = "advice"
TRAINING = "training"
INFORMATION_MEETING = "information_meeting"
# The order of the forms everywhere: in the flag strings, the tables and the JSON.
FORMS = (ADVICE, TRAINING, INFORMATION_MEETING)
EVENT_FORMS = (TRAINING, INFORMATION_MEETING)
# Forms whose sessions may carry a head count of unregistered people.
HEAD_COUNT_FORMS = frozenset({INFORMATION_MEETING})


@dataclass(frozen=True)
class FormFigures:
    """One form of support in the period.

    ``people``: identified persons served (EFS participants), each once; ``anonymous``: head
    counts of unregistered attendees (information meetings only); ``events_held`` and
    ``sessions_held``: events with a session in the period and those sessions (0 for advice);
    ``breakdowns``: the scheme's breakdowns of ``people`` (for the event forms).
    """

    form: str
    people: int
    anonymous: int = 0
    events_held: int = 0
    sessions_held: int = 0
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)

    @property
    def attendees(self) -> int:
        """Everyone who came: identified people plus the head counts (each head count as
        given: unregistered people cannot be told apart, so they are never de-duplicated)."""
        return self.people + self.anonymous


@dataclass(frozen=True)
class ServedByForm:
    """People served per form and across forms."""

    forms: tuple[FormFigures, ...]
    people_served_total: int  # distinct identified persons across forms; no head counts

    def of(self, form: str) -> FormFigures:
        return next(f for f in self.forms if f.form == form)

    @property
    def anonymous_attendees(self) -> int:
        return sum(f.anonymous for f in self.forms)

    def by_form(self) -> dict[str, int]:
        """Attendees per form, as the funder's table gives them (meetings with head counts)."""
        return {f.form: f.attendees for f in self.forms}


@dataclass(frozen=True)
class EventTally:
    """What the database counted for one event form, besides its people."""

    head_count: int = 0
    events_held: int = 0
    sessions_held: int = 0
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)


def _people_per_form(combos: Mapping[str | None, int]) -> tuple[dict[str, int], int]:
    people = dict.fromkeys(FORMS, 0)
    total = 0
    for flags, n in combos.items():
        if not flags or len(flags) != len(FORMS) or set(flags) - {"0", "1"}:
            raise ValueError(f"a combination of forms is {len(FORMS)} digits 0/1, not {flags!r}")
        if "1" not in flags:
            continue  # served by no form: not a person served
        total += n  # a person counts once in the total, whatever forms served them
        for form, digit in zip(FORMS, flags, strict=True):
            if digit == "1":
                people[form] += n
    return people, total


def served_by_form(
    combos: Mapping[str | None, int], tallies: Mapping[str, EventTally] | None = None
) -> ServedByForm:
    """People served per form and in total.

    ``combos[flags] = people``: the persons grouped by which forms served them, ``flags`` one
    digit 0/1 per form in `FORMS` order (``"110"``: advice and training). A person is in one
    group only, so the total is the sum of the groups — each person once — while each form
    counts every group it is in. ``tallies`` give an event form's head counts (kept only for
    `HEAD_COUNT_FORMS`), events and sessions held and breakdowns.
    """
    people, total = _people_per_form(combos)
    tallies = tallies or {}
    figures = []
    for form in FORMS:
        tally = tallies.get(form, EventTally())
        head_count = tally.head_count if form in HEAD_COUNT_FORMS else 0
        if head_count < 0:
            raise ValueError("a head count is never negative")
        figures.append(
            FormFigures(
                form=form,
                people=people[form],
                anonymous=head_count,
                events_held=tally.events_held,
                sessions_held=tally.sessions_held,
                breakdowns=dict(tally.breakdowns),
            )
        )
    return ServedByForm(forms=tuple(figures), people_served_total=total)
