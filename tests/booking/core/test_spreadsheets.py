"""The spreadsheet writers, read back by readers nobody here wrote: Python's csv module and
openpyxl's reader. Texts a spreadsheet would run as a formula stay text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from booking.core.spreadsheets import Table, is_formula_like, to_csv, to_xlsx, to_xlsx_sheets

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1",
    "@SUM(1)",
    "  =1+1",
    "\t=1+1",
    "\r=1+1",
    "\n@A1",
]
HARMLESS = ["Müller-Lüdenscheidt", "a=b", "1-2", "info@amt.example", "#N/A", ""]


def table(*rows: tuple[object, ...]) -> Table:
    return Table(
        title="Deeskalation – Grundkurs",
        sheet="Teilnehmende",
        header=("Name", "Gebucht am", "Platz"),
        rows=[tuple(r) for r in rows],  # type: ignore[misc]
    )


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(body: bytes) -> Worksheet:
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Teilnehmende"]
    sheet: Worksheet = workbook["Teilnehmende"]
    return sheet


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_recognised(text: str) -> None:
    assert is_formula_like(text)


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_texts_are_left_alone(text: str) -> None:
    assert not is_formula_like(text)


def test_csv_is_what_german_excel_opens() -> None:
    when = datetime(2026, 3, 12, 9, 5)
    body = to_csv(table(("Özdemir; Ayşe", when, 3), ('Sagt "Hallo"', None, None)))

    assert body.startswith(b"\xef\xbb\xbfName;Gebucht am;Platz\r\n")
    assert body.count(b"\r\n") == 3 and b"\n" not in body.replace(b"\r\n", b"")
    assert '"Özdemir; Ayşe";12.03.2026 09:05;3\r\n'.encode() in body
    assert read_csv(body) == [
        ["Name", "Gebucht am", "Platz"],
        ["Özdemir; Ayşe", "12.03.2026 09:05", "3"],
        ['Sagt "Hallo"', "", ""],
    ]


def test_csv_shows_formulas_as_text() -> None:
    rows = read_csv(to_csv(table(*[(text, None, None) for text in HOSTILE + HARMLESS])))

    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE] + HARMLESS


def test_xlsx_has_a_bold_frozen_filtered_header_and_sensible_widths() -> None:
    when = datetime(2026, 3, 12, 9, 5)
    long_name = "Landesamt für Zentrale Polizeiliche Dienste NRW, Duisburg, Abteilung 4" * 2
    sheet = read_xlsx(to_xlsx(table(("Ayşe Özdemir", when, 3), (long_name, when, None))))

    assert [c.value for c in sheet[1]] == ["Name", "Gebucht am", "Platz"]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet.parent.properties.title == "Deeskalation – Grundkurs"
    widths = [sheet.column_dimensions[c].width for c in "ABC"]
    assert widths[0] == 50  # the long name, capped
    assert 16 <= widths[1] <= 20  # "12.03.2026 09:05"
    assert 8 <= widths[2] <= 10
    assert sheet["A2"].value == "Ayşe Özdemir"
    assert sheet["B2"].value == when and sheet["B2"].is_date
    assert sheet["B2"].number_format == "DD.MM.YYYY HH:MM"
    assert sheet["C2"].value == 3 and sheet["C2"].data_type == "n"
    assert sheet["C3"].value is None


def test_xlsx_keeps_formulas_and_error_codes_as_text() -> None:
    texts = HOSTILE + ["#N/A", "#DIV/0!", "Müller"]
    body = to_xlsx(table(*[(text, None, None) for text in texts]))
    sheet = read_xlsx(body)

    cells = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1)]
    for cell, text in zip(cells, texts, strict=True):
        assert cell.data_type == "s", text
        # XML reads a carriage return as a line feed; either way the text is kept
        assert cell.value in (text, text.replace("\r", "\n")), text
    assert [c.quotePrefix for c in cells] == [True] * len(HOSTILE) + [False] * 3
    xml = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere in the sheet


def test_xlsx_replaces_control_characters_it_cannot_hold() -> None:
    sheet = read_xlsx(to_xlsx(table(("Erika\x0bMuster\x00", None, None))))

    assert sheet["A2"].value == "Erika\ufffdMuster\ufffd"


def test_an_empty_table_still_has_its_header() -> None:
    assert read_csv(to_csv(table())) == [["Name", "Gebucht am", "Platz"]]
    sheet = read_xlsx(to_xlsx(table()))
    assert [c.value for c in sheet[1]] == ["Name", "Gebucht am", "Platz"]
    assert sheet.max_row == 1


def test_decimal_numbers_stay_numbers() -> None:
    rows = read_csv(to_csv(table(("Quote", None, 87.5), ("Rest", None, 0.0))))
    assert [r[2] for r in rows[1:]] == ["87,5", "0,0"]  # German Excel's decimal comma
    sheet = read_xlsx(to_xlsx(table(("Quote", None, 87.5))))
    assert sheet["C2"].value == 87.5 and sheet["C2"].data_type == "n"


def test_a_workbook_of_several_sheets() -> None:
    second = Table(
        title="ignored", sheet="Bereiche", header=("Bereich", "Zahl"), rows=[("=1+1", 4)]
    )
    body = to_xlsx_sheets("Das Jahr 2026", [table(("Ayşe", None, 1)), second])
    workbook = load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Teilnehmende", "Bereiche"]
    assert workbook.properties.title == "Das Jahr 2026"
    sheet = workbook["Bereiche"]
    assert [c.value for c in sheet[1]] == ["Bereich", "Zahl"] and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:B2"
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].value == 4
