"""Managers: user accounts.

New staff accounts are created without a password. The new expert or manager gets an e-mail with
a link to set one (valid `PASSWORD_SETUP_MAX_AGE`, 7 days by default); afterwards the usual
"Forgot your password?" works. No manager ever knows another person's password. The command line
(`incubator users create`) can still set a password directly, e.g. for the first manager.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ...clock import utcnow
from ...domain.accounts import DuplicateEmail, InvalidEmail
from ...domain.errors import DomainError
from ...extensions import db
from ...models import Role, User
from ...services import (
    accounts,
    directory,
    password_tokens,
    person_merge,
    user_admin,
    user_search,
)
from ..common import display
from ..common.access import current_actor, managers_only
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from ..common.fields import choice
from ..common.passwords import password_policy, send_password_link
from ..common.redirects import safe_next
from .forms import (
    AccountForm,
    EditUserForm,
    MergeChooseForm,
    MergeConfirmForm,
    NewUserForm,
    SetActiveForm,
    UserFilterForm,
)

bp = Blueprint("admin", __name__)

PER_PAGE = user_search.PER_PAGE


bp.before_request(managers_only)  # log in first, then managers only (403 for the others)


@bp.get("/uzytkownicy")
def users():
    form = UserFilterForm(request.args)
    form.validate()
    role = form.role.data if form.role.data in {r.value for r in Role} else ""
    status = form.status.data if form.status.data in {"active", "inactive"} else ""
    page = display.parse_page(request.args.get("page"))
    filters = user_search.UserFilters(
        role=role or None,
        query=(form.q.data or "")[:100] if not form.q.errors else None,
        active={"active": True, "inactive": False}.get(status),
    )
    result = user_search.list_users(
        db.session, current_actor(), filters, page=page, per_page=PER_PAGE
    )
    args = {k: v for k, v in {"role": role, "status": status, "q": form.q.data}.items() if v}
    return render_template(
        "admin/users.html",
        form=form,
        result=result,
        filter_args=args,
        active_form=SetActiveForm(),
        here=request.full_path if request.query_string else request.path,
    )


@bp.route("/uzytkownicy/nowy", methods=["GET", "POST"])
def user_new():
    form = NewUserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        expert = _expert_details(form) if form.expert_fields_apply() else None
        now = utcnow()
        try:
            user = accounts.create_staff_account(
                db.session,
                actor=current_actor(),
                role=form.role.data,
                email=form.email.data,
                full_name=form.full_name.data,
                phone=form.phone.data or "",
                preferred_language=form.preferred_language.data,
                expert=expert,
                policy=password_policy(),
                now=now,
                ip=client_ip(),
            )
        except (DuplicateEmail, InvalidEmail) as error:
            form.email.errors = [*form.email.errors, message_for(error)]
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            _send_setup_link(user, now)
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


@bp.route("/uzytkownicy/<id:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """One account: its details and, for an expert, the profile clients see."""
    user = user_search.get_user(db.session, user_id) or abort(404)
    profile = user.expert_profile
    form = EditUserForm(obj=None if request.method == "POST" else user, is_expert=user.is_expert)
    _fill_choices(form)
    if request.method == "GET" and profile is not None:
        form.title.data, form.bio.data = profile.title, profile.bio
        form.default_length_min.data = profile.default_length_min
        form.domains.data = [d.id for d in profile.domains]
        form.branches.data = [b.id for b in profile.branches]
    if form.validate_on_submit():
        try:
            changed = user_admin.update_account(
                db.session,
                actor=current_actor(),
                user=user,
                changes=user_admin.AccountChanges(
                    full_name=form.full_name.data,
                    email=form.email.data,
                    phone=form.phone.data or "",
                    preferred_language=form.preferred_language.data,
                    expert=_expert_details(form) if user.is_expert else None,
                ),
                now=utcnow(),
                ip=client_ip(),
            )
        except (DuplicateEmail, InvalidEmail) as error:
            form.email.errors = [*form.email.errors, message_for(error)]
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            if changed:
                flash(_("The changes have been saved."), "success")
            else:
                flash(_("Nothing has changed."), "info")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template(
        "admin/user_edit.html", form=form, user=user, active_form=SetActiveForm()
    )


@bp.get("/uzytkownicy/<id:user_id>/dezaktywacja")
def user_deactivate(user_id: int):
    """Ask before deactivating, saying what happens to the person's upcoming consultations."""
    user = user_search.get_user(db.session, user_id) or abort(404)
    if not user.active or user.id == current_user.id:
        return redirect(url_for("admin.user_edit", user_id=user.id))
    upcoming = user_admin.upcoming_consultations(db.session, user, now=utcnow())
    return render_template(
        "admin/user_deactivate.html",
        user=user,
        upcoming=upcoming,
        active_form=SetActiveForm(),
        back=safe_next(request.args.get("next")) or url_for("admin.users"),
    )


