"""The sign-in sheet of an event as a PDF for printing: A4 landscape, one row per participant with
one signature column per day, the table's header repeated on every page, the trainers' signature
lines at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from courses.pdf import FONT, NETWORK_NAME, draw_logo, fit, new_document, to_bytes

TITLE = "Unterschriftenliste"
PLACE = "Ort: {place}"
PAGE = "Seite {page} von {{nb}}"
NUMBER = "Nr."
NAME = "Name"
ORGANISATION = "Organisation"
TRAINERS = "Bestätigung der Trainingsleitung"
TRAINER_SIGNATURE = "Datum, Unterschrift {name}"

MARGIN = 12.0
ROW_HEIGHT = 9.0
HEAD_HEIGHT = 11.0
TRAINER_BLOCK = 30.0
NUMBER_WIDTH = 10.0
NAME_SHARE = 0.5
"""Of the width left after the signature columns, the share of the name (the rest: organisation)."""
SIGNATURE_WIDTH = 32.0
"""Preferred width of one day's signature column; narrower when many days must fit."""


@dataclass(frozen=True)
class SheetRow:
    name: str
    organisation: str


@dataclass(frozen=True)
class SignInSheet:
    event_title: str
    dates: str
    place: str
    days: tuple[str, ...]
    """German day labels, e.g. "Mo., 12.03.2027", one signature column each."""
    rows: tuple[SheetRow, ...]
    trainers: tuple[str, ...]
    printed_on: date


@dataclass(frozen=True)
class Columns:
    number: float
    name: float
    organisation: float
    day: float


def columns(width: float, days: int) -> Columns:
    day = min(SIGNATURE_WIDTH, (width - NUMBER_WIDTH) * 0.55 / max(days, 1)) if days else 0.0
    rest = width - NUMBER_WIDTH - day * days
    return Columns(NUMBER_WIDTH, rest * NAME_SHARE, rest * (1 - NAME_SHARE), day)


def render_sign_in_sheet(sheet: SignInSheet) -> bytes:
    pdf = new_document(
        orientation="landscape",
        title=f"{TITLE}: {sheet.event_title}",
        created=sheet.printed_on,
        margin=MARGIN,
    )
    width = pdf.w - 2 * MARGIN
    cols = columns(width, len(sheet.days))
    bottom = pdf.h - MARGIN - 6
    top = _new_page(pdf, sheet, cols)
    y = top
    for index, row in enumerate(sheet.rows, start=1):
        if y + ROW_HEIGHT > bottom:
            y = _new_page(pdf, sheet, cols)
        _row(pdf, cols, len(sheet.days), y, str(index), row)
        y += ROW_HEIGHT
    if y + TRAINER_BLOCK > bottom:
        y = _new_page(pdf, sheet, cols, table=False)
    _trainers(pdf, sheet.trainers, y + 8, width)
    return to_bytes(pdf)


def _new_page(pdf: FPDF, sheet: SignInSheet, cols: Columns, *, table: bool = True) -> float:
    """A page with the event's header and footer and, unless ``table`` is false, the table's
    header; returns the y where the rows start."""
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    draw_logo(pdf, MARGIN, MARGIN, 12)
    pdf.set_xy(MARGIN + 16, MARGIN - 0.5)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(
        width - 16,
        7,
        fit(pdf, f"{TITLE}: {sheet.event_title}", width - 16, style="B", size=14, smallest=9),
    )
    pdf.set_xy(MARGIN + 16, MARGIN + 6.5)
    pdf.set_font(FONT, "", 10)
    details = " · ".join(part for part in (sheet.dates, PLACE.format(place=sheet.place)) if part)
    pdf.cell(width - 16, 6, fit(pdf, details, width - 16, style="", size=10, smallest=7))
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(MARGIN, pdf.h - MARGIN - 4)
    pdf.cell(width / 2, 4, NETWORK_NAME)
    pdf.cell(width / 2, 4, PAGE.format(page=pdf.page_no()), align="R")
    y = MARGIN + 17
    if not table:
        return y
    pdf.set_line_width(0.3)
    pdf.set_fill_color(230)
    pdf.rect(MARGIN, y, width, HEAD_HEIGHT, style="DF")
    labels = [(NUMBER, cols.number), (NAME, cols.name), (ORGANISATION, cols.organisation)]
    labels += [(day, cols.day) for day in sheet.days]
    x = MARGIN
    for label, col_width in labels:
        pdf.line(x, y, x, y + HEAD_HEIGHT)
        lines = label.replace(", ", ",\n")
        pdf.set_xy(x, y + (HEAD_HEIGHT - 4.5 * (lines.count("\n") + 1)) / 2)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(col_width, 4.5, lines, align="C", max_line_height=4.5)
        x += col_width
    return y + HEAD_HEIGHT


def _row(pdf: FPDF, cols: Columns, days: int, y: float, number: str, row: SheetRow) -> None:
    width = pdf.w - 2 * MARGIN
    pdf.set_line_width(0.2)
    pdf.rect(MARGIN, y, width, ROW_HEIGHT)
    x = MARGIN
    cells = [
        (number, cols.number, "C"),
        (row.name, cols.name, "L"),
        (row.organisation, cols.organisation, "L"),
    ]
    for text, col_width, align in cells:
        pdf.line(x, y, x, y + ROW_HEIGHT)
        shown = fit(pdf, text, col_width - 3, style="", size=10, smallest=7)
        pdf.set_xy(x + 1.5, y)
        pdf.cell(col_width - 3, ROW_HEIGHT, shown, align=align)
        x += col_width
    for _ in range(days):
        pdf.line(x, y, x, y + ROW_HEIGHT)
        x += cols.day


def _trainers(pdf: FPDF, trainers: tuple[str, ...], y: float, width: float) -> None:
    """One signature line per trainer (or one without a name), side by side."""
    pdf.set_xy(MARGIN, y)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(width, 6, TRAINERS)
    names = trainers or ("",)
    slot = width / max(len(names), 3)
    pdf.set_line_width(0.3)
    for index, name in enumerate(names):
        x = MARGIN + index * slot
        pdf.line(x, y + 18, x + slot - 8, y + 18)
        pdf.set_xy(x, y + 19)
        label = TRAINER_SIGNATURE.format(name=name).strip()
        pdf.cell(slot - 8, 4, fit(pdf, label, slot - 8, style="", size=8, smallest=6))
