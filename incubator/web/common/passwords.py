"""The password policy from the config, and the account e-mails: a link to set a password, and
the notice to an address someone tried to register again.

Used by `auth` (log-in, registration, reset), `admin` (set-up links for new staff) and `api`.
Links come from PUBLIC_URL (`links.public_url_for`), never from the request's Host header.

The e-mails a visitor must not be able to time (a reset link, the registration notice) are
built and sent after the response (`*_after_response`): the answer to "reset the password of
x@example.org" takes as long whether or not x has an account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from email.headerregistry import Address
from email.policy import SMTP

from flask import Response, after_this_request, current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ...clock import utcnow
from ...extensions import db
from ...models import User
from ...services import mail, outbox, user_search
from ...services.accounts import PasswordPolicy
from .links import public_url_for

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


def send_password_link(user: User, token: str, *, setup: bool = False) -> bool:
    """E-mail a link to set a password, in the user's language; False when it could not be
    delivered at once (it stays in the outbox and is tried again)."""
    ages = token_max_ages()
    valid_for = ages["setup_max_age"] if setup else ages["max_age"]
    template = "auth/email/set_password" if setup else "auth/email/reset_password"
    with force_locale(user.preferred_language):
        subject = _("Set your password") if setup else _("Reset your password")
        validity = validity_sentence(valid_for, setup=setup)
    return _send(
        user,
        template,
        subject,
        link=public_url_for("auth.reset_password", token=token),
        validity=validity,
    )


def validity_sentence(valid_for: timedelta, *, setup: bool) -> str:
    """How long a password link works: in days when it is a whole number of days ("7 dni"),
    else in whole hours ("2 godziny"), with the plural forms of the language."""
    seconds = int(valid_for.total_seconds())
    days, rest = divmod(seconds, 86400)
    if days and not rest:
        if setup:
            return ngettext(
                "The link is valid for %(num)d day and works once. After that, use "
                "“Forgot your password?” on the login page.",
                "The link is valid for %(num)d days and works once. After that, use "
                "“Forgot your password?” on the login page.",
                days,
            )
        return ngettext(
            "The link is valid for %(num)d day and works once.",
            "The link is valid for %(num)d days and works once.",
            days,
        )
    hours = seconds // 3600
    if setup:
        return ngettext(
            "The link is valid for %(num)d hour and works once. After that, use "
            "“Forgot your password?” on the login page.",
            "The link is valid for %(num)d hours and works once. After that, use "
            "“Forgot your password?” on the login page.",
            hours,
        )
    return ngettext(
        "The link is valid for %(num)d hour and works once.",
        "The link is valid for %(num)d hours and works once.",
        hours,
    )


def send_password_link_after_response(user_id: int, token: str) -> None:
    """`send_password_link` once the answer has gone out (failures are logged)."""
    _after_response(user_id, lambda user: send_password_link(user, token))


def send_registration_notice_after_response(user_id: int) -> None:
    """Tell the owner of an address, after the response, that someone tried to register with it.

    The visitor who tried is answered exactly as if the registration had worked, so the form
    does not reveal who has an account.
    """
    _after_response(user_id, _send_registration_notice)


def _send_registration_notice(user: User) -> None:
    with force_locale(user.preferred_language):
        subject = _("Someone tried to register with your address")
    _send(
        user,
        "auth/email/registration_attempt",
        subject,
        login_link=public_url_for("auth.login"),
        reset_link=public_url_for("auth.reset_request"),
    )


def _send(user: User, template: str, subject: str, **context: object) -> bool:
    """Queue the message in the outbox, then deliver what is due (this one included).

    A mail server that is down or slow then only delays it: the sender tries again later, as
    for every other e-mail. The key is unique per link (or per minute for the notice), so a
    retried request queues nothing twice.
    """
    now = utcnow()
    with force_locale(user.preferred_language):
        text = render_template(f"{template}.txt", user=user, **context)
        html = render_template(f"{template}.html", user=user, **context)
    settings = mail_settings()
    message = mail.build_message(
        sender=settings.sender, to=_address(user), subject=subject, text=text, html=html, now=now
    )
    name = template.rsplit("/", 1)[-1]
    unique = str(context.get("link") or now.strftime("%Y%m%d%H%M"))
    key = f"account:{name}:{user.id}:{hashlib.sha256(unique.encode()).hexdigest()[:24]}"
    outbox.queue_alone(
        db.session,
        key=key,
        kind=f"account.{name}",
        to_address=_address(user),
        subject=subject,
        message=message.as_bytes(policy=SMTP),
        now=now,
        recipient_id=user.id,
    )
    outbox.send_due(db.session, settings, now=now, limit=20)
    return outbox.status_of(db.session, key) == "sent"


def _after_response(user_id: int, send: Callable[[User], object]) -> None:
    """Run `send(user)` when the WSGI server closes the response (PEP 3333: after the body has
    been sent), in a fresh app context that loads the user itself."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def job() -> None:
        with app.app_context():
            try:
                user = user_search.get_user(db.session, user_id)
                if user is not None:
                    send(user)
            except Exception:  # the visitor has had their answer; the log tells the admin
                app.logger.exception("E-mail to user %s failed", user_id)
        # (Leaving the app context ends its database session.)

    @after_this_request
    def _on_close(response: Response) -> Response:
        response.call_on_close(job)
        return response


def mail_settings() -> mail.MailSettings:
    return mail.MailSettings.from_config(current_app.config, current_app.instance_path)


def _address(user: User) -> str:
    return str(Address(display_name=user.full_name, addr_spec=user.email or ""))
