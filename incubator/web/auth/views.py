"""Login, registration, the account page, password change and reset.

Sessions carry a fingerprint of the password hash (`_pw`): when the password changes (reset,
change on another device) every other session ends on its next request.
"""

from __future__ import annotations

from datetime import timedelta
from email.headerregistry import Address

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ... import demo
from ...clock import utcnow
from ...extensions import db, limiter
from ...models import User
from ...services import accounts, mail
from ..common.errors import message_for, password_problem_messages
from ..main.views import safe_next
from . import bp
from .forms import (
    AccountForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)

SESSION_FINGERPRINT = "_pw"
DEFAULT_SETUP_MAX_AGE = timedelta(days=7)


@bp.before_app_request
def end_stale_session() -> None:
    """Log out a session opened before the account's password was changed or reset.

    (Deactivated accounts are handled by the user loader in `web/user_loader.py`.)
    """
    fingerprint = session.get(SESSION_FINGERPRINT)
    if fingerprint is None or not current_user.is_authenticated:
        return
    if fingerprint != accounts.password_fingerprint(current_user):
        logout_user()
        session.pop(SESSION_FINGERPRINT, None)


# One bucket for every way of logging in (this page and POST /api/v1/session), so switching
# between them does not double an attacker's attempts.
login_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="login", methods=["POST"]
)


# --- helpers shared with the admin blueprint --------------------------------------------------


def client_ip() -> str:
    return request.remote_addr or ""


def password_policy() -> accounts.PasswordPolicy:
    return accounts.PasswordPolicy.from_config(current_app.config)


def token_max_ages() -> dict[str, timedelta]:
    config = current_app.config
    return {
        "max_age": config["PASSWORD_RESET_MAX_AGE"],
        "setup_max_age": config.get("PASSWORD_SETUP_MAX_AGE", DEFAULT_SETUP_MAX_AGE),
    }


def send_password_link(user: User, token: str, *, setup: bool = False) -> None:
    """E-mail a link to set a password, in the user's language. Raises `mail.MailError`."""
    ages = token_max_ages()
    valid_for = ages["setup_max_age"] if setup else ages["max_age"]
    link = url_for("auth.reset_password", token=token, _external=True)
    template = "auth/email/set_password" if setup else "auth/email/reset_password"
    with force_locale(user.preferred_language):
        context = {
            "user": user,
            "link": link,
            "hours": int(valid_for.total_seconds() // 3600),
        }
        subject = _("Set your password") if setup else _("Reset your password")
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    mail.send(to=_address(user), subject=subject, text=text, html=html)


def _address(user: User) -> str:
    return str(Address(display_name=user.full_name, addr_spec=user.email or ""))


def start_session(user: User) -> None:
    """Log in with a fresh session (no fixation), keeping only the chosen language.

    Without a choice made before logging in, the session takes the account's preferred language,
    so the pages (and the goodbye message) stay in it after logging out.
    """
    language = session.get("lang") or user.preferred_language
    session.clear()
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
    login_user(user)
    session[SESSION_FINGERPRINT] = accounts.password_fingerprint(user)


def _field_error(field, message) -> None:
    field.errors = [*field.errors, str(message)]


# --- views ------------------------------------------------------------------------------------


@bp.route("/logowanie", methods=["GET", "POST"])
@login_limit
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session,
                form.email.data,
                form.password.data,
                utcnow(),
                policy=password_policy(),
                ip=client_ip(),
            )
        except accounts.NoPassword as error:
            flash(message_for(error), "warning")
        except accounts.AuthError as error:
            flash(message_for(error), "error")
        else:
            start_session(user)
            flash(_("You are logged in. Welcome, %(name)s!", name=user.full_name), "success")
            return redirect(next_url or url_for("main.index"))
    # In demo mode the logins come from the same file the demo data is loaded from.
    demo_accounts = demo.demo_accounts() if current_app.config.get("DEMO") else []
    return render_template(
        "auth/login.html", form=form, next_url=next_url, demo_accounts=demo_accounts
    )


@bp.post("/wyloguj")
def logout() -> Response:
    if current_user.is_authenticated:
        logout_user()
        session.pop(SESSION_FINGERPRINT, None)
        flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/rejestracja", methods=["GET", "POST"])
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
            user = accounts.register_client(
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
        except (accounts.DuplicateEmail, accounts.InvalidEmail) as error:
            _field_error(form.email, message_for(error, own=True))
        except accounts.WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        except accounts.ConsentRequired as error:
            _field_error(form.consent, message_for(error))
        else:
            start_session(user)
            session["lang"] = user.preferred_language
            flash(_("Your account has been created. Welcome!"), "success")
            return redirect(next_url or url_for("main.index"))
    return render_template(
        "auth/register.html",
        form=form,
        next_url=next_url,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


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
    return render_template("auth/account.html", form=form, user=user)


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
        except accounts.WrongPassword as error:
            _field_error(form.current_password, message_for(error))
        except accounts.WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        else:
            # This session stays valid; the others end on their next request.
            session[SESSION_FINGERPRINT] = accounts.password_fingerprint(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/password_change.html",
        form=form,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
    )


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        found = accounts.request_password_reset(
            db.session,
            form.email.data,
            secret_key=current_app.secret_key,
            now=utcnow(),
            ip=client_ip(),
        )
        if found is not None:
            user, token = found
            try:
                send_password_link(user, token)
            except mail.MailError:
                # Same answer as for an unknown address; the log tells the administrator.
                current_app.logger.exception("Password reset e-mail to user %s failed", user.id)
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
        accounts.verify_password_token(
            db.session,
            token,
            secret_key=current_app.secret_key,
            now=utcnow(),
            **token_max_ages(),
        )
    except accounts.AccountError as error:
        return _token_refused(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                db.session,
                token,
                form.password.data,
                secret_key=current_app.secret_key,
                now=utcnow(),
                policy=password_policy(),
                ip=client_ip(),
                **token_max_ages(),
            )
        except accounts.WeakPassword as error:
            for message in password_problem_messages(error.problems):
                _field_error(form.password, message)
        except accounts.AccountError as error:
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


def _token_refused(error: accounts.AccountError) -> Response:
    flash(message_for(error), "warning" if isinstance(error, accounts.TokenExpired) else "error")
    return redirect(url_for("auth.reset_request"))
