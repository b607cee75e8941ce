"""Public pages: home with the branches, language switch, RODO clause, accessibility statement."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ...extensions import db
from ...services import directory
from . import bp


@bp.get("/")
def index():
    return render_template(
        "main/index.html",
        branches=directory.branch_tree(db.session),
        domains=directory.domains(db.session),
        expert_counts=directory.active_expert_counts(db.session),
    )


@bp.post("/jezyk")
def set_language():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.preferred_language != lang:
            current_user.preferred_language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/rodo")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    return render_template("main/accessibility.html")


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site; anything else (off-site, scheme-relative,
    backslash tricks) is dropped so `?next=` cannot be used for open redirects."""
    if not target:
        return None
    target = target.strip()
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
