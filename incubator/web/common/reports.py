"""What the reports page and the reports API share: reading the filters from a query string
into a checked scope, the filters in words, and the report's wording in the user's language.

The command line reads the same filters (`incubator.commands.report`) through `scope_for`, so a
bad filter is refused the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ...domain import bounds
from ...domain.counting import Summary, UnknownProject
from ...domain.errors import InvalidInput
from ...exports.pdf.report import PdfMeta
from ...exports.report_data import Filters
from ...services import projects, report_options
from ...services.report_scope import ReportScope, resolve_scope

FILTER_NAMES = ("from", "to", "project", "branch", "include_filia", "area", "expert")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise InvalidInput(field=name, reason="malformed")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field=name, reason="malformed") from None


def _id(args: Mapping[str, str], name: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not bounds.is_id(int(value)):
        raise InvalidInput(field=name, reason="not_an_id")
    return int(value)


def _flag(args: Mapping[str, str], name: str) -> bool:
    value = (args.get(name) or "").strip().lower()
    if not value or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(field=name, reason="not_a_flag")


def scope_for(session: Session, args: Mapping[str, str], today: date) -> ReportScope:
    """The checked scope of a query string (``from``, ``to``, ``project`` by id or code,
    ``branch``, ``include_filia``, ``area`` code, ``expert``). Without a period or a project:
    the project running today, else this month."""
    first, last = _date(args, "from"), _date(args, "to")
    project_arg = (args.get("project") or "").strip()
    project_id = None
    if project_arg:
        if len(project_arg) > 64:
            raise InvalidInput(field="project", reason="too_long")
        project_id = report_options.project_id_for(session, project_arg)
        if project_id is None:
            raise UnknownProject(id=project_arg)
    elif first is None and last is None:
        running = projects.current_project(session, today)
        project_id = running.id if running is not None else None
    area = (args.get("area") or "").strip() or None
    if area is not None and len(area) > 64:
        raise InvalidInput(field="area", reason="too_long")
    return resolve_scope(
        session,
        today=today,
        first_day=first,
        last_day=last,
        project_id=project_id,
        branch_id=_id(args, "branch"),
        include_filia=_flag(args, "include_filia"),
        area_code=area,
        expert_id=_id(args, "expert"),
    )


def scope_args(scope: ReportScope) -> dict[str, str]:
    """The query string that asks for ``scope`` again (for links and downloads)."""
    args = {"from": scope.first_day.isoformat(), "to": scope.last_day.isoformat()}
    if scope.project is not None:
        args["project"] = str(scope.project.id)
    if scope.branch is not None:
        args["branch"] = str(scope.branch.id)
        if not scope.include_filia:
            args["include_filia"] = "0"
    if scope.area is not None:
        args["area"] = scope.area.code
    if scope.expert is not None:
        args["expert"] = str(scope.expert.id)
    return args


def filters_of(scope: ReportScope, locale: str) -> Filters:
    p, b, a, e = scope.project, scope.branch, scope.area, scope.expert
    return Filters(
        project=None
        if p is None
        else {
            "id": p.id,
            "code": p.code,
            "name": p.name,
            "programme": p.programme,
            "contract_number": p.contract_number,
        },
        branch=None if b is None else {"id": b.id, "name": b.name},
        include_filia=scope.include_filia,
        area=None
        if a is None
        else {"code": a.code, "name": a.name_en if locale == "en" else a.name_pl},
        expert=None if e is None else {"id": e.id, "name": e.full_name},
    )


def _area_name(area: Any, locale: str) -> str:
    return area.name_en if locale == "en" else area.name_pl


def pdf_meta(
    scope: ReportScope,
    summary: Summary,
    words: Mapping[str, str],
    locale: str,
    author: str,
    generated: str,
) -> PdfMeta:
    """The PDF's heading lines: incubator, project, period, filters, author, date."""
    filters = filters_of(scope, locale)
    lines = []
    if filters.project:
        lines += [
            (words["project"], filters.project["name"]),
            (words["programme"], summary.scheme.name(locale)),
            (words["contract"], filters.project["contract_number"] or "—"),
        ]
    lines.append((words["period"], f"{scope.first_day.isoformat()} – {scope.last_day.isoformat()}"))
    office = filters.branch["name"] if filters.branch else words["all_offices"]
    if filters.branch and not filters.include_filia:
        office += f" ({words['without_filia']})"
    lines.append((words["office"], office))
    if filters.area:
        lines.append((words["area"], filters.area["name"]))
    if filters.expert:
        lines.append((words["expert"], filters.expert["name"]))
    if not filters.project:
        lines.append((words["scheme"], summary.scheme.name(locale)))
    lines.append((words["author"], author))
    lines.append((words["generated"], generated))
    return PdfMeta(
        incubator=words["incubator"],
        title=words["title"],
        lines=lines,
        page=words["page"],
        decimal="," if locale == "pl" else ".",
    )


