"""Login, registration, the account page, password change and reset.

Sessions are revocable (see `web.common.sessions`): logging out, a password change or reset end
every other session of the account on its next request. Registration and reset answer the same
whether or not an account exists (the owner of a registered address is e-mailed instead).
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
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from ... import demo
from ...clock import utcnow
from ...domain import bounds
from ...domain.accounts import (
    AccountError,
    AuthError,
    ConsentRequired,
    DuplicateEmail,
    InvalidEmail,
    TokenExpired,
    WeakPassword,
    WrongPassword,
)
from ...domain.errors import DomainError
from ...extensions import db
from ...models import User
from ...services import accounts, authentication, calendar_feeds, participants, password_tokens
from ..common import participant_form as pf
from ..common.access import current_actor, start_page
from ..common.client import client_ip
from ..common.errors import message_for, password_problem_messages
from ..common.feed_links import feed_links
from ..common.limits import login_limit, register_limit, reset_limit
from ..common.passwords import (
    password_policy,
    send_password_link_after_response,
    send_registration_notice_after_response,
    token_max_ages,
)
from ..common.redirects import safe_next
from ..common.sessions import (
    end_session,
    remember_password,
    start_session,
)
from .forms import (
    AccountForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)

bp = Blueprint("auth", __name__)


def _field_error(field, message) -> None:
    field.errors = [*field.errors, str(message)]


# --- views ------------------------------------------------------------------------------------


@bp.route("/logowanie", methods=["GET", "POST"])
@login_limit
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or start_page(current_actor()))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authentication.authenticate(
                db.session,
                form.email.data,
                form.password.data,
                utcnow(),
                policy=password_policy(),
                ip=client_ip(),
            )
        except AuthError as error:  # one answer for unknown, no password, wrong (see service)
            flash(message_for(error), "error")
        else:
            start_session(user)
            flash(_("You are logged in. Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(next_url or start_page(user))
    # In demo mode the logins come from the same file the demo data is loaded from.
    demo_accounts = demo.demo_accounts() if current_app.config.get("DEMO") else []
    return render_template(
        "auth/login.html", form=form, next_url=next_url, demo_accounts=demo_accounts
    )


@bp.post("/wyloguj")
def logout() -> Response:
    if current_user.is_authenticated:
        end_session()
        flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/rejestracja", methods=["GET", "POST"])
@register_limit
def register():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_language.data = session.get("lang") or current_app.config.get(
            "BABEL_DEFAULT_LOCALE", "pl"
        )
    if form.validate_on_submit():
        try:
            accounts.register_client(
                db.session,
                full_name=form.full_name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data or "",
                preferred_language=form.preferred_language.data,
                consent=form.consent.data,
                policy=password_policy(),
                now=utcnow(),
                ip=client_ip(),
            )
        except DuplicateEmail:
            # Answered as a success, so the form tells no one who has an account; the
            # owner learns of the attempt by e-mail.
            owner_id = accounts.note_registration_attempt(
                db.session, form.email.data, now=utcnow(), ip=client_ip()
            )
            if owner_id is not None:
                send_registration_notice_after_response(owner_id)
            return _registered(next_url)
        except InvalidEmail as error:
            _field_error(form.email, message_for(error, own=True))
        except WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        except ConsentRequired as error:
            _field_error(form.consent, message_for(error))
        else:
            return _registered(next_url)
    return render_template(
        "auth/register.html",
        form=form,
        next_url=next_url,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


def _registered(next_url: str | None) -> Response:
    """The one answer to a registration, new or not: log in now (no session is started, since an
    address that already had an account must get exactly this answer too)."""
    flash(_("Your account has been created. You can log in now."), "success")
    return redirect(url_for("auth.login", next=next_url) if next_url else url_for("auth.login"))


@bp.route("/", methods=["GET", "POST"])
@login_required
def account():
    user: User = current_user._get_current_object()
    form = AccountForm(obj=user)
    if form.validate_on_submit():
        changed = accounts.update_profile(
            db.session,
            user=user,
            full_name=form.full_name.data,
            phone=form.phone.data or "",
            preferred_language=form.preferred_language.data,
            now=utcnow(),
            ip=client_ip(),
        )
        if "preferred_language" in changed:
            session["lang"] = user.preferred_language
        flash(
            _("Your details have been saved.") if changed else _("Nothing has changed."),
            "success" if changed else "info",
        )
        return redirect(url_for("auth.account"))
    # The calendar feeds: created the first time the owner looks (one per office for managers).
    feeds = [
        (office, feed_links(token))
        for office, token in calendar_feeds.feeds_for(db.session, user, now=utcnow())
    ]
    return render_template("auth/account.html", form=form, user=user, feeds=feeds)


@bp.post("/kalendarz/nowy-adres")
@login_required
def feed_regenerate() -> Response:
    """A new secret address for a calendar feed; the old one stops working at once."""
    raw = request.form.get("branch_id")
    branch_id = bounds.parse_id(raw) if raw else None
    if raw and branch_id is None:
        abort(404)
    try:
        calendar_feeds.regenerate(
            db.session, user=current_actor(), branch_id=branch_id, now=utcnow(), ip=client_ip()
        )
    except DomainError as error:  # an office that is gone, a scope that is not theirs
        flash(message_for(error), "error")
    else:
        flash(
            _(
                "The calendar has a new address. The old one no longer works: subscribe again "
                "with the new one in your calendar program."
            ),
            "success",
        )
    return redirect(url_for("auth.account"))  # the message shows at the top


@bp.route("/haslo", methods=["GET", "POST"])
@login_required
def password_change():
    user: User = current_user._get_current_object()
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db.session,
                user=user,
                current_password=form.current_password.data,
                new_password=form.password.data,
                policy=password_policy(),
                now=utcnow(),
                ip=client_ip(),
            )
        except WrongPassword as error:
            _field_error(form.current_password, message_for(error))
        except WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        else:
            # This session stays valid; the others end on their next request.
            remember_password(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/password_change.html",
        form=form,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


@bp.route("/reset", methods=["GET", "POST"])
@reset_limit
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        found = password_tokens.request_password_reset(
            db.session,
            form.email.data,
            secret_key=current_app.secret_key,
            now=utcnow(),
            ip=client_ip(),
        )
        if found is not None:
            # After the response: an unknown address gets its answer just as fast; a failure
            # is logged for the administrator, the visitor sees the same answer.
            send_password_link_after_response(*found)
        flash(
            _(
                "If an account with this e-mail address exists, we have sent it a link to set "
                "a new password. Check your inbox (and the spam folder)."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        password_tokens.verify_password_token(
            db.session,
            token,
            secret_key=current_app.secret_key,
            now=utcnow(),
            **token_max_ages(),
        )
    except AccountError as error:
        return _token_refused(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_tokens.reset_password(
                db.session,
                token,
                form.password.data,
                secret_key=current_app.secret_key,
                now=utcnow(),
                policy=password_policy(),
                ip=client_ip(),
                **token_max_ages(),
            )
        except WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        except AccountError as error:
            return _token_refused(error)
        else:
            if current_user.is_authenticated:
                logout_user()  # whoever was logged in here, the owner now logs in afresh
            flash(_("Your new password has been set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    response = current_app.make_response(
        render_template(
            "auth/reset_password.html",
            form=form,
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    )
    # The token is in the URL: do not hand it to other sites in the Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _token_refused(error: AccountError) -> Response:
    flash(message_for(error), "warning" if isinstance(error, TokenExpired) else "error")
    return redirect(url_for("auth.reset_request"))


# --- the client's own participant data ------------------------------------------------------


@bp.app_template_global()
def asks_participant_data(user) -> bool:
    """Whether to invite this user to the questionnaire (a client who has answered nothing)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_client
        and not participants.has_participant_data(user)
    )


@bp.route("/dane-uczestnika", methods=["GET", "POST"])
@login_required
def participant():
    """A client's own answers; every one optional, none shown to anyone but staff."""
    user: User = current_user._get_current_object()
    if not user.is_client:
        abort(404)
    record = participants.read(db.session, viewer=user, person_id=user.id, now=utcnow())
    form = pf.make_form(record, prefill=request.method == "GET")
    status, changed = pf.submit(form, actor=user, person_id=user.id)
    if changed is not None:
        flash(
            _("Thank you, your answers have been saved.") if changed else _("Nothing has changed."),
            "success" if changed else "info",
        )
        return redirect(url_for("auth.participant"))
    return render_template("auth/participant.html", form=form), status
