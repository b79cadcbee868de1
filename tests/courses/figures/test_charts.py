"""The SVG bar charts, parsed as XML: named and described, every value as text, a second
series told apart by more than colour, hostile labels escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from courses.figures.charts import Bar, bar_chart, percent_de

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_a_chart_is_a_named_described_image_with_its_values_as_text() -> None:
    root = parse(
        bar_chart(
            "c1",
            "Veranstaltungen nach Format",
            "Zahl der Veranstaltungen.",
            [Bar("Netzwerktreffen", (12,)), Bar("Webinar", (1250,)), Bar("Workshop", (0,))],
        )
    )
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-titel"
    assert root.get("aria-describedby") == "c1-beschreibung"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "c1-titel"
    assert title.text == "Veranstaltungen nach Format"
    assert desc is not None and desc.get("id") == "c1-beschreibung"
    assert desc.text == (
        "Zahl der Veranstaltungen. Netzwerktreffen: 12; Webinar: 1.250; Workshop: 0."
    )
    assert texts(root) == ["Netzwerktreffen", "12", "Webinar", "1.250", "Workshop", "0"]
    bars = [r for r in root.iter(f"{SVG}rect")]
    widths = [float(r.get("width", "0")) for r in bars]
    assert len(bars) == 2  # no bar for zero, only its value
    assert widths[1] > widths[0] * 100  # 1,250 against 12
    assert root.get("viewBox", "").startswith("0 0 360 ")


def test_two_series_differ_by_words_and_hatching_not_colour_alone() -> None:
    root = parse(
        bar_chart(
            "c2",
            "Plätze",
            "Angeboten und belegt.",
            [Bar("Training", (16, 14), ("", "(87,5 %)"))],
            ("angeboten", "belegt"),
        )
    )
    assert texts(root) == ["angeboten", "belegt", "Training", "16 angeboten", "14 belegt (87,5 %)"]
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert "url(#c2-schraffur)" in fills
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern is not None and pattern.get("id") == "c2-schraffur"
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "Training: 16 angeboten, 14 belegt (87,5 %)" in (desc.text or "")


def test_labels_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & "Anführung"'
    markup = bar_chart("c3", hostile, hostile, [Bar(hostile, (3,))])
    assert "<script>" not in markup
    root = parse(markup)
    assert texts(root)[0] == hostile
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == hostile


def test_every_bar_needs_a_value_per_series() -> None:
    with pytest.raises(ValueError):
        bar_chart("c4", "t", "d", [Bar("a", (1, 2))])
    with pytest.raises(ValueError):
        bar_chart("c4", "t", "d", [Bar("a", (1, 2, 3))], ("x", "y", "z"))


def test_an_empty_chart_is_still_well_formed() -> None:
    root = parse(bar_chart("c5", "Leer", "Nichts.", []))
    assert root.get("role") == "img" and texts(root) == []


def test_shares_read_as_german_per_cent() -> None:
    assert percent_de(0.875) == "87,5 %"
    assert percent_de(1 / 3) == "33,3 %"
    assert percent_de(None) == "–"
