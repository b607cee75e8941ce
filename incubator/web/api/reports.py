"""`GET /api/v1/reports/summary`: the report of people served as JSON (managers only).

The same filters as the reports page (`web.common.reports.scope_for`) and the same shape as
``incubator report --format json`` (`exports.report_data.summary_json`). Registered on the API
blueprint from here so the report stays apart from the booking views.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...clock import utcnow
from ...domain.calendar import local_date
from ...exports.report_data import summary_json
from ...extensions import db
from ...services import projects, report_options
from ...services.group_funnel import group_funnel
from ..common.access import current_actor
from ..common.client import client_ip
from ..common.reports import filters_of, labels, scope_for
from .responses import json_error, login_required
from .views import bp


@bp.get("/reports/summary")
@login_required
def report_summary() -> Response | tuple[Response, int]:
    """People served and every figure around them for the filters in the query string."""
    if not current_user.is_manager:
        return json_error(403, "forbidden", _("Only managers can see reports."))
    scope = scope_for(db.session, request.args, local_date(utcnow()))
    settings = report_options.settings_from_config(current_app.config)
    summary = report_options.count(db.session, scope, settings)
    report_options.record_export(
        db.session,
        actor=current_actor(),
        action=report_options.REPORT_EXPORTED,
        scope=scope,
        fmt="json",
        now=utcnow(),
        ip=client_ip(),
    )
    groups = group_funnel(
        db.session,
        first_day=scope.first_day,
        last_day=scope.last_day,
        branch_ids=scope.branch_ids,
    )
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return jsonify(summary_json(summary, filters_of(scope, locale), labels(), locale, groups))


@bp.get("/projects")
@login_required
def projects_list() -> Response | tuple[Response, int]:
    """The funded projects, for the summary's ``project`` filter (managers only)."""
    if not current_user.is_manager:
        return json_error(403, "forbidden", _("Only managers can see reports."))
    return jsonify(
        [
            {
                "id": p.id,
                "code": p.code,
                "name": p.name,
                "programme": p.programme,
                "contract_number": p.contract_number,
                "start_date": p.start_date.isoformat(),
                "end_date": p.end_date.isoformat(),
                "retention_until": p.retention_until.isoformat() if p.retention_until else None,
                "branch_ids": [b.id for b in p.branches],
            }
            for p in projects.list_projects(db.session)
        ]
    )
