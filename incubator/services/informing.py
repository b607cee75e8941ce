"""The record of when and how each person was given the information clause (RODO art. 13).

`users.consent_dt` says when, `users.informed_via` how: ``page`` when the person ticked the clause
at self-registration (`accounts.register_client`), ``phone`` when staff read it out before
entering them (`clients.create_phone_client`). A client entered before that record was kept has
none; when staff read the clause out to such a person, they record it here, on the person's
participant record page.

The first record stands: a person who already has one is not informed "again" over it (the date
is the proof of when the clause was first given; a later reading changes nothing the trail needs),
so `record_read_out` then writes nothing and says so.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.errors import NotAllowed
from ..domain.people import INFORMED_BY_PHONE
from ..models import User
from . import audit
from .participants import check_staff_access, person_of
from .transactions import write

INFORMED = "person.informed"


def record_read_out(
    session: Session, *, actor: User, person_id: int, now: datetime, ip: str = ""
) -> bool:
    """Record that `actor` has just read the clause out to the person on the phone.

    Staff who may open the person's record only (a manager, or an expert advising the person:
    `NotAllowed` otherwise; `NotFound` for no such client). Returns False, writing nothing, when
    the person already has a record of being informed; True when this call recorded it (audited
    as ``person.informed``, the person as its subject).
    """
    with write(session):
        person = person_of(session, person_id)
        if actor.id == person.id:
            raise NotAllowed("staff record that the clause was read out", reason="participant")
        check_staff_access(session, actor, person)
        if person.consent_dt is not None:
            return False
        person.consent_dt, person.informed_via = now, INFORMED_BY_PHONE
        audit.record(
            session,
            actor=actor,
            action=INFORMED,
            target=person,
            subject=person,
            details={"via": INFORMED_BY_PHONE},
            ip=ip,
            now=now,
        )
    return True
