"""The sender against a real SMTP server on loopback (aiosmtpd) and the outbox folder: a
booking commits while the server is down, its e-mails arrive once it is back, and nothing is
sent twice; a refused address fails for good and lands on the list to call."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from incubator.domain.notifications import MAX_ATTEMPTS
from incubator.models import CallTask, OutboxMessage
from incubator.services import booking, outbox
from incubator.services.booking import BookingRequest
from incubator.services.mail import MailSettings
from tests.factories import create_branch, create_client, create_domain, create_expert, create_rule
from tests.helpers import NOTICES, NOW, POLICY, WED, local


class Recorder:
    """An SMTP handler that keeps what it receives and refuses addresses at nobody.example."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@nobody.example"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real SMTP server that a test can stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture()
def smtp() -> Iterator[Server]:
    server = Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def settings_for(server: Server, tmp_path: Path) -> MailSettings:
    return MailSettings(
        sender="Inkubator Ekonomii Społecznej <inkubator@ies.example.pl>",
        outbox=tmp_path / "outbox",
        server="127.0.0.1",
        port=server.port,
        use_tls=False,
    )


@pytest.fixture()
def world(db):
    klucze = create_branch(code="klucze", name="Klucze")
    law = create_domain(code="law", name_pl="Prawo", name_en="Law")
    expert = create_expert(domains=[law], branches=[klucze], full_name="Anna Żółkiewska")
    create_rule(expert, klucze, weekday=WED.weekday())
    return {"klucze": klucze, "expert": expert}


def book(db, world, client, hour: int = 9):
    request = BookingRequest(
        expert_id=world["expert"].id, branch_id=world["klucze"].id, domain_code="law",
        start=local(WED, hour),
    )  # fmt: skip
    return booking.book(db.session, request, actor=client, now=NOW, notices=NOTICES, policy=POLICY)


def rows(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_booking_commits_while_the_server_is_down_and_arrives_once_it_is_back(
    db, world, smtp: Server, tmp_path: Path
) -> None:
    settings = settings_for(smtp, tmp_path)
    smtp.stop()
    client = create_client(full_name="Łucja Wiśniewska", email="lucja@example.org")
    consultation = book(db, world, client)  # committed, whatever the mail server does
    report = outbox.send_due(db.session, settings, now=NOW)
    assert (report.sent, report.retrying, report.failed) == (0, 2, 0)
    for row in rows(db):
        assert row.status == "queued" and row.attempts == 1
        assert "failed" in row.last_error and row.next_attempt_at_dt == NOW + timedelta(minutes=1)
        assert row.consultation_id == consultation.id
    smtp.start()
    assert outbox.send_due(db.session, settings, now=NOW).total == 0  # not due yet: back-off
    later = NOW + timedelta(minutes=1)
    assert outbox.send_due(db.session, settings, now=later).sent == 2
    assert sorted(to for tos, _ in smtp.recorder.received for to in tos) == sorted(
        [world["expert"].email, "lucja@example.org"]
    )
    assert outbox.send_due(db.session, settings, now=later + timedelta(hours=1)).total == 0
    assert len(smtp.recorder.received) == 2  # nothing sent twice
    assert {r.status for r in rows(db)} == {"sent"}
    received = email.message_from_bytes(smtp.recorder.received[-1][1], policy=policy.default)
    assert "Konsultacja zarezerwowana" in received["Subject"]


def test_an_address_the_server_refuses_fails_for_good_and_goes_on_the_call_list(
    db, world, smtp: Server, tmp_path: Path
) -> None:
    client = create_client(full_name="Jerzy Bąk", email="jerzy@nobody.example", phone="600 1")
    book(db, world, client)
    report = outbox.send_due(db.session, settings_for(smtp, tmp_path), now=NOW)
    assert (report.sent, report.failed) == (1, 1)  # the expert's went; the client's cannot
    failed = next(r for r in rows(db) if r.status == "failed")
    assert failed.recipient_id == client.id and "550" in failed.last_error
    task = db.session.scalar(select(CallTask))
    assert (task.user_id, task.kind) == (client.id, "email_failed")
    again = outbox.send_due(db.session, settings_for(smtp, tmp_path), now=NOW + timedelta(days=1))
    assert again.total == 0 and len(smtp.recorder.received) == 1


def test_the_sender_gives_up_after_the_last_attempt(db, world, smtp: Server, tmp_path) -> None:
    settings = settings_for(smtp, tmp_path)
    smtp.stop()
    book(db, world, create_client(email="a@example.org"))
    for row in rows(db):
        row.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    report = outbox.send_due(db.session, settings, now=NOW)
    assert report.failed == 2 and {r.status for r in rows(db)} == {"failed"}


def test_a_claimed_message_is_not_taken_by_a_second_sender(db, world, tmp_path) -> None:
    book(db, world, create_client(email="a@example.org"))
    first = outbox._claim(db.session, NOW, 10)
    assert len(first) == 2
    assert outbox._claim(db.session, NOW, 10) == []  # a second sender finds nothing
    assert len(outbox._claim(db.session, NOW + outbox.CLAIM + timedelta(seconds=1), 10)) == 2


def test_without_a_server_messages_become_eml_files_once(db, world, tmp_path: Path) -> None:
    settings = MailSettings(sender="Inkubator <inkubator@localhost>", outbox=tmp_path / "outbox")
    book(db, world, create_client(full_name="Łucja Wiśniewska", email="lucja@example.org"))
    assert outbox.send_due(db.session, settings, now=NOW).sent == 2
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    parsed = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {str(m["To"]) for m in parsed} >= {"Łucja Wiśniewska <lucja@example.org>"}
    assert outbox.send_due(db.session, settings, now=NOW + timedelta(hours=1)).total == 0
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
    assert outbox.counts(db.session) == {"queued": 0, "sent": 2, "failed": 0}
