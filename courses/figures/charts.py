"""Bar charts as SVG drawn on the server: readable without JavaScript, printable, and
accessible. The chart is an image (``role="img"``) named by its ``<title>`` and described by
its ``<desc>`` (``aria-labelledby``, ``aria-describedby``), which lists every value; every
bar carries its value (and its series' name) as text, and a second series differs by a
hatched fill as well as by its words, so colour never carries meaning alone. The page shows
a table with the same figures beside each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from booking.core.formatting import number_de
from courses.figures import messages
from courses.figures.exports import format_label, region_label, sector_label
from courses.figures.queries import YearFigures

WIDTH = 360
"""The drawing's width in its own units; the page scales it to the column (at 390 px
about one to one, so that its texts stay as large as the page's small print)."""
FONT = 14
CHAR_WIDTH = 0.6
"""A character's width in the font's size, a little over the average: room for the texts."""
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
BAR_GAP = 4
ROW_GAP = 12
LEGEND_HEIGHT = 28
INK = "#1b1f24"
ACCENT = "#00467f"
FILLS = (ACCENT, None)
"""Series one is solid, series two hatched (drawn from a pattern)."""


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[int, ...]
    """One value per series."""
    notes: tuple[str, ...] = ()
    """Per series, a text shown after the value, e.g. "(12,5 %)"."""


def value_text(bar: Bar, index: int, series: Sequence[str]) -> str:
    """ "1.200 angeboten (85,0 %)": the value, the series' name (if there are several), the
    note."""
    parts = [number_de(bar.values[index])]
    if len(series) > 1:
        parts.append(series[index])
    if index < len(bar.notes) and bar.notes[index]:
        parts.append(bar.notes[index])
    return " ".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    series: Sequence[str] = ("",),
) -> Markup:
    """Horizontal bars, one row per ``bars`` entry (its label above its bars), one bar per
    series. ``chart_id`` must be unique on the page (it prefixes the ids inside)."""
    if not 1 <= len(series) <= len(FILLS):
        raise ValueError(f"1 to {len(FILLS)} series, not {len(series)}")
    if any(len(b.values) != len(series) for b in bars):
        raise ValueError("every bar needs one value per series")
    largest = max((v for b in bars for v in b.values), default=0) or 1
    longest = max(
        (len(value_text(b, i, series)) for b in bars for i in range(len(series))), default=0
    )
    span = WIDTH - min(WIDTH * 11 // 20, round(longest * FONT * CHAR_WIDTH) + 12)
    hatch = f"{chart_id}-schraffur"
    body: list[str] = []
    y = 0
    if len(series) > 1:
        x = 0
        for index, name in enumerate(series):
            body.append(_rect(x, 3, 16, 16, index, hatch))
            body.append(_text(x + 22, 16, name))
            x += 22 + round(len(name) * FONT * CHAR_WIDTH) + 18
        y = LEGEND_HEIGHT
    for bar in bars:
        body.append(_text(0, y + FONT, bar.label, weight="600"))
        y += LABEL_HEIGHT
        for index, value in enumerate(bar.values):
            length = round(value / largest * span, 1)
            if length > 0:
                body.append(_rect(0, y, length, BAR_HEIGHT, index, hatch))
            body.append(_text(length + 6, y + BAR_HEIGHT - 5, value_text(bar, index, series)))
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP
    height = max(y, 1)
    listed = "; ".join(
        f"{bar.label}: " + ", ".join(value_text(bar, i, series) for i in range(len(series)))
        for bar in bars
    )
    defs = ""
    if len(series) > 1:
        defs = (
            f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{ACCENT}"/></pattern></defs>'
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-titel" '
        f'aria-describedby="{escape(chart_id)}-beschreibung" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">'
        f'<title id="{escape(chart_id)}-titel">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-beschreibung">{escape(description)} {escape(listed)}.</desc>'
        f"{defs}{''.join(body)}</svg>"
    )


def _rect(x: float, y: float, width: float, height: float, series: int, hatch: str) -> str:
    fill = FILLS[series]
    if fill is None:
        return (
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="url(#{escape(hatch)})" '
            f'stroke="{ACCENT}" stroke-width="1.5"/>'
        )
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>'


def _text(x: float, y: float, text: str, weight: str = "400") -> str:
    return f'<text x="{x}" y="{y}" fill="{INK}" font-weight="{weight}">{escape(text)}</text>'


# -- the year's charts ----------------------------------------------------------------------------


def percent_de(share: float | None) -> str:
    """0.875 → "87,5 %"; None → "–"."""
    if share is None:
        return "–"
    return f"{share * 100:.1f}".replace(".", ",") + " %"


def year_charts(figures: YearFigures) -> dict[str, Markup]:
    """The figures page's charts by name; each has a table beside it on the page."""
    year = figures.year
    formats = figures.formats
    total = figures.total
    settled = total.settled
    outcomes = (
        (messages.ATTENDED, total.attended),
        (messages.PARTIAL, total.partial),
        (messages.NO_SHOW, total.no_show),
    )
    return {
        "events": bar_chart(
            "diagramm-formate",
            messages.CHART_EVENTS,
            messages.CHART_EVENTS_DESC.format(year=year),
            [Bar(format_label(f), (f.events,)) for f in formats],
        ),
        "seats": bar_chart(
            "diagramm-plaetze",
            messages.CHART_SEATS,
            messages.CHART_SEATS_DESC.format(year=year),
            [Bar(format_label(f), (f.seats_offered, f.seats_taken)) for f in formats],
            (messages.SERIES_OFFERED, messages.SERIES_TAKEN),
        ),
        "waiting": bar_chart(
            "diagramm-warteliste",
            messages.CHART_WAITING,
            messages.CHART_WAITING_DESC.format(year=year),
            [Bar(format_label(f), (f.waitlisted_ever, f.still_waiting)) for f in formats],
            (messages.SERIES_EVER, messages.SERIES_STILL),
        ),
        "attendance": bar_chart(
            "diagramm-anwesenheit",
            messages.CHART_ATTENDANCE,
            messages.CHART_ATTENDANCE_DESC.format(year=year),
            [
                Bar(label, (count,), (f"({percent_de(count / settled)})",) if settled else ())
                for label, count in outcomes
            ],
        ),
        "sectors": bar_chart(
            "diagramm-bereiche",
            messages.CHART_SECTORS,
            messages.CHART_SECTORS_DESC.format(year=year),
            [Bar(sector_label(g), (g.participants,)) for g in figures.sectors],
        ),
        "regions": bar_chart(
            "diagramm-bezirke",
            messages.CHART_REGIONS,
            messages.CHART_REGIONS_DESC.format(year=year),
            [Bar(region_label(g), (g.participants,)) for g in figures.regions],
        ),
    }
