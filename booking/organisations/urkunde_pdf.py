"""The Urkunde as a PDF: one A4 landscape page, black on white, in a double frame, with the
organisation's name, the day it joined, the number and a QR code of the verification address
(the page frame, font and QR code are the certificates' of attendance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from courses.certificates.pdf import draw_qr
from courses.pdf import FONT, draw_logo, fit, new_document, shrink, to_bytes

TITLE = "Urkunde"
NETWORK = "#sicherimDienst"
NETWORK_LINE = "Präventionsnetzwerk des Landes Nordrhein-Westfalen"
INTRO = "Hiermit wird bestätigt, dass"
JOINED = "am {day} dem Präventionsnetzwerk #sicherimDienst als Netzwerkpartner beigetreten ist"
PURPOSE = (
    "und sich gemeinsam mit dem Netzwerk für den Schutz der Beschäftigten im öffentlichen "
    "Dienst vor Gewalt einsetzt."
)
NUMBER = "Urkunde Nr. {number}"
PLACE_AND_DATE = "Münster, {day}"
ISSUER = "Geschäftsstelle #sicherimDienst beim Polizeipräsidium Münster"
VERIFY = "Echtheit prüfen: QR-Code oder die Adresse darunter."
NO_SIGNATURE = "Maschinell erstellt und ohne Unterschrift gültig."

MARGIN = 18.0
QR_SIZE = 32.0


@dataclass(frozen=True)
class UrkundeText:
    number: str
    organisation: str
    joined_on: date
    issued_on: date
    verify_url: str


def render_urkunde(text: UrkundeText) -> bytes:
    pdf = new_document(
        orientation="landscape",
        title=f"{TITLE} Nr. {text.number}",
        created=text.issued_on,
        margin=MARGIN,
    )
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    # A double frame around the page.
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    logo = 14.0
    draw_logo(pdf, (pdf.w - logo) / 2, 20, logo)
    pdf.set_xy(MARGIN, 37)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(width, 7, NETWORK, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(width, 5, NETWORK_LINE, align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(56)
    pdf.set_font(FONT, "B", 34)
    pdf.cell(width, 16, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    _centred(pdf, INTRO, width, size=12, height=7)
    pdf.ln(3)
    inner = width - 30
    pdf.set_x(MARGIN + 15)
    if shrink(pdf, text.organisation, inner, style="B", size=26, smallest=15):
        pdf.cell(inner, 13, text.organisation, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(inner, 8, text.organisation, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _centred(pdf, JOINED.format(day=f"{text.joined_on:%d.%m.%Y}"), width, size=12, height=7)
    pdf.set_font(FONT, "", 12)
    pdf.set_x(MARGIN + 25)
    pdf.multi_cell(width - 50, 7, PURPOSE, align="C", new_x="LMARGIN", new_y="NEXT")

    _foot(pdf, text, width)
    return to_bytes(pdf)


def _centred(pdf: FPDF, line: str, width: float, *, size: float, height: float) -> None:
    pdf.set_font(FONT, "", size)
    pdf.cell(width, height, line, align="C", new_x="LMARGIN", new_y="NEXT")


def _foot(pdf: FPDF, text: UrkundeText, width: float) -> None:
    """Place, date and issuer on the left; the number in the middle; the QR code and its
    address on the right."""
    top = pdf.h - MARGIN - QR_SIZE - 8
    left = 95.0
    pdf.set_line_width(0.3)
    pdf.line(MARGIN + 4, top + 14, MARGIN + 4 + left - 10, top + 14)
    pdf.set_xy(MARGIN + 4, top + 7)
    pdf.set_font(FONT, "", 11)
    pdf.cell(left, 6, PLACE_AND_DATE.format(day=f"{text.issued_on:%d.%m.%Y}"))
    pdf.set_xy(MARGIN + 4, top + 16)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(left - 10, 4, f"{ISSUER}\n{NO_SIGNATURE}", align="L")

    pdf.set_xy(MARGIN + left, top + 10)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(width - 2 * left, 7, NUMBER.format(number=text.number), align="C")

    qr_x = pdf.w - MARGIN - 4 - QR_SIZE
    draw_qr(pdf, text.verify_url, qr_x, top - 2, QR_SIZE)
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(MARGIN, top + QR_SIZE - 2)
    address = fit(pdf, text.verify_url, width - 4, style="", size=7, smallest=5.5)
    pdf.cell(width - 4, 4, address, align="R")
    pdf.set_xy(MARGIN, top + QR_SIZE + 2)
    pdf.cell(width - 4, 4, VERIFY, align="R")
