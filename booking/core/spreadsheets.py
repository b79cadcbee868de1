"""Tables for spreadsheets: CSV as German Excel opens it, and XLSX (openpyxl).

A table is plain values (text, numbers, local date-times, None for empty) read before,
so that writing it needs no database: callers run :func:`to_csv` and :func:`to_xlsx` in a
thread. A text that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@`` at its
start, also after spaces, or a tab or line break there) is kept as text and never run: in
CSV it gets a leading ``'``, in XLSX it is a string cell (never a formula) that Excel keeps
as text even when someone edits it (``quotePrefix``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Value = str | int | float | datetime | None
"""A value of a table: a date-time is naive, in the time it is to be shown in (Berlin); a
float is written as a number (with a decimal comma in CSV)."""

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_CSV = "%d.%m.%Y %H:%M"
"""How a date-time reads in CSV: "12.03.2026 09:00", which German Excel takes as a date."""
DATETIME_XLSX = "DD.MM.YYYY HH:MM"

FORMULA_START = re.compile(r"[\t\r\n]|\s*[=+\-@]")
"""The start of a text a spreadsheet would evaluate (OWASP's CSV injection list, and the same
after leading white space, which some programs skip)."""
ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters an XLSX file cannot hold (openpyxl refuses them)."""
REPLACEMENT = "\ufffd"

WIDTH_MIN, WIDTH_MAX = 8, 50
"""Column widths in characters: wide enough for the header and the longest value, no wider."""
WIDTH_SAMPLE = 2000
"""Rows looked at for the widths: a sample is as good as all of a long list, and cheaper."""


@dataclass(frozen=True)
class Table:
    title: str
    """What the workbook's properties call it (the event's title, for instance)."""
    sheet: str
    """The worksheet's name (at most 31 characters, none of ``[]:*?/\\``)."""
    header: tuple[str, ...]
    rows: Sequence[Sequence[Value]]


def is_formula_like(text: str) -> bool:
    return FORMULA_START.match(text) is not None


def _csv_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_CSV)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return "'" + value if is_formula_like(value) else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM, ``;`` between fields, CRLF line ends, quoted where needed: what German
    Excel opens with a double click, umlauts intact."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(v) for v in table.header])
    for row in table.rows:
        writer.writerow([_csv_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _width(value: Value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(DATETIME_XLSX)
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(table: Table) -> list[int]:
    widths = [len(h) for h in table.header]
    for row in table.rows[:WIDTH_SAMPLE]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value))
    return [min(max(w + 2, WIDTH_MIN), WIDTH_MAX) for w in widths]


def to_xlsx(table: Table) -> bytes:
    """One worksheet: the header row in bold, frozen and with an autofilter, columns as wide
    as their contents; texts as string cells (never formulas), date-times as dates."""
    return to_xlsx_sheets(table.title, [table])


def to_xlsx_sheets(title: str, tables: Sequence[Table]) -> bytes:
    """A workbook called ``title`` with one worksheet per table, each written as
    :func:`to_xlsx` writes its one."""
    workbook = Workbook(write_only=True)
    workbook.properties.title = title
    for table in tables:
        _write_sheet(workbook, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(table.sheet)
    for i, width in enumerate(column_widths(table), 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(table.header), 1))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    bold = Font(bold=True)

    def cell(value: Value, header: bool = False) -> Cell | str | int | None:
        """A cell object only where a plain value would not do: it costs ten times more."""
        if value is None:
            return None
        if isinstance(value, str):
            value = ILLEGAL_XLSX.sub(REPLACEMENT, value)
            formula_like = is_formula_like(value)
            if not (header or formula_like or value.startswith("#")):
                return value  # openpyxl stores it as a string
        elif isinstance(value, int | float) and not header:
            return value
        made = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            made.data_type = "s"  # openpyxl would take "=…" for a formula, "#N/A" for an error
            made.quotePrefix = formula_like
        elif isinstance(value, datetime):
            made.number_format = DATETIME_XLSX
        if header:
            made.font = bold
        return made

    sheet.append([cell(h, header=True) for h in table.header])
    for row in table.rows:
        sheet.append([cell(v) for v in row])
