"""Jinja filters and globals: local time formatting, role checks, language list."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from ..config import is_placeholder
from .common import display


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("number")
    def number(value):
        """A figure as the reader writes it: 337,0 in Polish, 337.0 in English (floats carry one
        decimal, as report hours do); anything else unchanged."""
        if isinstance(value, float):
            return format_decimal(value, format="#,##0.0")
        return value

    @app.template_filter("local_datetime")
    def local_datetime(value: datetime | None, fmt: str = "date") -> str:
        """A date kind from `display.DATE_PATTERNS` and the 24-hour Warsaw time: "2 grudnia
        2026, 09:00" / "2 December 2026, 09:00" ("short" and "medium" read as "date", so no page
        falls back to Babel's US-style "12/2/26, 9:00 AM"); any other string is a Babel pattern."""
        if not value:
            return ""
        kind = "date" if fmt in ("short", "medium") else fmt
        if kind in display.DATE_PATTERNS:
            return f"{display.format_day(value, kind)}, {display.hhmm(value)}"
        return format_datetime(value, fmt)

    @app.template_filter("local_date")
    def local_date(value, fmt: str = "date") -> str:
        """A kind from `display.DATE_PATTERNS` ("full", "day", "date", "day_month"), so every
        page writes a date the same way; any other string is a Babel pattern."""
        if not value:
            return ""
        if fmt in display.DATE_PATTERNS:
            return display.format_day(value, fmt)
        return format_date(value, fmt)

    # The information clause flags a controller or DPO that is unset or a demo stand-in.
    app.jinja_env.globals["is_placeholder"] = is_placeholder

    @app.context_processor
    def inject_globals() -> dict:
        return {
            "current_locale": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": current_app.config["LANGUAGES"],
            "demo_mode": current_app.config.get("DEMO", False),
        }
