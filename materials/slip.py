"""The packing slip (Lieferschein) of an order: the network's header, the delivery address
where a window envelope shows it, the order number and date, the items, the contact and the
note. Rendering is CPU work: callers run it in a thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from courses.pdf import FONT, draw_network_header, fit, new_document, to_bytes
from materials import messages


@dataclass(frozen=True)
class Slip:
    number: str
    ordered_on: str
    """ "Mo., 15.06.2026"."""
    organisation: str
    address: tuple[str, ...]
    lines: tuple[tuple[str, str, int], ...]
    """(item, unit, quantity)."""
    contact: str
    note: str
    printed: date


def render_slip(slip: Slip) -> bytes:
    pdf = new_document(
        orientation="portrait",
        title=f"{messages.SLIP_TITLE} {slip.number}",
        created=slip.printed,
        margin=20,
    )
    pdf.add_page()
    draw_network_header(pdf, logo_size=12)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    # The address field of a DIN 5008 window envelope: 45 mm from the top, 85 mm wide.
    pdf.set_xy(pdf.l_margin, 45)
    pdf.set_font(FONT, "", 8)
    pdf.cell(85, 5, "#sicherimDienst · Polizeipräsidium Münster", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    for line in slip.address:
        pdf.cell(
            85,
            5.5,
            fit(pdf, line, 85, style="", size=11, smallest=8),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.set_xy(pdf.l_margin + 105, 45)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, f"Bestellnummer {slip.number}", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, f"Bestellt am {slip.ordered_on}", new_x="LEFT", new_y="NEXT")
    pdf.cell(0, 5, f"Gedruckt am {slip.printed.strftime('%d.%m.%Y')}", new_x="LEFT", new_y="NEXT")

    y = 100.0
    pdf.set_xy(pdf.l_margin, y)
    pdf.set_font(FONT, "B", 16)
    pdf.cell(
        0, 9, f"{messages.SLIP_TITLE} – {slip.organisation}"[:90], new_x="LMARGIN", new_y="NEXT"
    )
    y = pdf.get_y() + 4
    quantity_w, unit_w = 30.0, 30.0
    name_w = width - quantity_w - unit_w
    pdf.set_font(FONT, "B", 10)
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(quantity_w, 8, "Menge", border="B", align="R")
    pdf.cell(unit_w, 8, "  Einheit", border="B")
    pdf.cell(name_w, 8, "Artikel", border="B", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for name, unit, quantity in slip.lines:
        pdf.cell(quantity_w, 8, f"{quantity:,}".replace(",", "."), border="B", align="R")
        pdf.cell(unit_w, 8, f"  {unit}", border="B")
        pdf.cell(
            name_w, 8, fit(pdf, name, name_w - 2, style="", size=10, smallest=7), border="B",
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
        pdf.set_font(FONT, "", 10)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, "Ansprechperson", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, slip.contact or "–", new_x="LMARGIN", new_y="NEXT")
    if slip.note:
        pdf.ln(3)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, "Hinweis", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, slip.note[:1000], new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, pdf.h - 30)
    pdf.set_font(FONT, "", 9)
    pdf.cell(
        0, 5, "Bitte prüfen Sie die Sendung bei Eingang. Fragen: Geschäftsstelle #sicherimDienst."
    )
    return to_bytes(pdf)
