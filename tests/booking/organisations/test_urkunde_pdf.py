"""The Urkunde's PDF: its text read back with pypdf, its QR code decoded with zxing-cpp from
the page rendered by pdftoppm, A4 landscape, small and the same bytes for the same text."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import zxingcpp
from pypdf import PdfReader

from booking.organisations.urkunde_pdf import UrkundeText, render_urkunde
from tests.pdfs import page_texts, render_page

URKUNDE = UrkundeText(
    number="2027-0042",
    organisation="Stadtverwaltung Mülheim an der Ruhr – Ordnungsamt",
    joined_on=date(2027, 3, 12),
    issued_on=date(2027, 3, 15),
    verify_url="https://buchung.sicherimdienst.example/urkunden/pruefen/k7Q2mX9pLr4TzW8vB3nYab",
)


def test_the_text_names_the_organisation_the_day_and_the_number() -> None:
    [text] = page_texts(render_urkunde(URKUNDE))

    assert "Urkunde" in text
    assert "Stadtverwaltung Mülheim an der Ruhr – Ordnungsamt" in text
    assert "am 12.03.2027 dem Präventionsnetzwerk #sicherimDienst" in text
    assert "Urkunde Nr. 2027-0042" in text
    assert "Münster, 15.03.2027" in text
    assert URKUNDE.verify_url in text


def test_a4_landscape() -> None:
    [page] = PdfReader(io.BytesIO(render_urkunde(URKUNDE))).pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)


def test_a_long_name_with_other_scripts_is_wrapped_not_cut() -> None:
    name = (
        "Zweckverband Rettungsdienst Şanlıurfa-Łódź-Gelsenkirchen und Kreisfeuerwehr "
        "Hochsauerlandkreis – Leitstelle für Brandschutz, Rettungsdienst und Katastrophenschutz"
    )
    [text] = page_texts(render_urkunde(replace(URKUNDE, organisation=name)))
    assert " ".join(text.split()).count(name) == 1
    assert "…" not in text


def test_the_qr_code_on_the_page_decodes_to_the_verification_address(tmp_path: Path) -> None:
    page = render_page(render_urkunde(URKUNDE), tmp_path)

    codes = zxingcpp.read_barcodes(page)

    assert [(code.format, code.text) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, URKUNDE.verify_url)
    ]


def test_the_pdf_is_small_and_the_same_for_the_same_text() -> None:
    first = render_urkunde(URKUNDE)

    assert len(first) < 100_000
    assert render_urkunde(URKUNDE) == first
    assert render_urkunde(replace(URKUNDE, number="2027-0043")) != first
