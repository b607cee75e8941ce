"""The printed documents of trainings and information meetings (issue #14): who may print an
attendance list, in what order people stand on it, and how many blank rows it leaves.

- An attendance list (lista obecności) names every registered person: the event's trainers and
  managers print it; a client never does (403), another expert cannot tell the event's list
  from a missing one (404).
- A certificate of completion: its holder prints their own; of someone else's, the event's
  trainers and managers (anyone else: not found). Whether it may be issued at all is
  `events.check_certificate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

# Blank rows at the foot of an information meeting's list, for people who come unregistered.
WALK_IN_ROWS = 5

# The Polish alphabet: "Ł" after "L", "Ż" last — not code-point order, where "Ł" follows "Z".
POLISH_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_RANK = {letter: rank for rank, letter in enumerate(POLISH_ALPHABET)}


class Person(Protocol):
    id: int

    @property
    def is_manager(self) -> bool: ...

    @property
    def is_staff(self) -> bool: ...


def is_trainer_or_manager(user: Person, trainer_ids: Iterable[int]) -> bool:
    return user.is_manager or user.id in set(trainer_ids)


def may_print_attendance(user: Person, trainer_ids: Iterable[int]) -> bool:
    return user.is_staff and is_trainer_or_manager(user, trainer_ids)


def may_print_certificate(user: Person, holder_id: int, trainer_ids: Iterable[int]) -> bool:
    return user.id == holder_id or (user.is_staff and is_trainer_or_manager(user, trainer_ids))


def _word_key(word: str) -> tuple[int, ...]:
    return tuple(_RANK.get(ch, len(_RANK) + ord(ch)) for ch in word.casefold())


def name_sort_key(full_name: str) -> tuple:
    """Alphabetical by surname (the last word), then first names, the Polish way: ``Łucja
    Wiśniewska`` before ``Anna Żółkiewska``, ``Jan Lis`` before ``Ewa Łoś``."""
    words = full_name.split()
    if not words:
        return ((), ())
    return (_word_key(words[-1]), tuple(_word_key(w) for w in words[:-1]), full_name)
