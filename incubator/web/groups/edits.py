"""The founding-group forms: create a group, add a member, move a stage, register, change the
legal form. Managers and the group's guardian write; a refusal re-renders the form with the
service's specific message (422, or 409 for a KRS number taken) and nothing is written."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.at_risk import NOT_AT_RISK, categories_on
from ...domain.calendar import local_date
from ...domain.errors import DomainError, NotFound
from ...domain.founding import REGISTER_OF, STAGE_PATHS, GroupStage, LegalForm
from ...domain.group_moves import MoveRequest
from ...extensions import db
from ...models.founding_group import MemberKind
from ...services import directory, group_stages, group_views, groups
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from ..common.fields import choice
from . import labels
from .forms import GroupForm, LegalFormForm, MemberForm, MoveForm, RegisterForm
from .views import bp


def _writable_group(group_id: int):
    """The group if the user may change it: 404 when they may not even see it, 403 otherwise."""
    actor = current_actor()
    try:
        group = group_views.visible_group(db.session, actor, group_id)
    except NotFound:
        abort(404)
    if not group_stages.can_write(actor, group):
        abort(403)
    return group


def _refuse(form, error: DomainError) -> int:
    """Put the refusal next to its field (or above the form) and give the page's status."""
    message = message_for(error)
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")
    return status_for(error)


def _page(template: str, form, status: int = 200, **context):
    if form.is_submitted() and status == 200:
        status = 422
    return render_template(f"groups/{template}", form=form, **context), status


