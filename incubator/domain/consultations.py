"""A consultation's life: its states, who may see it and who may change it.

The page, the API and the booking service all ask these functions, so a rule cannot drift between
them. Plain Python over anything shaped like a user and a consultation (see the protocols).
"""

from __future__ import annotations

from enum import StrEnum


class ConsultationStatus(StrEnum):
    """``booked`` until it happens; then ``attended`` or ``no_show``; or ``cancelled``.

    Every status but ``cancelled`` occupies the expert's time.
    """

    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
