from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from courses.attendance.sheet import SheetRow, SignInSheet, render_sign_in_sheet
from tests.pdfs import page_texts

NAMES = ("Ayşe Öztürk", "Małgorzata Żółć-Wiśniewska", "Jürgen Großmann", "İsmail Kılıç")
ORGANISATIONS = ("Stadt Köln, Ordnungsamt", "Jobcenter Düsseldorf", "Polizeipräsidium Dortmund")
DAYS = ("Mo., 12.03.2027", "Di., 13.03.2027", "Mi., 14.03.2027")


def sheet(rows: int, days: tuple[str, ...] = DAYS) -> SignInSheet:
    return SignInSheet(
        event_title="BIUS II – Bedrohungsmanagement und Deeskalation",
        dates="12.–14.03.2027, 09:00–16:30 Uhr",
        place="Düsseldorf, Haus der Technik",
        days=days,
        rows=tuple(
            SheetRow(f"{NAMES[i % 4]} {i + 1:03d}", ORGANISATIONS[i % 3]) for i in range(rows)
        ),
        trainers=("İsmail Kılıç", "Jürgen Großmann"),
        printed_on=date(2027, 3, 1),
    )


def test_300_rows_run_over_pages_each_with_the_event_and_the_table_header() -> None:
    texts = page_texts(render_sign_in_sheet(sheet(300)))

    assert len(texts) > 10
    for number, text in enumerate(texts, start=1):
        assert "Unterschriftenliste: BIUS II – Bedrohungsmanagement und Deeskalation" in text
        assert "12.–14.03.2027, 09:00–16:30 Uhr" in text
        assert f"Seite {number} von {len(texts)}" in text
        assert re.search(r"Nr\.\s*Name\s*Organisation", text), text[:300]
        for day in DAYS:
            assert " ".join(text.split()).count(day) == 1, (number, day)
    everything = "\n".join(texts)
    for i in range(300):
        assert f"{NAMES[i % 4]} {i + 1:03d}" in everything
    assert "Bestätigung der Trainingsleitung" in texts[-1]
    assert "Datum, Unterschrift İsmail Kılıç" in texts[-1]
    assert "Datum, Unterschrift Jürgen Großmann" in texts[-1]


def test_one_signature_column_per_day() -> None:
    for days in (DAYS[:1], DAYS, (*DAYS, "Do., 15.03.2027", "Fr., 16.03.2027")):
        [text] = page_texts(render_sign_in_sheet(sheet(3, days)))
        flat = " ".join(text.split())

        assert re.findall(r"\w\w\., \d\d\.\d\d\.\d{4}", flat) == list(days)


def test_a_long_organisation_is_cut_to_its_cell() -> None:
    long = "Kreisverwaltung Recklinghausen – Fachbereich Soziales, Jugend und Gesundheit, " * 2
    data = replace(sheet(1), rows=(SheetRow("Zoë Müller", long),))
    [text] = page_texts(render_sign_in_sheet(data))

    assert "Zoë Müller" in text
    assert "Kreisverwaltung Recklinghausen" in text
    assert "…" in text


def test_the_sheet_is_small_and_the_same_for_the_same_input() -> None:
    first = render_sign_in_sheet(sheet(300))

    assert len(first) < 100_000
    assert render_sign_in_sheet(sheet(300)) == first
