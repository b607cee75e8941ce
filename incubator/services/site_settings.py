"""Switches managers set in the app, kept in `site_settings` and audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.errors import NotAllowed
from ..models import SiteSetting, User
from . import audit
from .transactions import write

PUBLIC_REGISTRY = "public_registry"  # the registry of founded entities on a public page


def flag(session: Session, key: str) -> bool:
    """Whether the switch ``key`` is on (off until a manager turns it on)."""
    row = session.get(SiteSetting, key)
    return row is not None and row.value == "1"


def set_flag(
    session: Session, *, user: User, key: str, on: bool, now: datetime, ip: str = ""
) -> None:
    """Turn a switch on or off (managers only; the audit trail says who and when)."""
    if not user.is_manager:
        raise NotAllowed(reason="managers_only")
    with write(session):
        row = session.get(SiteSetting, key)
        if row is None:
            row = SiteSetting(key=key, value="0", changed_at_dt=now)
            session.add(row)
        row.value = "1" if on else "0"
        row.changed_at_dt, row.changed_by_id = now, user.id
        audit.record(
            session, actor=user, action="setting.changed", ip=ip, now=now,
            details={"key": key, "on": on},
        )  # fmt: skip
