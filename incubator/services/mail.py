"""Outgoing e-mail: build an `EmailMessage`, then send it by SMTP or drop it in an outbox folder.

Everything it needs comes in as arguments (`MailSettings`, `now`), so a background job can send
without an application or a request.

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
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from ..domain.notifications import is_permanent

log = logging.getLogger(__name__)

DEFAULT_SENDER = "Inkubator <inkubator@localhost>"
SMTP_TIMEOUT_S = 30


class MailError(RuntimeError):
    """The message could not be delivered to the SMTP server or written to the outbox.

    `permanent` is set when the server refused it for good (a 5xx reply such as 550 "no such
    mailbox"): sending it again cannot help. Lost connections, time-outs and 4xx are temporary.
    """

    def __init__(self, message: str, *, code: int | None = None, permanent: bool = False):
        super().__init__(message)
        self.code = code
        self.permanent = permanent


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


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes: an SMTP server, or (without one) an outbox folder of .eml files."""

    sender: str
    outbox: Path
    server: str | None = None
    port: int = 587
    use_tls: bool = False
    username: str | None = None
    password: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> MailSettings:
        """``MAIL_*`` settings; the outbox defaults to ``<instance>/outbox``."""
        return cls(
            sender=config.get("MAIL_DEFAULT_SENDER") or DEFAULT_SENDER,
            outbox=Path(config.get("MAIL_OUTBOX") or Path(instance_path) / "outbox"),
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 587),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or "",
        )


def send_mail(
    settings: MailSettings,
    *,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    now: datetime,
) -> Path | None:
    """Send one message. Returns the .eml path when written to the outbox, None when sent by SMTP.

    Raises `MailError` when delivery fails; callers decide whether that matters to the user.
    """
    message = build_message(
        sender=settings.sender, to=to, subject=subject, text=text, html=html, now=now
    )
    if settings.server:
        _send_smtp(settings, message)
        return None
    return _write_outbox(settings.outbox, message, subject, now)


class Courier:
    """Delivers stored messages (RFC 5322 bytes) one by one over one SMTP connection, opened on
    the first message and reused; or writes them to the outbox folder without ``MAIL_SERVER``.

    Use as a context manager. A connection that breaks is dropped, so the next message opens a
    new one; the caller decides whether to go on after a temporary failure.
    """

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Courier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def deliver(self, data: bytes, *, to: str, subject: str, now: datetime) -> Path | None:
        """Send one stored message to `to`; the .eml path when written to the outbox folder."""
        if not self.settings.server:
            return _write_bytes(self.settings.outbox, data, subject, to, now)
        recipients = [address for _, address in getaddresses([to]) if address]
        sender = parseaddr(self.settings.sender)[1] or "inkubator@localhost"
        # smtplib sends bytes as they are: bare LF line ends would make one endless line.
        data = re.sub(rb"\r?\n", b"\r\n", data)
        try:
            self._connection().sendmail(sender, recipients, data)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            code = max(codes) if codes else None
            raise MailError(
                f"the server refused {to}: {_reply(error.recipients)}",
                code=code,
                permanent=bool(codes) and all(is_permanent(c) for c in codes),
            ) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise MailError(
                f"the server answered {error.smtp_code} for {to}: {_text(error.smtp_error)}",
                code=error.smtp_code,
                permanent=is_permanent(error.smtp_code),
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            host, port = self.settings.server, self.settings.port
            raise MailError(f"SMTP delivery to {host}:{port} failed: {error}") from error
        return None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            settings = self.settings
            assert settings.server is not None
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT_S)
            try:
                if settings.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.username:
                    smtp.login(settings.username, settings.password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reply(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {_text(text)}" for code, text in refused.values())


def _send_smtp(settings: MailSettings, message: EmailMessage) -> None:
    host, port = settings.server, settings.port
    assert host is not None
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"SMTP delivery to {host}:{port} failed: {error}") from error


def _write_outbox(outbox: Path, message: EmailMessage, subject: str, now: datetime) -> Path:
    return _write_bytes(outbox, message.as_bytes(policy=SMTP), subject, str(message["To"]), now)


def _write_bytes(outbox: Path, data: bytes, subject: str, to: str, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = f"{stamp}-{slugify(subject) or 'message'}"
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        for attempt in range(100):
            path = outbox / (f"{stem}.eml" if attempt == 0 else f"{stem}-{attempt}.eml")
            try:
                with path.open("xb") as handle:  # never overwrite an earlier message
                    handle.write(data)
            except FileExistsError:
                continue
            log.info("E-mail to %s written to %s", to, path)
            return path
    except OSError as error:
        raise MailError(f"cannot write to the outbox {outbox}: {error}") from error
    raise MailError(f"too many messages with the same name in {outbox}")


def slugify(text: str, max_length: int = 50) -> str:
    """ASCII file-name slug: "Zażółć gęślą jaźń" -> "zazolc-gesla-jazn"."""
    text = text.lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:max_length].rstrip("-")
