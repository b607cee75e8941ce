"""Report tables as CSV and XLSX bytes, for a Polish office's spreadsheet.

CSV: one file, every table one after another (its title on a line of its own, then its header
and rows, then an empty line), UTF-8 with a byte-order mark and ``;`` between cells — what Excel
with Polish regional settings opens correctly on a double click (it takes ``,`` as the decimal
separator, so a comma-separated file would land in one column). XLSX: one sheet per table,
bold header, widths fitted to the text.

Both neutralise formula injection the same way (`safe_cell`): a text cell beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a name typed as
``=HYPERLINK(...)`` stays text in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ..domain.schemes import Category, Scheme, choose_scheme
from .report_data import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60
SHEET_TITLE_LENGTH = 31  # Excel's limit
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not run: numbers as they are, risky text prefixed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_value(value: Any) -> str:
    cell = safe_cell(value)
    if isinstance(cell, float):
        return f"{cell:.1f}".replace(".", ",")  # the Polish decimal comma
    return str(cell)


def csv_bytes(parts: Sequence[Table]) -> bytes:
    """Every table in one ``;``-separated UTF-8 file with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for i, table in enumerate(parts):
        if i:
            writer.writerow([])
        if len(parts) > 1:
            writer.writerow([_csv_value(table.title)])
        writer.writerow([_csv_value(h) for h in table.headers])
        for row in table.rows:
            writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = title.translate(_BAD_SHEET_CHARS).strip()[:SHEET_TITLE_LENGTH] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: SHEET_TITLE_LENGTH - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def xlsx_bytes(parts: Sequence[Table]) -> bytes:
    """One sheet per table: bold header, frozen header row, column widths fitted."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in parts:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([safe_cell(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([safe_cell(v) for v in row])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(MAX_WIDTH, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _name_of(categories: Sequence[Category], value: str | None, locale: str) -> str:
    if value is None:
        return ""
    for category in categories:
        if value in category.values:
            return category.name(locale)
    return value


def participants_table(
    rows: Sequence[Any],
    schemes: Sequence[Scheme],
    scope: Any,
    labels: Mapping[str, str],
    locale: str,
) -> Table:
    """The participant list: name, id, first support, gender, age band, labour status,
    education, complete or what is missing (no disability or minority answers)."""
    scheme = choose_scheme(schemes, scope.first_day, scope.programme)
    headers = tuple(
        labels[k]
        for k in (
            "col.name",
            "col.id",
            "col.first_support",
            "col.gender",
            "col.age_band",
            "col.labour_status",
            "col.education",
            "col.missing",
        )
    )
    body = []
    for r in rows:
        band = scheme.age_band(r.age) if r.age is not None else None
        body.append(
            (
                r.name,
                r.user_id,
                r.first_support.isoformat(),
                _name_of(scheme.genders, r.gender, locale) or labels["unknown"],
                band.name(locale) if band else labels["unknown"],
                _name_of(scheme.labour_status, r.labour_status, locale) or labels["unknown"],
                _name_of(scheme.education, r.education, locale) or labels["unknown"],
                ", ".join(labels[f"breakdown.{d}"] for d in r.missing),
            )
        )
    return Table("participants", labels["participants"], headers, body)
