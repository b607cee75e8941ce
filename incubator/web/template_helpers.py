"""Jinja filters and globals: local time formatting, role checks, language list."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, get_locale


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("local_datetime")
    def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("local_date")
    def local_date(value, fmt: str = "long") -> str:
        return format_date(value, fmt) if value else ""

    @app.context_processor
    def inject_globals() -> dict:
        return {
            "current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": current_app.config["LANGUAGES"],
            "demo_mode": current_app.config.get("DEMO", False),
        }