# The report's wording, translated when `labels()` is called (in the asker's language).
LABELS = {
    "title": _l("Report on people served"),
    "table.summary": _l("Totals"),
    "table.by_month": _l("By month"),
    "table.by_area": _l("By area"),
    "table.by_branch": _l("By office"),
    "table.by_form": _l("People served by form of support"),
    "col.form": _l("Form of support"),
    "col.participants": _l("Participants (identified people)"),
    "col.anonymous": _l("Anonymous attendees"),
    "col.attendees": _l("All who came"),
    "col.events_held": _l("Events held"),
    "col.sessions_held": _l("Sessions held"),
    "form.advice": _l("Advice"),
    "form.training": _l("Trainings"),
    "form.information_meeting": _l("Information meetings"),
    "form.total": _l("All forms (each person once)"),
    "col.figure": _l("Figure"),
    "col.value": _l("Value"),
    "col.by_month": _l("Month"),
    "col.by_area": _l("Area"),
    "col.by_branch": _l("Office"),
    "col.people": _l("People"),
    "col.consultations_held": _l("Consultations held"),
    "col.people_first_served": _l("People first served"),
    "col.hours": _l("Advisory hours"),
    "figure.people_served": _l("People served"),
    "figure.new_people": _l("New people"),
    "figure.returning_people": _l("Returning people"),
    "figure.incomplete_records": _l("Incomplete records"),
    "figure.consultations_held": _l("Consultations held"),
    "figure.did_not_come": _l("Consultations nobody came to"),
    "figure.absences": _l("Absences (booked, did not come)"),
    "figure.cancelled_in_time": _l("Cancelled in time"),
    "figure.cancelled_late": _l("Cancelled late"),
    "figure.advisory_hours": _l("Advisory hours"),
    "breakdown.gender": _l("Gender"),
    "breakdown.age": _l("Age at first support"),
    "breakdown.labour_status": _l("Labour-market status"),
    "breakdown.education": _l("Education"),
    "breakdown.residence": _l("Place of residence"),
    "breakdown.disability": _l("People with disabilities"),
    "breakdown.minority": _l("National or ethnic minority"),
    "breakdown.third_country": _l("Third-country nationals"),
    "breakdown.foreign_background": _l("Foreign background"),
    "breakdown.homeless": _l("Homeless or excluded from housing"),
    "answer.yes": _l("yes"),
    "answer.no": _l("no"),
    "answer.refused": _l("refused to answer"),
    "answer.rural": _l("rural area"),
    "answer.urban": _l("urban area"),
    "unknown": _l("unknown / no data"),
    "incubator": _l("Social Economy Incubator"),
    "project": _l("Project"),
    "programme": _l("Programme"),
    "contract": _l("Contract number"),
    "period": _l("Period"),
    "scheme": _l("Breakdown scheme"),
    "filters": _l("Filters"),
    "all_offices": _l("all offices"),
    "office": _l("Office"),
    "without_filia": _l("without its branch offices"),
    "area": _l("Area"),
    "expert": _l("Expert"),
    "author": _l("Prepared by"),
    "generated": _l("Generated"),
    "page": _l("Page %(page)s of %(pages)s"),
    "participants": _l("Participants"),
    "col.name": _l("Name"),
    "col.id": _l("ID"),
    "col.first_support": _l("First support"),
    "col.gender": _l("Gender"),
    "col.age_band": _l("Age band"),
    "col.labour_status": _l("Labour-market status"),
    "col.education": _l("Education"),
    "col.complete": _l("Record complete"),
    "col.missing": _l("Missing"),
}


def labels() -> dict[str, str]:
    """The report's wording in the current language (for the exports, which read no request)."""
    return {key: str(text) for key, text in LABELS.items()}
