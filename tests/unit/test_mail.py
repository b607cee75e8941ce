"""Mail building and sending: outbox files and SMTP, no app."""

from __future__ import annotations

import email
import smtplib
from datetime import UTC, datetime
from email import policy

import pytest

from incubator.services import mail

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
CONFIG = {"MAIL_DEFAULT_SENDER": "Inkubator Ekonomii Społecznej <inkubator@example.org>"}


def send(config, instance_path, **message):
    """`send_mail` with the settings an app with `config` would have."""
    return mail.send_mail(mail.MailSettings.from_config(config, instance_path), **message)


def read_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_outbox_file_keeps_polish_letters(tmp_path) -> None:
    path = send(
        {**CONFIG, "MAIL_OUTBOX": str(tmp_path / "box")},
        str(tmp_path / "instance"),
        to="Łucja Żółć <lucja@example.org>",
        subject="Zażółć gęślą jaźń — potwierdzenie",
        text="Dzień dobry, konsultacja w Piwnicznej-Zdroju się odbędzie.",
        html="<p>Dzień dobry, <b>Łódź</b></p>",
        now=NOW,
    )
    assert path is not None and path.parent == tmp_path / "box"
    assert path.name == "20260329T013000000000Z-zazolc-gesla-jazn-potwierdzenie.eml"
    raw = path.read_bytes()
    assert raw.isascii()  # headers encoded, body transfer-encoded: safe for any mail system
    message = read_eml(path)
    assert str(message["Subject"]) == "Zażółć gęślą jaźń — potwierdzenie"
    assert str(message["From"]) == "Inkubator Ekonomii Społecznej <inkubator@example.org>"
    assert message["To"].addresses[0].display_name == "Łucja Żółć"
    assert message["Message-ID"].endswith("@example.org>")
    text = message.get_body(("plain",))
    assert text.get_content_charset() == "utf-8"
    assert "Piwnicznej-Zdroju" in text.get_content()
    assert "<b>Łódź</b>" in message.get_body(("html",)).get_content()


def test_default_outbox_is_in_the_instance_folder(tmp_path) -> None:
    path = send({}, str(tmp_path), to="a@example.org", subject="Test", text="x", now=NOW)
    assert path is not None and path.parent == tmp_path / "outbox"
    assert read_eml(path)["From"] == mail.DEFAULT_SENDER


def test_same_subject_same_instant_does_not_overwrite(tmp_path) -> None:
    config = {"MAIL_OUTBOX": str(tmp_path)}
    first = send(config, "", to="a@example.org", subject="Ś", text="1", now=NOW)
    second = send(config, "", to="a@example.org", subject="Ś", text="2", now=NOW)
    assert first != second
    assert read_eml(first).get_content().strip() == "1"
    assert read_eml(second).get_content().strip() == "2"


def test_text_only_message_is_not_multipart(tmp_path) -> None:
    path = send(
        {"MAIL_OUTBOX": str(tmp_path)},
        "",
        to="a@example.org",
        subject="x",
        text="tylko tekst",
        now=NOW,
    )
    assert not read_eml(path).is_multipart()


class FakeSMTP:
    instances: list[FakeSMTP] = []

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.calls: list[str] = []
        self.sent = []
        FakeSMTP.instances.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def starttls(self, context=None):
        assert context is not None
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(f"login:{user}:{password}")

    def send_message(self, message):
        self.calls.append("send")
        self.sent.append(message)


@pytest.fixture()
def fake_smtp(monkeypatch):
    FakeSMTP.instances = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def test_smtp_with_starttls_and_login(fake_smtp, tmp_path) -> None:
    config = {
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "inkubator",
        "MAIL_PASSWORD": "sekret",
        "MAIL_OUTBOX": str(tmp_path),
    }
    result = send(config, "", to="a@example.org", subject="Żółw", text="ą", now=NOW)
    assert result is None
    assert list(tmp_path.iterdir()) == []  # nothing written to the outbox
    (smtp,) = fake_smtp.instances
    assert (smtp.host, smtp.port) == ("smtp.example.org", 587)
    assert smtp.calls == ["starttls", "login:inkubator:sekret", "send", "quit"]
    assert str(smtp.sent[0]["Subject"]) == "Żółw"


def test_smtp_without_tls_or_login(fake_smtp) -> None:
    config = {"MAIL_SERVER": "localhost", "MAIL_PORT": 25, "MAIL_USE_TLS": False}
    send(config, "", to="a@example.org", subject="x", text="y", now=NOW)
    assert fake_smtp.instances[0].calls == ["send", "quit"]


def test_smtp_failure_becomes_mail_error(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    with pytest.raises(mail.MailError, match="localhost:25"):
        send(
            {"MAIL_SERVER": "localhost", "MAIL_PORT": 25},
            "",
            to="a@example.org",
            subject="x",
            text="y",
            now=NOW,
        )


@pytest.mark.parametrize(
    ("subject", "slug"),
    [("Zażółć gęślą jaźń", "zazolc-gesla-jazn"), ("ŁÓDŹ!!", "lodz"), ("", ""), ("!!!", "")],
)
def test_slugify(subject: str, slug: str) -> None:
    assert mail.slugify(subject) == slug
