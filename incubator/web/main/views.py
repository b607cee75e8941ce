"""Public pages: home with the branches, language switch, RODO clause, accessibility statement."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ...clock import utcnow
from ...extensions import db
from ...services import accounts, directory, group_views, site_settings
from ..common.client import client_ip
from ..common.redirects import safe_next

bp = Blueprint("main", __name__)


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
            accounts.set_preferred_language(
                db.session,
                user=current_user._get_current_object(),
                language=lang,
                now=utcnow(),
                ip=client_ip(),
            )
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/rodo")
def privacy():
    return render_template("main/privacy.html")


@bp.get("/deklaracja-dostepnosci")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/zalozone-podmioty")
def founded_entities():
    """The registry of entities founded with the incubator's help, for everyone — only while a
    manager has published it (404 otherwise). Names, forms and register numbers: no people."""
    if not site_settings.flag(db.session, site_settings.PUBLIC_REGISTRY):
        abort(404)
    return render_template("main/founded_entities.html", groups=group_views.registry(db.session))
