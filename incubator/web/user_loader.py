"""How Flask-Login turns the session cookie back into a User."""

from __future__ import annotations

from ..extensions import db, login_manager
from ..models import User
from ..services.authentication import session_user


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return session_user(db.session, user_id)
