"""Outgoing e-mail: build an `EmailMessage`, then send it by SMTP or drop it in an outbox folder.

Without ``MAIL_SERVER`` (development, the demo, tests) every message is written as an ``.eml``
file to ``MAIL_OUTBOX`` or ``<instance>/outbox/``; any mail program opens it. Messages are UTF-8
throughout, so Polish letters survive in the subject, the names and the body.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_SENDER = "Inkubator <inkubator@localhost>"
SMTP_TIMEOUT_S = 30


class MailError(RuntimeError):
    """The message could not be delivered to the SMTP server or written to the outbox."""


def build_message(
    *,
    sender: str,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime,
) -> EmailMessage:
    """A UTF-8 message: plain text, plus an HTML alternative when `html` is given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    domain = sender.rpartition("@")[2].strip(" >") or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    # Quoted-printable keeps the message 7-bit clean for servers without 8BITMIME.
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def send_mail(
    app_config: Mapping[str, Any],
    instance_path: str,
    *,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Send one message. Returns the .eml path when written to the outbox, None when sent by SMTP.

    Raises `MailError` when delivery fails; callers decide whether that matters to the user.
    """
    now = now or datetime.now(UTC)
    message = build_message(
        sender=app_config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER,
        to=to,
        subject=subject,
        text=text,
        html=html,
        now=now,
    )
    if app_config.get("MAIL_SERVER"):
        _send_smtp(app_config, message)
        return None
    outbox = Path(app_config.get("MAIL_OUTBOX") or Path(instance_path) / "outbox")
    return _write_outbox(outbox, message, subject, now)


def send(
    *, to: str | Sequence[str], subject: str, text: str, html: str | None = None
) -> Path | None:
    """`send_mail` with the current Flask app's configuration (for views and CLI commands)."""
    from flask import current_app

    return send_mail(
        current_app.config, current_app.instance_path, to=to, subject=subject, text=text, html=html
    )


def _send_smtp(config: Mapping[str, Any], message: EmailMessage) -> None:
    host = config["MAIL_SERVER"]
    port = int(config.get("MAIL_PORT") or 587)
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"SMTP delivery to {host}:{port} failed: {error}") from error


def _write_outbox(outbox: Path, message: EmailMessage, subject: str, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = f"{stamp}-{slugify(subject) or 'message'}"
    data = message.as_bytes(policy=SMTP)
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        for attempt in range(100):
            path = outbox / (f"{stem}.eml" if attempt == 0 else f"{stem}-{attempt}.eml")
            try:
                with path.open("xb") as handle:  # never overwrite an earlier message
                    handle.write(data)
            except FileExistsError:
                continue
            log.info("E-mail to %s written to %s", message["To"], path)
            return path
    except OSError as error:
        raise MailError(f"cannot write to the outbox {outbox}: {error}") from error
    raise MailError(f"too many messages with the same name in {outbox}")


def slugify(text: str, max_length: int = 50) -> str:
    """ASCII file-name slug: "Zażółć gęślą jaźń" -> "zazolc-gesla-jazn"."""
    text = text.lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_length].rstrip("-")
