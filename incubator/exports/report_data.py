"""A counted report as plain data: the JSON of the API and the command line, and the tables
every export (PDF, CSV, XLSX) and the page show.

The wording comes in as ``labels`` (already translated by the caller, who knows the language);
nothing here reads a request. Answer-field lines (yes / no / refused, rural / urban) carry only
their code in the summary and are named from ``labels`` here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..domain.counting import Breakdown, Line, Share, Summary
from ..domain.group_funnel import Funnel
from ..domain.support_forms import EVENT_FORMS, FormFigures, ServedByForm

# The breakdowns in the order they are shown, and their JSON names.
BREAKDOWN_KEYS = {
    "gender": "by_gender",
    "age": "by_age_band",
    "labour_status": "by_labour_status",
    "education": "by_education",
    "residence": "by_residence",
    "disability": "by_disability",
    "minority": "by_minority",
    "third_country": "by_third_country",
    "foreign_background": "by_foreign_background",
    "homeless": "by_homeless",
}
ANSWER_DIMENSIONS = {
    "residence",
    "disability",
    "minority",
    "third_country",
    "foreign_background",
    "homeless",
}
HEADLINES = (
    "people_served",
    "new_people",
    "returning_people",
    "incomplete_records",
    "consultations_held",
    "did_not_come",
    "absences",
    "cancelled_in_time",
    "cancelled_late",
    "advisory_hours",
)


@dataclass(frozen=True)
class Filters:
    """What the report was asked for, in words (for titles, the PDF and the JSON)."""

    project: Mapping[str, Any] | None = None
    branch: Mapping[str, Any] | None = None
    include_filia: bool = True
    area: Mapping[str, Any] | None = None
    expert: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


def line_name(dimension: str, line: Line, labels: Mapping[str, str], locale: str) -> str:
    if dimension in ANSWER_DIMENSIONS:
        return labels.get(f"answer.{line.code}", line.code)
    return line.name(locale)


def _breakdown_json(
    dimension: str, b: Breakdown, labels: Mapping[str, str], locale: str
) -> dict[str, Any]:
    return {
        "lines": [
            {
                "code": line.code,
                "name": line_name(dimension, line, labels, locale),
                "count": line.count,
            }
            for line in b.lines
        ],
        "unknown": b.unknown,
    }


def _share_json(share: Share, locale: str, key_name: str) -> dict[str, Any]:
    return {
        key_name: int(share.key) if key_name == "id" else share.key,
        "name": share.name(locale),
        "people": share.people,
        "consultations_held": share.consultations_held,
        "advisory_hours": share.hours,
    }


def funnel_json(f: Funnel) -> dict[str, Any]:
    """The founding groups formed in the period (issue #12): per current stage and legal form
    (every code, zeros included), registered, conversion (a fraction, null without groups)
    and the median days from formation to registration (null without registrations)."""
    return {
        "formed": f.formed,
        "by_stage": dict(f.by_stage),
        "by_legal_form": dict(f.by_legal_form),
        "registered": f.registered,
        "conversion": f.conversion,
        "median_days_to_registration": f.median_days_to_registration,
    }


NOT_APPLICABLE = "—"


def forms_json(forms: ServedByForm, labels: Mapping[str, str], locale: str) -> dict[str, Any]:
    """People served per form (issue #14): ``by_form`` gives each form's attendees (a meeting's
    registered people who came plus its head counts), ``anonymous_attendees`` the head counts
    apart, ``people_served_total`` the identified people across forms, each once (no head
    counts); ``events`` each event form's figures and the scheme's breakdowns of its people."""
    events = {}
    for form in EVENT_FORMS:
        f = forms.of(form)
        events[form] = {
            "people": f.people,
            "anonymous_attendees": f.anonymous,
            "attendees": f.attendees,
            "events_held": f.events_held,
            "sessions_held": f.sessions_held,
            **{
                key: _breakdown_json(dimension, f.breakdowns[dimension], labels, locale)
                for dimension, key in BREAKDOWN_KEYS.items()
                if dimension in f.breakdowns
            },
        }
    return {
        "by_form": forms.by_form(),
        "anonymous_attendees": forms.anonymous_attendees,
        "people_served_total": forms.people_served_total,
        "events": events,
    }


def summary_json(
    s: Summary,
    filters: Filters,
    labels: Mapping[str, str],
    locale: str,
    groups: Funnel | None = None,
) -> dict[str, Any]:
    """The report as the API and ``incubator report --format json`` give it; with ``groups``,
    the founding-group funnel of the same offices and period."""
    data: dict[str, Any] = {
        "period": {"from": s.first_day.isoformat(), "to": s.last_day.isoformat()},
        "scheme": {"code": s.scheme.code, "name": s.scheme.name(locale)},
        "filters": {
            "project": filters.project,
            "branch": filters.branch,
            "include_filia": filters.include_filia,
            "area": filters.area,
            "expert": filters.expert,
        },
        "people_served": s.people_served,
        "new_people": s.new_people,
        "returning_people": s.returning_people,
        "incomplete_records": s.incomplete_records,
        "consultations_held": s.consultations_held,
        "did_not_come": s.did_not_come,
        "absences": s.absences,
        "cancellations": {"in_time": s.cancelled_in_time, "late": s.cancelled_late},
        "advisory_hours": s.advisory_hours,
        "by_area": [_share_json(a, locale, "code") for a in s.by_area],
        "by_branch": [_share_json(b, locale, "id") for b in s.by_branch],
        "by_month": [
            {
                "month": m.key,
                "people_first_served": m.people,
                "consultations_held": m.consultations_held,
                "advisory_hours": m.hours,
            }
            for m in s.by_month
        ],
    }
    for dimension, key in BREAKDOWN_KEYS.items():
        if dimension in s.breakdowns:
            data[key] = _breakdown_json(dimension, s.breakdowns[dimension], labels, locale)
    if s.forms is not None:
        data.update(forms_json(s.forms, labels, locale))
    if groups is not None:
        data["groups"] = funnel_json(groups)
    return data


def headline_value(s: Summary, name: str) -> int | float:
    if name == "cancelled_in_time":
        return s.cancelled_in_time
    if name == "cancelled_late":
        return s.cancelled_late
    return getattr(s, name)


def _share_table(key: str, shares, labels: Mapping[str, str], locale: str) -> Table:
    headers = (
        labels[f"col.{key}"],
        labels["col.people"],
        labels["col.consultations_held"],
        labels["col.hours"],
    )
    rows = [(x.name(locale), x.people, x.consultations_held, x.hours) for x in shares]
    return Table(key, labels[f"table.{key}"], headers, rows)


def _form_row(f: FormFigures, labels: Mapping[str, str]) -> tuple[Any, ...]:
    held = (f.events_held, f.sessions_held) if f.form in EVENT_FORMS else (NOT_APPLICABLE,) * 2
    return (labels[f"form.{f.form}"], f.people, f.anonymous, f.attendees, *held)


def forms_table(forms: ServedByForm, labels: Mapping[str, str]) -> Table:
    """People served per form, and the total across forms (each person once; the head counts
    beside it, never in it)."""
    headers = tuple(
        labels[k]
        for k in (
            "col.form",
            "col.participants",
            "col.anonymous",
            "col.attendees",
            "col.events_held",
            "col.sessions_held",
        )
    )
    rows = [_form_row(f, labels) for f in forms.forms]
    rows.append(
        (
            labels["form.total"],
            forms.people_served_total,
            forms.anonymous_attendees,
            NOT_APPLICABLE,
            NOT_APPLICABLE,
            NOT_APPLICABLE,
        )
    )
    return Table("by_form", labels["table.by_form"], headers, rows)


def _breakdown_table(
    s: Summary, dimension: str, labels: Mapping[str, str], locale: str
) -> Table | None:
    """One breakdown: a column of people per form (advice alone without ``forms``)."""
    b = s.breakdowns.get(dimension)
    if b is None:
        return None
    columns = [b]
    headers = [labels[f"breakdown.{dimension}"], labels["col.people"]]
    if s.forms is not None:
        headers[1] = labels["form.advice"]
        for form in EVENT_FORMS:
            columns.append(s.forms.of(form).breakdowns.get(dimension, b))
            headers.append(labels[f"form.{form}"])
    rows: list[tuple[Any, ...]] = [
        (line_name(dimension, line, labels, locale), *(c.lines[i].count for c in columns))
        for i, line in enumerate(b.lines)
    ]
    rows.append((labels["unknown"], *(c.unknown for c in columns)))
    return Table(dimension, labels[f"breakdown.{dimension}"], tuple(headers), rows)


def tables(s: Summary, labels: Mapping[str, str], locale: str) -> list[Table]:
    """Every table of the report, in the order the page, the PDF and the exports show them."""
    result = [
        Table(
            "summary",
            labels["table.summary"],
            (labels["col.figure"], labels["col.value"]),
            [(labels[f"figure.{n}"], headline_value(s, n)) for n in HEADLINES],
        ),
        Table(
            "by_month",
            labels["table.by_month"],
            (
                labels["col.by_month"],
                labels["col.consultations_held"],
                labels["col.people_first_served"],
                labels["col.hours"],
            ),
            [(m.key, m.consultations_held, m.people, m.hours) for m in s.by_month],
        ),
        _share_table("by_area", s.by_area, labels, locale),
        _share_table("by_branch", s.by_branch, labels, locale),
    ]
    if s.forms is not None:
        result.insert(1, forms_table(s.forms, labels))
    for dimension in BREAKDOWN_KEYS:
        table = _breakdown_table(s, dimension, labels, locale)
        if table is not None:
            result.append(table)
    return result
