"""The page frame shared by the programme's PDFs: A4, the shipped Unicode font, the network's name
and its logo mark, fitting text into a width. Rendering is CPU work: callers run it in a thread."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Literal

from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "certificates" / "fonts"
FONT = "DejaVu"
NETWORK_NAME = "#sicherimDienst – Präventionsnetzwerk NRW"
AUTHOR = "#sicherimDienst"

Style = Literal["", "B"]


def new_document(
    *, orientation: Literal["portrait", "landscape"], title: str, created: date, margin: float
) -> FPDF:
    """An empty A4 document with the shipped font (regular and bold) registered and its
    metadata set; created at midnight UTC of ``created``, so the same input gives the same bytes."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_font(FONT, "", 10)
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime.combine(created, time(0, 0), tzinfo=UTC))
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator(AUTHOR)
    pdf.set_producer(AUTHOR)
    pdf.set_lang("de-DE")
    pdf.set_text_color(0)
    pdf.set_draw_color(0)
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def draw_logo(pdf: FPDF, x: float, y: float, size: float) -> None:
    """The network's mark (a hash sign in a rounded square, as in the site's icon), drawn in black
    outline so that it prints on any printer."""
    pdf.set_line_width(0.6)
    pdf.rect(x, y, size, size, style="D", round_corners=True, corner_radius=size / 5)
    pdf.set_font(FONT, "B", size * 1.9)
    pdf.set_xy(x, y)
    pdf.cell(size, size, "#", align="C")


def draw_network_header(pdf: FPDF, *, logo_size: float) -> float:
    """The logo and the network's name along the top margin, a rule beneath; returns the y below
    the rule."""
    x, y = pdf.l_margin, pdf.t_margin
    draw_logo(pdf, x, y, logo_size)
    pdf.set_font(FONT, "B", 12)
    pdf.set_xy(x + logo_size + 4, y)
    pdf.cell(0, logo_size, NETWORK_NAME)
    rule = y + logo_size + 3
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, rule, pdf.w - pdf.r_margin, rule)
    return rule


def shrink(
    pdf: FPDF, text: str, width: float, *, style: Style, size: float, smallest: float
) -> bool:
    """Sets the largest font size from ``size`` down to ``smallest`` (in half points) at which
    ``text`` fits into ``width`` on one line; False when it does not fit even at ``smallest``."""
    current = size
    while True:
        pdf.set_font(FONT, style, current)
        if pdf.get_string_width(text) <= width:
            return True
        if current <= smallest:
            return False
        current = max(smallest, current - 0.5)


def fit(pdf: FPDF, text: str, width: float, *, style: Style, size: float, smallest: float) -> str:
    """As ``shrink``, and at the smallest size the text is cut with an ellipsis. Returns the text
    to print."""
    if shrink(pdf, text, width, style=style, size=size, smallest=smallest):
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
