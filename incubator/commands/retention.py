"""`incubator retention --dry-run | --apply`: anonymise people whose data no project must keep."""

from __future__ import annotations

from datetime import UTC, datetime, time

import click
from sqlalchemy.exc import SQLAlchemyError

from ..clock import utcnow
from ..domain.calendar import WARSAW
from ..domain.errors import DomainError
from ..extensions import db
from ..services import retention as service


def _line(decision: service.Decision) -> str:
    verb = "anonymise" if decision.anonymise else "keep"
    projects = ", ".join(
        f"{p.code} (until {p.until.isoformat() if p.until else 'not set'})"
        for p in decision.projects
    )
    why = decision.reason + (f" ({decision.detail})" if decision.detail else "")
    return f"{verb}\t#{decision.person_id}\t{decision.name}\t{why}\t{projects}"


@click.command(
    "retention",
    help="Anonymise the people whose data is past the retention period (Project.retention_until) "
    "of every project they took part in. --dry-run lists who would be anonymised and who is "
    "kept, and why; --apply does it (one transaction per person, each recorded in the audit "
    "trail). Exactly one of the two is required.",
)
@click.option("--dry-run", "mode", flag_value="dry-run", help="List only; change nothing.")
@click.option("--apply", "mode", flag_value="apply", help="Anonymise the people listed.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --dry-run: judge as on this day (YYYY-MM-DD, Europe/Warsaw; default today).",
)
def retention(mode: str | None, day: datetime | None) -> None:
    if mode is None:
        raise click.UsageError("choose --dry-run (list) or --apply (anonymise)")
    now = utcnow()
    if day is not None and mode == "apply":
        raise click.UsageError("--date goes with --dry-run only: --apply acts today")
    if day is not None:
        now = datetime.combine(day.date(), time(12), WARSAW).astimezone(UTC)
    try:
        if mode == "apply":
            decisions = service.apply(db.session, now=now)
        else:
            decisions = service.review(db.session, now=now)
    except service.rules.NoRetentionSettings:
        raise click.ClickException(
            "no project has a retention date (retention_until): set it on each project's page "
            "first; nothing was changed"
        ) from None
    except DomainError as error:
        raise click.ClickException(f"{error.code}: nothing more was changed") from None
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unavailable: {error.__class__.__name__}") from None
    for decision in decisions:
        click.echo(_line(decision))
    to_go = sum(d.anonymise for d in decisions)
    if mode == "apply":
        click.echo(f"Anonymised {to_go} people.", err=True)
    else:
        click.echo(
            f"Would anonymise {to_go}, keep {len(decisions) - to_go} (dry run: nothing changed).",
            err=True,
        )


commands: list[click.Command] = [retention]