def _expert_details(form: AccountForm) -> accounts.ExpertDetails:
    """The expert-only fields of a validated form (the length is then present and in range)."""
    return accounts.ExpertDetails(
        title=form.title.data or "",
        bio=form.bio.data or "",
        default_length_min=form.default_length_min.data,
        domain_ids=form.domains.data,
        branch_ids=form.branches.data,
    )


@bp.post("/uzytkownicy/<id:user_id>/aktywnosc")
def user_set_active(user_id: int) -> Response:
    user = user_search.get_user(db.session, user_id) or abort(404)
    form = SetActiveForm()
    back = safe_next(form.next.data) or url_for("admin.users")
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    try:
        changed = accounts.set_active(
            db.session,
            actor=current_actor(),
            user=user,
            active=active,
            now=utcnow(),
            ip=client_ip(),
        )
    except DomainError as error:  # oneself, or an anonymised account
        flash(message_for(error), "error")
        return redirect(back)
    if not changed:
        flash(_("Nothing has changed."), "info")
    elif active:
        flash(_("The account of %(name)s has been reactivated.", name=user.full_name), "success")
    else:
        flash(
            _(
                "The account of %(name)s has been deactivated; the person can no longer log in.",
                name=user.full_name,
            ),
            "success",
        )
    return redirect(back)


def _send_setup_link(user: User, now) -> None:
    token = password_tokens.make_password_token(
        user, secret_key=current_app.secret_key, now=now, purpose=password_tokens.PURPOSE_SETUP
    )
    if not send_password_link(user, token, setup=True):
        current_app.logger.warning("Set-up e-mail to user %s not delivered yet", user.id)
        flash(
            _(
                "The account of %(name)s has been created, but the e-mail with the link could "
                "not be sent yet; it will be tried again automatically. If it does not arrive, "
                "ask the person to use “Forgot your password?” on the login page.",
                name=user.full_name,
            ),
            "warning",
        )
        return
    flash(
        _(
            "The account of %(name)s has been created. We have sent a link to set the password "
            "to %(email)s.",
            name=user.full_name,
            email=user.email,
        ),
        "success",
    )


def _fill_choices(form: NewUserForm) -> None:
    locale = str(get_locale() or "pl")
    form.domains.choices = [choice(d.id, d.name(locale)) for d in directory.domains(db.session)]
    choices = []
    for branch in directory.branch_tree(db.session):
        choices.append(choice(branch.id, branch.name))
        for child in branch.children:
            if child.active:
                choices.append(choice(child.id, f"{child.name} ({branch.name})"))
    form.branches.choices = choices


# --- merging two records of one person ------------------------------------------------------


@bp.get("/osoby/scal")
def merge():
    """Choose the two records; with both ids, show them side by side and ask to confirm."""
    form = MergeChooseForm(request.args)
    status = 200
    if request.args.get("keep") and request.args.get("drop"):
        if form.validate():
            try:
                view = person_merge.preview(
                    db.session, current_actor(), form.keep.data, form.drop.data
                )
            except DomainError as error:
                form.drop.errors = [message_for(error)]
                status = status_for(error)
            else:
                confirm = MergeConfirmForm(keep=view.keep.id, drop=view.drop.id)
                return render_template("admin/merge_confirm.html", view=view, form=confirm)
        else:
            status = 422
    return render_template("admin/merge.html", form=form), status


@bp.post("/osoby/scal")
def merge_confirmed() -> Response:
    form = MergeConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    keep_id, drop_id = display.parse_id(form.keep.data), display.parse_id(form.drop.data)
    if keep_id is None or drop_id is None:
        abort(400)
    try:
        kept = person_merge.merge(
            db.session, current_actor(), keep_id, drop_id, now=utcnow(), ip=client_ip()
        )
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(url_for("admin.merge"))
    flash(_("The records have been merged into %(name)s.", name=kept.full_name), "success")
    return redirect(url_for("staff.participant", client_id=keep_id))
