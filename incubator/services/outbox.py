"""The outbox: queue a message inside the caller's transaction; send what is due after commit.

Queueing is part of the change it reports (a booking, a move, a reminder run): both commit, or
neither does, so a message is never lost to a crash between the two and never describes a change
that was rolled back. Every message has a unique key (consultation, kind, sequence, recipient);
queueing the same key again does nothing, so re-running a command sends nothing twice.

`send_due` runs after commit, from `incubator mail send` (cron, or ``--loop``) and from the
demo's background sender. It claims a batch for a few minutes (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL; SQLite serialises writers), delivers each message, and records the result: sent;
queued again with the error and a later attempt (temporary failures, doubling back-off); or
failed for good (the server refused the address, or too many attempts), which puts the person
on the "to call" list so nobody goes unwarned. A sender that dies after the server accepted a
message but before recording it sends that message again once the claim runs out: delivery is
at least once, with the same Message-ID, which mail programs use to drop the duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.notifications import NoticeKind, gives_up, retry_delay
from ..models import OutboxMessage, OutboxStatus
from . import call_list
from .mail import Courier, MailError, MailSettings
from .transactions import write

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
BATCH = 50
# Messages that carry a secret (a password link): their body is dropped once sent, so the
# outbox does not keep working links.
SECRET_KINDS = frozenset({"account.reset_password", "account.set_password"})
# Set in `session.info` when a write queued a message, so the web layer can start a send pass
# once the response has gone out (`flush_after_response`).
QUEUED_FLAG = "outbox_queued"


def insert_once(session: Session, model: type, values: dict) -> bool:
    """INSERT unless a row with the same unique key exists; True when inserted.

    ``ON CONFLICT DO NOTHING`` on both engines, so a duplicate neither fails nor aborts the
    caller's transaction (a PostgreSQL error would).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(model.id)  # (rowcount is -1 with psycopg here; a returned id is certain)
    )
    return session.execute(statement).first() is not None


def queue(
    session: Session,
    *,
    key: str,
    kind: str,
    to_address: str,
    subject: str,
    message: bytes,
    now: datetime,
    recipient_id: int | None = None,
    consultation_id: int | None = None,
) -> bool:
    """Add a message to the outbox in the caller's transaction (False: already there)."""
    session.info[QUEUED_FLAG] = True
    return insert_once(
        session,
        OutboxMessage,
        {
            "key": key[:200],
            "kind": kind,
            "to_address": to_address[:400],
            "subject": subject[:300],
            "message": message,
            "recipient_id": recipient_id,
            "consultation_id": consultation_id,
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at_dt": now,
            "last_error": "",
            "created_at_dt": now,
        },
    )


def queue_alone(session: Session, **message: Any) -> bool:
    """`queue` in a transaction of its own, for a message that follows no other change (a
    password link, the notice about a second registration)."""
    with write(session):
        return queue(session, **message)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed


def send_due(
    session: Session, settings: MailSettings, *, now: datetime, limit: int = 500
) -> SendReport:
    """Deliver every message due at `now` (at most `limit`), one batch at a time."""
    report = SendReport()
    with Courier(settings) as courier:
        while report.total < limit:
            batch = _claim(session, now, min(BATCH, limit - report.total))
            if not batch:
                break
            for position, message_id in enumerate(batch):
                unreachable = _deliver_one(session, courier, message_id, now, report)
                if unreachable is not None:
                    # The server cannot be reached: the rest of the batch would only wait for
                    # the same time-out, one by one. They are put back with the same error.
                    for rest in batch[position + 1 :]:
                        _record_failure(session, rest, unreachable, now, report)
                    return report
    return report


def _claim(session: Session, now: datetime, size: int) -> list[int]:
    """Take up to `size` due messages for this sender until ``now + CLAIM``."""
    with write(session):
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.QUEUED,
                OutboxMessage.next_attempt_at_dt <= now,
                or_(
                    OutboxMessage.claimed_until_dt.is_(None),
                    OutboxMessage.claimed_until_dt < now,
                ),
            )
            .order_by(OutboxMessage.next_attempt_at_dt, OutboxMessage.id)
            .limit(size)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if ids:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(claimed_until_dt=now + CLAIM)
            )
    return ids


def _deliver_one(
    session: Session, courier: Courier, message_id: int, now: datetime, report: SendReport
) -> MailError | None:
    """Deliver one claimed message and record how it went; the error when the server could not
    be reached at all (no SMTP reply), so the caller stops trying for now."""
    row = session.get(OutboxMessage, message_id)
    assert row is not None  # claimed a moment ago; outbox rows are never deleted by a sender
    data, to, subject, kind = row.message, row.to_address, row.subject, row.kind
    session.rollback()  # no transaction held open while talking to the mail server
    try:
        courier.deliver(data, to=to, subject=subject, now=now)
    except MailError as error:
        _record_failure(session, message_id, error, now, report)
        return error if error.code is None else None
    with write(session):
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                status=OutboxStatus.SENT,
                sent_at_dt=now,
                claimed_until_dt=None,
                **({"message": b""} if kind in SECRET_KINDS else {}),
            )
        )
    report.sent += 1
    return None


def _record_failure(
    session: Session, message_id: int, error: MailError, now: datetime, report: SendReport
) -> None:
    with write(session):
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        row.attempts += 1
        row.last_error = str(error)[:500]
        row.claimed_until_dt = None
        if error.permanent or gives_up(row.attempts):
            row.status = OutboxStatus.FAILED
            if row.recipient_id is not None:
                call_list.add(
                    session,
                    key=f"outbox:{row.id}",
                    kind=NoticeKind.EMAIL_FAILED,
                    user_id=row.recipient_id,
                    consultation_id=row.consultation_id,
                    note=row.subject,
                    now=now,
                )
            report.failed += 1
            log.error("E-mail %s to %s failed for good: %s", row.id, row.to_address, error)
        else:
            row.next_attempt_at_dt = now + retry_delay(row.attempts)
            report.retrying += 1
            log.warning(
                "E-mail %s to %s not sent (attempt %s), next try at %s: %s",
                row.id, row.to_address, row.attempts, row.next_attempt_at_dt.isoformat(), error,
            )  # fmt: skip
    report.errors.append(str(error))


def status_of(session: Session, key: str) -> str | None:
    """The state of the message with this key (None: no such message)."""
    return session.scalar(select(OutboxMessage.status).where(OutboxMessage.key == key))


def counts(session: Session) -> dict[str, int]:
    """Messages per status, for `incubator mail status` and the manager's overview."""
    rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    found = {status: 0 for status in OutboxStatus}
    found.update({status: n for status, n in rows})
    return {str(k): v for k, v in found.items()}
