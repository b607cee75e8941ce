"""Managers: funded projects (projekty), the frame of the funder's reports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.errors import DomainError, NotFound
from ...domain.projects import ProjectSpec
from ...extensions import db
from ...services import directory, projects
from ...services.reports import load_schemes
from ..common.access import current_actor, managers_only
from ..common.client import client_ip
from ..common.errors import message_for
from ..common.fields import choice
from .forms import ProjectForm

bp = Blueprint("projects", __name__)


bp.before_request(managers_only)  # log in first, then managers only (403 for the others)


def _form(project=None) -> ProjectForm:
    form = ProjectForm(obj=project)
    locale = str(get_locale() or "pl")
    form.programme.choices = [choice(s.code, s.name(locale)) for s in load_schemes()]
    offices = [o for b in directory.branch_tree(db.session) for o in (b, *b.children)]
    form.branches.choices = [choice(o.id, o.name) for o in offices]
    if project is not None and not form.is_submitted():
        form.branches.data = [b.id for b in project.branches]
    return form


def _spec(form: ProjectForm) -> ProjectSpec:
    return ProjectSpec(
        code=(form.code.data or "").strip().lower(),
        name=(form.name.data or "").strip(),
        programme=form.programme.data or "",
        contract_number=(form.contract_number.data or "").strip(),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        branch_ids=tuple(form.branches.data or ()),
        retention_until=form.retention_until.data,
    )


def _save(form: ProjectForm, project_id: int | None):
    """Save and go to the list, or put the refusal next to its field and show the form again."""
    if form.validate_on_submit():
        try:
            projects.save_project(
                db.session,
                actor=current_actor(),
                spec=_spec(form),
                programmes=tuple(s.code for s in load_schemes()),
                now=utcnow(),
                project_id=project_id,
                ip=client_ip(),
            )
        except DomainError as error:
            field = getattr(form, error.field or "", None)
            message = message_for(error)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            else:
                flash(message, "error")
        else:
            flash(_("The project has been saved."), "success")
            return None
    return form


@bp.get("/")
def index():
    return render_template("projects/index.html", projects=projects.list_projects(db.session))


@bp.route("/nowy", methods=["GET", "POST"])
def new():
    form = _form()
    if _save(form, None) is None:
        return redirect(url_for("projects.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("projects/form.html", form=form, project=None), status


@bp.route("/<id:project_id>", methods=["GET", "POST"])
def edit(project_id: int):
    try:
        project = projects.get_project(db.session, project_id)
    except NotFound:
        abort(404)
    form = _form(project)
    if _save(form, project_id) is None:
        return redirect(url_for("projects.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("projects/form.html", form=form, project=project), status
