"""Language and time-zone selection for Flask-Babel."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user


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
