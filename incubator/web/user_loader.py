"""How Flask-Login turns the session cookie back into a User."""

from __future__ import annotations

from ..extensions import db, login_manager
from ..models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # An account deactivated by a manager loses its open sessions on the next request.
    if user is None or not user.active:
        return None
    return user
