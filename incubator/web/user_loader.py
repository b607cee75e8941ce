"""How Flask-Login turns the session cookie back into a User (see `web/common/sessions.py`)."""

from __future__ import annotations

from ..clock import utcnow
from ..extensions import login_manager
from ..models import User
from .common.sessions import load_session_user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return load_session_user(user_id, utcnow())
