"""The password policy from the config, and e-mailing a link to set a password.

Used by `auth` (log-in, registration, reset), `admin` (set-up links for new staff) and `api`.
"""

from __future__ import annotations

from datetime import timedelta
from email.headerregistry import Address

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...models import User
from ...services import mail
from ...services.accounts import PasswordPolicy

DEFAULT_SETUP_MAX_AGE = timedelta(days=7)


def password_policy() -> PasswordPolicy:
    return PasswordPolicy.from_config(current_app.config)


def token_max_ages() -> dict[str, timedelta]:
    """`max_age` and `setup_max_age` for `services.password_tokens`, from the config."""
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
    mail.send_mail(
        mail_settings(), to=_address(user), subject=subject, text=text, html=html, now=utcnow()
    )


def mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config, current_app.instance_path)


def _address(user: User) -> str:
    return str(Address(display_name=user.full_name, addr_spec=user.email or ""))
