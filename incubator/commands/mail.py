"""`incubator mail send|status`, `incubator reminders send` and `incubator waitlist process`:
the outbox's sender for cron (or as a long-running service with ``--loop``, which also runs the
waiting list), the day-before reminders, and offering freed times to the people waiting."""

from __future__ import annotations

import logging
import threading
from datetime import date

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from ..clock import utcnow
from ..domain.errors import DomainError
from ..extensions import db
from ..services import outbox, reminders, waitlist
from ..services.booking import policy_from_config
from ..services.mail import MailSettings
from ..services.notifications import NoticeSettings

log = logging.getLogger(__name__)


def send_once(app: Flask) -> outbox.SendReport:
    """One pass of the sender in `app`: every message due now."""
    with app.app_context():
        try:
            settings = MailSettings.from_config(app.config, app.instance_path)
            return outbox.send_due(db.session, settings, now=utcnow())
        finally:
            db.session.remove()


def process_waitlist_once(app: Flask) -> waitlist.ProcessReport:
    """One pass over the waiting list in `app`: lapse run-out offers, offer free times."""
    with app.app_context():
        try:
            return waitlist.process(
                db.session,
                now=utcnow(),
                policy=policy_from_config(app.config),
                notices=NoticeSettings.from_config(app.config),
            )
        finally:
            db.session.remove()


def run_sender(app: Flask, interval: float, stop: threading.Event) -> None:
    """Every `interval` seconds until `stop` is set: pass the waiting list's offers on, then
    send what is due; errors are logged, and the loop goes on (the database or the mail server
    may come back)."""
    while not stop.is_set():
        try:
            process_waitlist_once(app)
        except Exception:  # a background loop must survive anything; the log has it
            log.exception("The waiting list pass failed; trying again in %s s", interval)
        try:
            send_once(app)
        except Exception:  # a background loop must survive anything; the log has it
            log.exception("The e-mail sender failed; trying again in %s s", interval)
        stop.wait(interval)


def start_background_sender(app: Flask, interval: float = 5.0) -> threading.Event:
    """The demo's sender: a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_sender, args=(app, interval, stop), name="outbox-sender", daemon=True
    )
    thread.start()
    return stop


@click.group("mail", help="The outbox of e-mails: send what is due, or show how many wait.")
def mail() -> None:
    pass


@mail.command(
    "send",
    help="Send the e-mails that are due (for cron, e.g. every minute). Failed ones stay queued "
    "with the error and are tried again later; nothing is sent twice.",
)
@click.option(
    "--loop",
    "interval",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Keep running and send every SECONDS (as a service instead of cron).",
)
def send(interval: float | None) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if interval is not None:
        click.echo(f"Sending e-mails every {interval:g} s (Ctrl+C to stop).")
        try:
            run_sender(app, interval, threading.Event())
        except KeyboardInterrupt:
            return
        return
    try:
        report = send_once(app)
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unavailable: {error.__class__.__name__}") from None
    click.echo(f"Sent {report.sent}, to retry {report.retrying}, failed {report.failed}.")
    for line in report.errors[:10]:
        click.echo(f"  {line}", err=True)
    if report.retrying or report.failed:
        raise SystemExit(1)


@mail.command("status", help="How many e-mails are queued, sent and failed.")
def status() -> None:
    counts = outbox.counts(db.session)
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()))


@click.group("reminders", help="Reminders of consultations, the day before.")
def reminders_group() -> None:
    pass


@reminders_group.command(
    "send",
    help="Queue reminders for the consultations on DATE (default: tomorrow, Europe/Warsaw): an "
    "e-mail to every attendee with an address, the 'to call' list for the others. Run it daily "
    "(cron), then `incubator mail send`; running it twice reminds nobody twice.",
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="The day of the consultations (default: tomorrow).",
)
def reminders_send(day) -> None:
    now = utcnow()
    wanted: date = day.date() if day is not None else reminders.default_day(now)
    try:
        run = reminders.queue_reminders(
            db.session, wanted, now=now, settings=NoticeSettings.from_config(current_app.config)
        )
    except DomainError as error:
        if error.params.get("reason") == "past_day":
            raise click.ClickException(f"{wanted} is in the past; nothing was queued.") from None
        raise click.ClickException(str(error)) from None
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unavailable: {error.__class__.__name__}") from None
    if not run.consultations:
        click.echo(f"No booked consultations on {wanted}: nothing to send.")
        return
    already = "" if run.queued else " (all reminded already)"
    click.echo(
        f"{wanted}: {run.consultations} consultation(s), {run.emails} e-mail(s) queued, "
        f"{run.calls} person(s) added to the list to call{already}."
    )


@click.group("waitlist", help="The waiting list for consultations.")
def waitlist_group() -> None:
    pass


@waitlist_group.command(
    "process",
    help="Close offers whose hold ran out (the slot passes on) and offer free times to the "
    "people waiting, first come first served (for cron, e.g. every 5 minutes, before `incubator "
    "mail send`; `mail send --loop` and the demo do it on every pass). Safe to run repeatedly.",
)
def waitlist_process() -> None:
    try:
        report = process_waitlist_once(current_app._get_current_object())  # type: ignore[attr-defined]
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unavailable: {error.__class__.__name__}") from None
    click.echo(f"Offers run out: {report.expired}; new offers: {report.offered}.")


commands: list[click.Command] = [mail, reminders_group, waitlist_group]
