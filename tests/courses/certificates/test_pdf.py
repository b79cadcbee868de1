from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import zxingcpp

from courses.certificates.pdf import CertificateText, render_certificate
from tests.pdfs import page_texts, render_page

PARTIAL = CertificateText(
    number="SID-2027-000123",
    participant="Ayşe Öztürk-Łukasiewicz",
    course_title="BIUS II – Bedrohungsmanagement und Deeskalation im öffentlichen Dienst",
    course_code="BIUS-II-2027-03",
    dates="Mo., 12.03.2027 und Di., 13.03.2027",
    units_attended=8,
    units_offered=16,
    partial_note="teilgenommen an 1 von 2 Trainingstagen, 8 von 16 UE",
    content=(
        "Gefährdungslagen im Dienstalltag erkennen und einschätzen",
        "Deeskalierende Gesprächsführung",
        "Eigensicherung und Rückzug",
    ),
    trainers=("İsmail Kılıç", "Małgorzata Żółć", "Jürgen Großmann"),
    place="Düsseldorf",
    issued_on=date(2027, 3, 15),
    verify_url="https://sicherimdienst.example/bescheinigungen/pruefen/k7Q2mX9pLr4TzW8vB3nY",
)
FULL = replace(
    PARTIAL, units_attended=16, partial_note=None, participant="Grzegorz Brzęczyszczykiewicz"
)


def test_the_text_holds_name_course_units_note_trainers_and_number() -> None:
    [text] = page_texts(render_certificate(PARTIAL))

    assert "Teilnahmebescheinigung" in text
    assert "#sicherimDienst – Präventionsnetzwerk NRW" in text
    assert "Ayşe Öztürk-Łukasiewicz" in text
    assert "Bedrohungsmanagement und Deeskalation" in text
    assert "BIUS-II-2027-03" in text
    assert "Mo., 12.03.2027 und Di., 13.03.2027" in text
    assert "8 von 16 UE à 45 Minuten" in text
    assert "teilgenommen an 1 von 2 Trainingstagen, 8 von 16 UE" in text
    assert "Eigensicherung und Rückzug" in text
    assert "İsmail Kılıç, Małgorzata Żółć, Jürgen Großmann" in text
    assert "Düsseldorf, 15.03.2027" in text
    assert "SID-2027-000123" in text
    assert PARTIAL.verify_url in text


def test_full_attendance_states_the_units_without_a_note() -> None:
    [text] = page_texts(render_certificate(FULL))

    assert "Grzegorz Brzęczyszczykiewicz" in text
    assert "Umfang: 16 UE à 45 Minuten" in text
    assert " von 16 UE" not in text
    assert "teilgenommen an" not in text


def test_a_name_too_long_for_one_line_is_wrapped_not_cut() -> None:
    name = "Şükriye Ağaoğlu-Przybyszewska von und zu Hohenzollern-Sigmaringen-Lüdenscheid-Wałbrzych"
    [text] = page_texts(render_certificate(replace(PARTIAL, participant=name)))

    assert " ".join(text.split()).count(name) == 1
    assert "…" not in text


def test_the_qr_code_on_the_page_decodes_to_the_verification_address(tmp_path: Path) -> None:
    page = render_page(render_certificate(PARTIAL), tmp_path)

    codes = zxingcpp.read_barcodes(page)

    assert [(code.format, code.text) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, PARTIAL.verify_url)
    ]


def test_the_pdf_is_small_and_the_same_for_the_same_text() -> None:
    first = render_certificate(PARTIAL)

    assert len(first) < 100_000
    assert render_certificate(PARTIAL) == first
    assert render_certificate(replace(PARTIAL, number="SID-2027-000124")) != first
