"""The certificate of attendance (Teilnahmebescheinigung) as a PDF: one A4 portrait page, black
on white, with a QR code of the verification address drawn as vector squares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import segno
from fpdf import FPDF

from courses.pdf import FONT, draw_network_header, fit, new_document, shrink, to_bytes

TITLE = "Teilnahmebescheinigung"
CONFIRMS = "Hiermit wird bescheinigt, dass"
ATTENDED_EVENT = "an der Veranstaltung"
COURSE_CODE = "Kursnummer: {code}"
HAS_ATTENDED = "teilgenommen hat."
UNITS_FULL = "Umfang: {offered} UE à 45 Minuten"
UNITS_PARTIAL = "Umfang: {attended} von {offered} UE à 45 Minuten"
CONTENT = "Inhalte"
TRAINERS = "Trainingsleitung: {names}"
PLACE_AND_DATE = "{place}, {issued_on}"
PLACE_AND_DATE_LABEL = "Ort und Datum der Ausstellung"
NUMBER = "Bescheinigungsnummer: {number}"
VERIFY = (
    "Die Echtheit dieser Bescheinigung lässt sich über den QR-Code "
    "oder die Adresse darunter prüfen."
)
NO_SIGNATURE = "Diese Bescheinigung wurde maschinell erstellt und ist ohne Unterschrift gültig."

MARGIN = 20.0
QR_SIZE = 34.0
BOTTOM_BLOCK = 50.0
"""Height of the block at the foot of the page: place and date, number, QR code, address."""


@dataclass(frozen=True)
class CertificateText:
    """Everything the certificate prints, already worded; the caller formats the dates."""

    number: str
    participant: str
    course_title: str
    course_code: str | None
    dates: str
    units_attended: int
    units_offered: int
    partial_note: str | None
    content: tuple[str, ...]
    trainers: tuple[str, ...]
    place: str
    issued_on: date
    verify_url: str

    @property
    def partial(self) -> bool:
        return self.units_attended < self.units_offered


def units_text(text: CertificateText) -> str:
    if text.partial:
        return UNITS_PARTIAL.format(attended=text.units_attended, offered=text.units_offered)
    return UNITS_FULL.format(offered=text.units_offered)


def render_certificate(text: CertificateText) -> bytes:
    pdf = new_document(
        orientation="portrait",
        title=f"{TITLE} {text.number}",
        created=text.issued_on,
        margin=MARGIN,
    )
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    draw_network_header(pdf, logo_size=16)

    pdf.set_y(58)
    pdf.set_font(FONT, "B", 28)
    pdf.cell(width, 14, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    _centred(pdf, CONFIRMS, size=11, height=7)
    pdf.ln(2)
    if shrink(pdf, text.participant, width, style="B", size=24, smallest=14):
        pdf.cell(width, 13, text.participant, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(width, 8, text.participant, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _centred(pdf, ATTENDED_EVENT, size=11, height=7)
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(width, 7.5, text.course_title, align="C", new_x="LMARGIN", new_y="NEXT")
    if text.course_code:
        _centred(pdf, COURSE_CODE.format(code=text.course_code), size=10, height=6)
    pdf.ln(1)
    _centred(pdf, text.dates, size=12, height=7, style="B")
    _centred(pdf, HAS_ATTENDED, size=11, height=7)
    pdf.ln(5)
    _centred(pdf, units_text(text), size=12, height=7, style="B")
    if text.partial_note:
        pdf.set_font(FONT, "", 11)
        pdf.multi_cell(width, 6, text.partial_note, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    bottom = pdf.h - MARGIN - BOTTOM_BLOCK
    _content(pdf, text, width, bottom - 10)
    if text.trainers:
        pdf.set_font(FONT, "", 10)
        pdf.ln(2)
        names = fit(
            pdf,
            TRAINERS.format(names=", ".join(text.trainers)),
            width,
            style="",
            size=10,
            smallest=7,
        )
        pdf.cell(width, 6, names, new_x="LMARGIN", new_y="NEXT")

    _foot(pdf, text, bottom, width)
    return to_bytes(pdf)


def _centred(pdf: FPDF, line: str, *, size: float, height: float, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.cell(pdf.w - 2 * MARGIN, height, line, align="C", new_x="LMARGIN", new_y="NEXT")


def _content(pdf: FPDF, text: CertificateText, width: float, limit: float) -> None:
    """The content as a list of bullets, as many lines as fit above ``limit``."""
    if not text.content:
        return
    pdf.set_font(FONT, "B", 11)
    pdf.cell(width, 7, CONTENT, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for line in text.content:
        if pdf.get_y() + 5.5 > limit:
            break
        pdf.set_x(MARGIN)
        pdf.cell(5, 5.5, "•")
        pdf.multi_cell(width - 5, 5.5, line, new_x="LMARGIN", new_y="NEXT", max_line_height=5.5)


def _foot(pdf: FPDF, text: CertificateText, top: float, width: float) -> None:
    """Place and date, number and the note on the left; the QR code and its address on the right."""
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, top, MARGIN + width, top)
    left = width - QR_SIZE - 6
    pdf.set_xy(MARGIN, top + 5)
    pdf.set_font(FONT, "", 11)
    pdf.cell(
        left, 6, PLACE_AND_DATE.format(place=text.place, issued_on=f"{text.issued_on:%d.%m.%Y}")
    )
    pdf.set_xy(MARGIN, top + 11)
    pdf.set_font(FONT, "", 8)
    pdf.cell(left, 4, PLACE_AND_DATE_LABEL)
    pdf.set_xy(MARGIN, top + 19)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(left, 6, NUMBER.format(number=text.number))
    pdf.set_xy(MARGIN, top + 27)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(left, 4, VERIFY + " " + NO_SIGNATURE)

    qr_x = MARGIN + width - QR_SIZE
    draw_qr(pdf, text.verify_url, qr_x, top + 3, QR_SIZE)
    address = fit(pdf, text.verify_url, width, style="", size=8, smallest=6)
    pdf.set_xy(MARGIN, top + 3 + QR_SIZE)
    pdf.cell(width, 4, address, align="R")


def draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """``data`` as a QR code in a square of ``size`` (quiet zone of four modules included), each
    row's runs of dark modules as one filled rectangle."""
    code = segno.make(data, error="m", micro=False)
    border = 4
    count = code.symbol_size(scale=1, border=border)[0]
    module = size / count
    pdf.set_fill_color(0)
    for row_index, row in enumerate(code.matrix_iter(scale=1, border=border)):
        top = y + row_index * module
        start: int | None = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(x + start * module, top, (column - start) * module, module, style="F")
                start = None
