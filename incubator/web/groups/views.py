"""Founding groups (grupy inicjatywne): the list, a group's page, the registry of founded
entities. Who sees which group is `services.groups.group_ids_for`; the forms are in `edits`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...clock import utcnow
from ...domain.at_risk import AT_RISK_CATEGORIES, NOT_AT_RISK, category_visible_to
from ...domain.calendar import local_date
from ...domain.errors import NotFound
from ...domain.founding import FOUNDING_STEP, GroupStage, LegalForm
from ...domain.founding_check import employment_duty_due
from ...extensions import db
from ...models.founding_group import HistoryKind, MemberKind
from ...services import directory, group_stages, group_views, site_settings
from ..common.access import current_actor
from ..common.client import client_ip
from . import labels
from .forms import PublishForm

bp = Blueprint("groups", __name__)


@bp.before_request
@login_required
def require_login() -> None:
    """Every page needs an account; which groups it shows depends on the role."""


@bp.app_context_processor
def group_labels() -> dict:
    return {"group_labels": labels}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _choice_arg(name: str, allowed) -> str:
    value = request.args.get(name, "")
    return value if value in {str(a) for a in allowed} else ""


@bp.get("/")
def index():
    wanted = group_views.GroupFilter(
        stage=_choice_arg("stage", GroupStage),
        legal_form=_choice_arg("legal_form", LegalForm),
        branch_id=_int_arg("branch"),
        guardian_id=_int_arg("guardian"),
    )
    actor = current_actor()
    groups = group_views.list_groups(db.session, actor, wanted)
    today = local_date(utcnow())
    staff = actor.is_staff
    return render_template(
        "groups/index.html",
        groups=groups,
        wanted=wanted,
        days={g.id: group_views.days_in_current_stage(g, today) for g in groups},
        offices=[o for b in directory.branch_tree(db.session) for o in (b, *b.children)]
        if staff
        else [],
        guardians=group_views.guardians(db.session) if staff else [],
    )


def category_name(code: str | None, locale: str) -> str:
    if code is None:
        return str(labels.NOT_RECORDED_LABEL)
    if code == NOT_AT_RISK:
        return str(labels.NOT_AT_RISK_LABEL)
    for category in AT_RISK_CATEGORIES:
        if category.code == code:
            return category.name_en if locale == "en" else category.name_pl
    return code


def _duty_due(group):
    """The employment duty's day for a cooperative founded by fewer than five persons."""
    registered, meeting = group.registered_date, group.founding_meeting_date
    if registered is None or meeting is None:
        return None
    founders = sum(1 for m in group.members if m.kind == MemberKind.NATURAL and m.is_founder)
    return employment_duty_due(LegalForm(group.legal_form), meeting, founders, registered)


@bp.get("/<id:group_id>")
def show(group_id: int):
    actor = current_actor()
    try:
        group = group_views.visible_group(db.session, actor, group_id)
    except NotFound:
        abort(404)
    today = local_date(utcnow())
    locale = str(get_locale() or "pl")
    return render_template(
        "groups/show.html",
        group=group,
        can_write=group_stages.can_write(actor, group),
        unmet=[u.message(locale) for u in group_stages.requirements(group, today)],
        founding_step=FOUNDING_STEP[LegalForm(group.legal_form)],
        history=group.stage_history,
        history_kinds=HistoryKind,
        stage_days=group_views.stage_days(group, today),
        duty_due=_duty_due(group),
        consultations=group_views.consultations_of(db.session, group) if actor.is_staff else [],
        categories={
            m.id: category_name(m.at_risk_category, locale)
            for m in group.members
            if category_visible_to(actor, m.user_id)
        },
        today=today,
    )


@bp.get("/rejestr")
def registry():
    if not current_user.is_staff:
        abort(403)
    return render_template(
        "groups/registry.html",
        groups=group_views.registry(db.session),
        published=site_settings.flag(db.session, site_settings.PUBLIC_REGISTRY),
        publish_form=PublishForm(),
    )


@bp.post("/rejestr/publikacja")
def publish():
    """A manager publishes the registry on a public page, or takes it down."""
    if not current_user.is_manager:
        abort(403)
    form = PublishForm()
    if not form.validate_on_submit() or form.publish.data not in ("1", "0"):
        abort(400)
    on = form.publish.data == "1"
    site_settings.set_flag(
        db.session, user=current_actor(), key=site_settings.PUBLIC_REGISTRY, on=on,
        now=utcnow(), ip=client_ip(),
    )  # fmt: skip
    flash(_("The registry is now public.") if on else _("The registry is no longer public."),
          "success")  # fmt: skip
    return redirect(url_for("groups.registry"))
