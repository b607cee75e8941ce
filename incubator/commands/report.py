"""`incubator report`: the report of people served from the command line.

The same filters and the same JSON as ``GET /api/v1/reports/summary``; ``--format csv|xlsx|pdf``
writes the same files as the reports page. Binary output goes to ``-o FILE``, or to stdout only
when stdout is not a terminal (a pipe or a redirect). Progress goes to stderr; a bad filter ends
as one line on stderr and exit status 1, nothing written.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, format_datetime

from ..clock import utcnow
from ..domain.calendar import local_date
from ..domain.errors import DomainError
from ..exports import report_data, tables
from ..exports.pdf.report import report_pdf
from ..extensions import db
from ..services import report_options


def _render(args: dict[str, str], fmt: str, locale: str, author: str) -> bytes:
    # The wording and the messages are the web layer's translations (one table each).
    from ..services.group_funnel import group_funnel
    from ..web.common.errors import message_for
    from ..web.common.reports import filters_of, labels, pdf_meta, scope_for

    with current_app.test_request_context(), force_locale(locale):
        try:
            scope = scope_for(db.session, args, local_date(utcnow()))
        except DomainError as error:
            raise click.ClickException(message_for(error)) from None
        click.echo(f"Counting {scope.first_day}..{scope.last_day}...", err=True)
        settings = report_options.settings_from_config(current_app.config)
        summary = report_options.count(db.session, scope, settings)
        words = labels()
        if fmt == "json":
            groups = group_funnel(
                db.session,
                first_day=scope.first_day,
                last_day=scope.last_day,
                branch_ids=scope.branch_ids,
            )
            data = report_data.summary_json(
                summary, filters_of(scope, locale), words, locale, groups
            )
            body = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif fmt == "pdf":
            generated = format_datetime(datetime.now(UTC), "short")
            meta = pdf_meta(scope, summary, words, locale, author, generated)
            body = report_pdf(report_data.tables(summary, words, locale), meta)
        elif fmt == "csv":
            body = tables.csv_bytes(report_data.tables(summary, words, locale))
        else:
            body = tables.xlsx_bytes(report_data.tables(summary, words, locale))
        report_options.record_export(
            db.session,
            actor=None,
            action=report_options.REPORT_EXPORTED,
            scope=scope,
            fmt=f"cli-{fmt}",
            now=utcnow(),
        )
    return body


@click.command("report", help="Print or write the report of people served.")
@click.option("--from", "first", metavar="YYYY-MM-DD", help="First day (default: the project's).")
@click.option("--to", "last", metavar="YYYY-MM-DD", help="Last day (default: the project's).")
@click.option("--project", metavar="ID|CODE", help="A funded project, by id or code.")
@click.option("--branch", metavar="ID", help="An office (with its branch offices).")
@click.option("--exclude-filia", is_flag=True, help="Leave out the office's branch offices.")
@click.option("--area", metavar="CODE", help="A consultation area, by code.")
@click.option("--expert", metavar="ID", help="An expert, by user id.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "pdf"]),
    default="json",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--lang", type=click.Choice(["pl", "en"]), default="pl", show_default=True)
@click.option("--author", default="", help="The name printed as the PDF's author.")
@with_appcontext
def report(
    first: str | None,
    last: str | None,
    project: str | None,
    branch: str | None,
    exclude_filia: bool,
    area: str | None,
    expert: str | None,
    fmt: str,
    output: str | None,
    lang: str,
    author: str,
) -> None:
    """Without --from/--to/--project: the project running today, else this month."""
    if fmt in ("xlsx", "pdf") and output is None and sys.stdout.isatty():
        raise click.ClickException(f"{fmt.upper()} is binary: give -o FILE or redirect stdout")
    args = {
        "from": first or "",
        "to": last or "",
        "project": project or "",
        "branch": branch or "",
        "include_filia": "0" if exclude_filia else "1",
        "area": area or "",
        "expert": expert or "",
    }
    body = _render(args, fmt, lang, author or "incubator report")
    if output:
        with open(output, "wb") as handle:
            handle.write(body)
        click.echo(f"Wrote {output} ({len(body)} bytes).", err=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()


commands = [report]
