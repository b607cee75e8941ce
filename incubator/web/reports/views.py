"""The manager's reports: people served and the figures around them, on screen and as files.

Managers only (experts and clients get 403). The filters live in the query string, so a view
can be bookmarked and the download links carry the same ones. A bad filter re-renders the form
with the message (422), nothing counted. Every view or export writes an audit entry
(`report.exported`, `participants.exported`): who asked for what, never the data.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from ...clock import utcnow
from ...domain.calendar import local_date
from ...domain.errors import DomainError
from ...exports import report_data, tables
from ...exports.pdf.report import report_pdf
from ...extensions import db
from ...services import directory, projects, report_options
from ...services.group_funnel import group_funnel
from ...services.report_scope import ReportScope
from ..common.access import current_actor, managers_only
from ..common.client import client_ip
from ..common.errors import message_for, status_for
from ..common.reports import labels, pdf_meta, scope_args, scope_for
from .chart import ChartText, monthly_svg

bp = Blueprint("reports", __name__)

MEDIA = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


bp.before_request(managers_only)  # log in first, then managers only (403 for the others)


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _audit(action: str, scope: ReportScope, fmt: str) -> None:
    report_options.record_export(
        db.session,
        actor=current_actor(),
        action=action,
        scope=scope,
        fmt=fmt,
        now=utcnow(),
        ip=client_ip(),
    )


def _choices() -> dict[str, Any]:
    return {
        "projects": projects.list_projects(db.session),
        "branches": directory.branch_tree(db.session),
        "areas": directory.domains(db.session),
        "experts": directory.experts_for(db.session),
    }


def _refused(template: str, error: DomainError) -> ResponseReturnValue:
    return (
        render_template(
            template, error=message_for(error), scope=None, args=request.args, **_choices()
        ),
        status_for(error),
    )


@bp.get("/")
def index() -> ResponseReturnValue:
    """The figures, the monthly chart and every table for the filters in the URL."""
    try:
        scope = scope_for(db.session, request.args, local_date(utcnow()))
    except DomainError as error:
        return _refused("reports/index.html", error)
    settings = report_options.settings_from_config(current_app.config)
    summary = report_options.count(db.session, scope, settings)
    _audit(report_options.REPORT_EXPORTED, scope, "html")
    locale = _locale()
    text = ChartText(
        title=_("Consultations held and people first served, by month"),
        description=_("The same figures are in the table “By month” next to the chart."),
        held=_("Consultations held"),
        people=_("People first served"),
    )
    return render_template(
        "reports/index.html",
        scope=scope,
        args=scope_args(scope),
        summary=summary,
        tables=report_data.tables(summary, labels(), locale),
        chart=monthly_svg(summary.by_month, text),
        groups=group_funnel(
            db.session,
            first_day=scope.first_day,
            last_day=scope.last_day,
            branch_ids=scope.branch_ids,
        ),
        locale=locale,
        error=None,
        **_choices(),
    )


FORMATS = ("pdf", "csv", "xlsx")


@bp.get("/raport.<fmt>")
def download(fmt: str) -> ResponseReturnValue:
    """The report as PDF (for the funder), CSV or XLSX, for the same filters as the page."""
    if fmt not in FORMATS:
        abort(404)
    try:
        scope = scope_for(db.session, request.args, local_date(utcnow()))
    except DomainError as error:
        return _refused("reports/index.html", error)
    settings = report_options.settings_from_config(current_app.config)
    summary = report_options.count(db.session, scope, settings)
    locale, words = _locale(), labels()
    parts = report_data.tables(summary, words, locale)
    if fmt == "pdf":
        meta = pdf_meta(scope, summary, words, locale, current_actor().full_name, _generated())
        body = report_pdf(parts, meta)
    elif fmt == "csv":
        body = tables.csv_bytes(parts)
    else:
        body = tables.xlsx_bytes(parts)
    _audit(report_options.REPORT_EXPORTED, scope, fmt)
    name = f"raport_{scope.first_day.isoformat()}_{scope.last_day.isoformat()}.{fmt}"
    return _file(body, fmt, name)


def _generated() -> str:
    return format_datetime(utcnow(), "short")


def _file(body: bytes, fmt: str, name: str) -> Response:
    response = Response(body, mimetype=MEDIA[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/uczestnicy")
def participants() -> ResponseReturnValue:
    """The people served in scope (only the incomplete records with ``incomplete=1``)."""
    try:
        scope = scope_for(db.session, request.args, local_date(utcnow()))
    except DomainError as error:
        return _refused("reports/participants.html", error)
    incomplete = request.args.get("incomplete") == "1"
    rows = report_options.participants(db.session, scope, incomplete_only=incomplete)
    _audit(report_options.PARTICIPANTS_EXPORTED, scope, "html")
    return render_template(
        "reports/participants.html",
        scope=scope,
        args=scope_args(scope),
        rows=rows,
        incomplete=incomplete,
        labels=labels(),
        error=None,
        **_choices(),
    )


@bp.get("/uczestnicy.<fmt>")
def participants_download(fmt: str) -> ResponseReturnValue:
    """The participant list as CSV or XLSX (managers only, audited)."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    try:
        scope = scope_for(db.session, request.args, local_date(utcnow()))
    except DomainError as error:
        return _refused("reports/participants.html", error)
    incomplete = request.args.get("incomplete") == "1"
    rows = report_options.participants(db.session, scope, incomplete_only=incomplete)
    settings = report_options.settings_from_config(current_app.config)
    table = tables.participants_table(rows, settings.schemes, scope, labels(), _locale())
    body = tables.csv_bytes([table]) if fmt == "csv" else tables.xlsx_bytes([table])
    _audit(report_options.PARTICIPANTS_EXPORTED, scope, fmt)
    name = f"uczestnicy_{scope.first_day.isoformat()}_{scope.last_day.isoformat()}.{fmt}"
    return _file(body, fmt, name)
