"""Language and time-zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import gettext
from flask_login import LoginManager, current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if request and request.args.get("lang") in languages:
        return request.args["lang"]
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated:
        if current_user.preferred_language in languages:
            return current_user.preferred_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def N_(text: str) -> str:  # noqa: N802 - the conventional name extractors look for
    """Mark `text` for translation where it is translated later (Flask-Login's flash)."""
    return text


LOGIN_MESSAGE = N_("Please log in to see this page.")


def localize_login(manager: LoginManager) -> None:
    """Flask-Login's "log in first" flash in the reader's language, like every other message."""
    manager.login_message = LOGIN_MESSAGE
    manager.localize_callback = gettext
