"""Who is asking: the logged-in user as the model object, and the staff-only gate."""

from __future__ import annotations

from typing import cast

from flask import abort, url_for
from flask_login import current_user, login_required

from ...models import User


def current_actor() -> User:
    """The logged-in user as the real model object: services must not get the proxy."""
    return cast(User, current_user._get_current_object())


@login_required
def staff_only() -> None:
    """A blueprint's `before_request`: log in first, then experts and managers only (403)."""
    if not current_user.is_staff:
        abort(403)


@login_required
def managers_only() -> None:
    """A blueprint's `before_request`: log in first, then managers only (403)."""
    if not current_user.is_manager:
        abort(403)


def start_page(user: User) -> str:
    """Where a person lands after logging in: a client on their consultations (with the button
    to book), an expert on their agenda (today first), a manager on the report of people served
    (the current project or month; today's overview is one link away)."""
    if user.is_manager:
        return url_for("reports.index")
    if user.is_staff:
        return url_for("staff.agenda")
    return url_for("booking.mine")
