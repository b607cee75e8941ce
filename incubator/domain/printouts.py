"""Who may print which document of a consultation.

- The advisory record (karta doradztwa) holds every attendee's name and attendance: the
  consultation's expert and managers print it (the staff who see the consultation); a client
  never does, and another expert's record is "not found", as the consultation itself is.
- The appointment confirmation: whoever may see the consultation (its client and attendees, its
  expert, managers).
"""

from __future__ import annotations

from .consultations import ConsultationFacts, Person, can_view
from .errors import DomainError


def can_print_record(user: Person, consultation: ConsultationFacts) -> bool:
    return user.is_staff and can_view(user, consultation)


def can_print_confirmation(user: Person, consultation: ConsultationFacts) -> bool:
    return can_view(user, consultation)


class NothingToPrint(DomainError):
    """A day document asked for a day (and office or expert) without any consultation."""

    code = "nothing_to_print"