@bp.route("/nowa", methods=["GET", "POST"])
def new():
    if not current_actor().is_staff:
        abort(403)
    form = GroupForm()
    form.legal_form.choices = [choice(f.value, str(n)) for f, n in labels.LEGAL_FORMS.items()]
    offices = [o for b in directory.branch_tree(db.session) for o in (b, *b.children)]
    form.branch_id.choices = [choice(o.id, o.name) for o in offices]
    form.guardian_id.choices = [
        choice(u.id, u.full_name) for u in group_views.guardians(db.session)
    ]
    if not form.is_submitted():
        form.guardian_id.data = current_actor().id
        form.formed_on.data = local_date(utcnow())
    status = 200
    if form.validate_on_submit():
        try:
            group = groups.create_group(
                db.session, user=current_actor(), name=form.name.data or "",
                legal_form=form.legal_form.data or "", branch_id=form.branch_id.data,
                guardian_id=form.guardian_id.data, formed_on=form.formed_on.data,
                now=utcnow(), ip=client_ip(),
            )  # fmt: skip
        except DomainError as error:
            status = _refuse(form, error)
        else:
            flash(_("The group has been created."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    return _page("group_form.html", form, status)


def _member_choices(form: MemberForm, today) -> None:
    locale = str(get_locale() or "pl")
    form.kind.choices = [
        choice(MemberKind.NATURAL.value, _("Natural person")),
        choice(MemberKind.LEGAL.value, _("Legal person")),
    ]
    form.user_id.choices = [choice("", _("— none: type the name below —"))] + [
        choice(str(u.id), u.full_name) for u in group_views.clients(db.session)
    ]
    form.at_risk.choices = [
        choice(labels.NOT_RECORDED, str(labels.NOT_RECORDED_LABEL)),
        choice(NOT_AT_RISK, str(labels.NOT_AT_RISK_LABEL)),
    ] + [choice(c.code, c.name_en if locale == "en" else c.name_pl) for c in categories_on(today)]
    form.legal_type.choices = [choice(t.value, str(n)) for t, n in labels.LEGAL_TYPES.items()]


def _new_member(form: MemberForm) -> groups.NewMember:
    user_id = form.user_id.data or ""
    return groups.NewMember(
        kind=form.kind.data or "",
        user_id=int(user_id) if user_id.isdigit() else None,
        full_name=form.full_name.data or "",
        at_risk=form.at_risk.data or None,
        name=form.name.data or "",
        legal_type=form.legal_type.data or "",
        krs=form.krs.data or "",
        nip=form.nip.data or "",
        founder=bool(form.founder.data),
        joined=form.joined.data,
    )


@bp.route("/<id:group_id>/czlonkowie/nowy", methods=["GET", "POST"])
def add_member(group_id: int):
    group = _writable_group(group_id)
    today = local_date(utcnow())
    form = MemberForm()
    _member_choices(form, today)
    status = 200
    if form.validate_on_submit():
        try:
            groups.add_member(
                db.session, user=current_actor(), group_id=group.id, new=_new_member(form),
                now=utcnow(), today=today, ip=client_ip(),
            )  # fmt: skip
        except DomainError as error:
            status = _refuse(form, error)
        else:
            flash(_("The member has been added."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    return _page("member_form.html", form, status, group=group)


def _override(form) -> str:
    """The override justification: a manager's only (the field is not shown to others)."""
    return (form.override_reason.data or "") if current_actor().is_manager else ""


def _unmet(error: DomainError) -> list[str]:
    """The unmet requirements of a refused founding step, in the reader's language."""
    locale = str(get_locale() or "pl")
    return [u.message(locale) for u in getattr(error, "unmet", [])]


@bp.route("/<id:group_id>/etap", methods=["GET", "POST"])
def move(group_id: int):
    group = _writable_group(group_id)
    actor = current_actor()
    form = MoveForm()
    path = STAGE_PATHS[LegalForm(group.legal_form)]
    targets = [s for s in path if s != GroupStage.REGISTERED] + [GroupStage.ABANDONED]
    form.target.choices = [choice(s.value, str(labels.STAGES[s])) for s in targets]
    if not form.is_submitted():
        form.on.data = local_date(utcnow())
    status, unmet = 200, []
    if form.validate_on_submit():
        request_ = MoveRequest(
            target=GroupStage(form.target.data), on=form.on.data, note=form.note.data or "",
            override_reason=_override(form),
        )  # fmt: skip
        try:
            group_stages.move_stage(
                db.session, user=actor, group_id=group.id, move=request_, now=utcnow(),
                today=local_date(utcnow()), ip=client_ip(),
            )  # fmt: skip
        except DomainError as error:
            unmet = _unmet(error)
            status = _refuse(form, error)
        else:
            flash(_("The stage has been changed."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    group = group_stages.load_group(db.session, group_id)
    return _page("move_form.html", form, status, group=group, unmet=unmet)


@bp.route("/<id:group_id>/rejestracja", methods=["GET", "POST"])
def register(group_id: int):
    group = _writable_group(group_id)
    form = RegisterForm()
    unmet: list[str] = []
    expected = REGISTER_OF[LegalForm(group.legal_form)]
    form.register.choices = [choice(expected.value, str(labels.REGISTERS[expected]))]
    if not form.is_submitted():
        form.on.data = local_date(utcnow())
    status = 200
    if form.validate_on_submit():
        registration = group_stages.Registration(
            register=form.register.data or "", number=form.number.data or "",
            nip=form.nip.data or "", regon=form.regon.data or "",
        )  # fmt: skip
        try:
            group_stages.move_stage(
                db.session, user=current_actor(), group_id=group.id,
                move=MoveRequest(GroupStage.REGISTERED, form.on.data, form.note.data or "",
                                 _override(form)),
                registration=registration, now=utcnow(), today=local_date(utcnow()),
                ip=client_ip(),
            )  # fmt: skip
        except DomainError as error:
            unmet = _unmet(error)
            status = _refuse(form, error)
        else:
            flash(_("The registration has been recorded."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    group = group_stages.load_group(db.session, group_id)
    return _page("register_form.html", form, status, group=group, unmet=unmet)


@bp.route("/<id:group_id>/forma-prawna", methods=["GET", "POST"])
def legal_form(group_id: int):
    group = _writable_group(group_id)
    form = LegalFormForm()
    form.legal_form.choices = [choice(f.value, str(n)) for f, n in labels.LEGAL_FORMS.items()]
    if not form.is_submitted():
        form.legal_form.data = group.legal_form
        form.on.data = local_date(utcnow())
    status = 200
    if form.validate_on_submit():
        try:
            groups.change_legal_form(
                db.session, user=current_actor(), group_id=group.id,
                legal_form=form.legal_form.data or "", on=form.on.data, now=utcnow(),
                note=form.note.data or "", ip=client_ip(),
            )  # fmt: skip
        except DomainError as error:
            status = _refuse(form, error)
        else:
            flash(_("The legal form has been changed."), "success")
            return redirect(url_for("groups.show", group_id=group.id))
    group = group_stages.load_group(db.session, group_id)
    return _page("legal_form_form.html", form, status, group=group)
