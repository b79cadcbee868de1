"""The figures page and its XLSX: the known year's numbers in the charts, their tables and
the workbook; organisers only; hostile years refused in German."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET

import httpx
import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.core.formatting import BERLIN
from tests import factories
from tests.courses.figures.world import YEAR, at, book, event_at, known_year
from tests.factories import NOW
from tests.test_statements import counting
from tests.web import sign_in

SVG = "{http://www.w3.org/2000/svg}"
PAGE = "/verwaltung/zahlen"
XLSX = "/verwaltung/zahlen.xlsx"


def charts(page: str) -> dict[str, ET.Element]:
    found = {}
    for markup in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        root = ET.fromstring(markup)
        found[root.get("id", "")] = root
    return found


def chart_texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def table_after(page: str, chart_id: str) -> list[list[str]]:
    """The rows (cells as plain text) of the first table after the chart ``chart_id``."""
    rest = page[page.index(f'id="{chart_id}"') :]
    table = rest[rest.index("<table") : rest.index("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


async def test_the_page_shows_the_known_year(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    year = await known_year(db)
    await sign_in(client, app, year.organiser.email)
    home = await client.get("/verwaltung")
    assert f'href="{PAGE}"' in home.text
    page = await client.get(PAGE, params={"jahr": str(YEAR)})
    assert page.status_code == 200, page.text
    assert "<h1>Das Jahr in Zahlen: 2024</h1>" in page.text
    assert '<option selected value="2024">2024</option>' in page.text
    assert f'href="{XLSX}?jahr=2024"' in page.text

    found = charts(page.text)
    assert set(found) == {
        "diagramm-formate",
        "diagramm-plaetze",
        "diagramm-warteliste",
        "diagramm-anwesenheit",
        "diagramm-bereiche",
        "diagramm-bezirke",
    }
    for chart_id, root in found.items():
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text, chart_id
        assert desc is not None and "2024" in (desc.text or ""), chart_id
        assert root.get("aria-labelledby") == f"{chart_id}-titel"
        assert root.get("aria-describedby") == f"{chart_id}-beschreibung"

    events = chart_texts(found["diagramm-formate"])
    assert events[events.index("Deeskalationstraining") + 1] == "1"
    assert events[events.index("Webinar") + 1] == "0"
    seats = chart_texts(found["diagramm-plaetze"])
    i = seats.index("Fachtagung")
    assert seats[i + 1 : i + 3] == ["100 angeboten", "2 belegt"]
    desc = found["diagramm-plaetze"].find(f"{SVG}desc")
    assert desc is not None and "Deeskalationstraining: 3 angeboten, 3 belegt" in (desc.text or "")
    waiting = chart_texts(found["diagramm-warteliste"])
    i = waiting.index("Deeskalationstraining")
    assert waiting[i + 1 : i + 3] == ["2 je gewartet", "1 noch wartend"]
    attendance = chart_texts(found["diagramm-anwesenheit"])
    assert attendance == [
        "Teilgenommen",
        "1 (33,3 %)",
        "Teilweise teilgenommen",
        "1 (33,3 %)",
        "Nicht erschienen",
        "1 (33,3 %)",
    ]
    sectors = chart_texts(found["diagramm-bereiche"])
    assert sectors[sectors.index("Gesundheitswesen") + 1] == "3"
    assert sectors[-2:] == ["ohne Organisation", "1"]
    regions = chart_texts(found["diagramm-bezirke"])
    assert regions[regions.index("Köln") + 1] == "3"

    # Each chart's table holds the same figures.
    assert table_after(page.text, "diagramm-plaetze")[1:] == [
        ["Netzwerktreffen", "50", "1", "2,0 %"],
        ["Fachtagung", "100", "2", "2,0 %"],
        ["Workshop", "10", "1", "10,0 %"],
        ["Frag doch mal das Netzwerk", "0", "0", "–keine Angabe"],
        ["Webinar", "0", "0", "–keine Angabe"],
        ["Deeskalationstraining", "3", "3", "100,0 %"],
        ["Summe ohne Workshops", "153", "6", "3,9 %"],
    ]
    assert table_after(page.text, "diagramm-anwesenheit")[-1] == [
        "Summe ohne Workshops", "3", "1", "1", "1", "66,7 %", "33,3 %",
    ]  # fmt: skip
    assert ["Münster", "2", "3"] in table_after(page.text, "diagramm-bezirke")
    assert "Noch keine Rückmeldungen" in page.text


async def test_the_page_defaults_to_this_year_in_berlin(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    year = await known_year(db)
    await sign_in(client, app, year.organiser.email)
    page = await client.get(PAGE)
    assert page.status_code == 200
    this_year = NOW.astimezone(BERLIN).year
    assert f"<h1>Das Jahr in Zahlen: {this_year}</h1>" in page.text
    with time_machine.travel("2030-12-31T23:30:00+00:00", tick=False):
        await sign_in(client, app, year.organiser.email)
        later = await client.get(PAGE)
    assert "<h1>Das Jahr in Zahlen: 2031</h1>" in later.text  # New Year in Berlin already


async def test_the_workbook_holds_the_same_figures(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    year = await known_year(db)
    hostile = await factories.organisation(db, sector="justiz", region='=HYPERLINK("x")')
    await book(db, year.conference, hostile, "confirmed")
    await sign_in(client, app, year.organiser.email)
    response = await client.get(XLSX, params={"jahr": "2024"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == (
        'attachment; filename="sicherimdienst-zahlen-2024.xlsx"'
    )
    book_ = load_workbook(io.BytesIO(response.content))
    assert book_.sheetnames == [
        "Formate und Plätze",
        "Anwesenheit",
        "Bereiche",
        "Regierungsbezirke",
        "Rückmeldungen",
    ]
    assert book_.properties.title == "#sicherimDienst – das Jahr 2024 in Zahlen"
    formats = [list(r) for r in book_["Formate und Plätze"].iter_rows(values_only=True)]
    assert formats[0] == [
        "Format", "Veranstaltungen", "Plätze angeboten", "Plätze belegt", "Auslastung in %",
        "Jemals auf der Warteliste", "Noch auf der Warteliste",
    ]  # fmt: skip
    assert formats[6] == ["Deeskalationstraining", 1, 3, 3, 100.0, 2, 1]
    assert formats[4] == ["Frag doch mal das Netzwerk", 0, 0, 0, None, 0, 0]
    assert formats[7] == ["Summe ohne Workshops", 3, 153, 7, 4.6, 2, 1]
    attendance = [list(r) for r in book_["Anwesenheit"].iter_rows(values_only=True)]
    assert attendance[-1] == ["Summe ohne Workshops", 3, 1, 1, 1, 66.7, 33.3]
    sectors = {r[0]: r[1:] for r in book_["Bereiche"].iter_rows(min_row=2, values_only=True)}
    assert sectors["Gesundheitswesen"] == (3, 3)
    assert sectors["Justiz"] == (1, 1)
    assert sectors["ohne Organisation"] == (1, 1)
    regions = book_["Regierungsbezirke"]
    cells = {row[0].value: row for row in regions.iter_rows(min_row=2)}
    assert cells["Münster"][1].value == 2 and cells["Münster"][1].data_type == "n"
    formula = cells['=HYPERLINK("x")'][0]
    assert formula.data_type == "s" and formula.quotePrefix  # text, never run
    feedback = [list(r) for r in book_["Rückmeldungen"].iter_rows(values_only=True)]
    assert feedback == [
        ["Frage", "Durchschnitt", "Antworten"],
        ["Noch keine Rückmeldungen", None, None],
    ]


async def test_members_may_not_see_the_figures(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    year = await known_year(db)
    assert (await client.get(PAGE)).headers.get("location", "").startswith("/anmelden")
    await sign_in(client, app, year.member.email)
    for url in (PAGE, XLSX, f"{PAGE}?jahr=abc", f"{XLSX}?jahr=1999"):
        response = await client.get(url)
        assert response.status_code == 403, url
        assert "Berechtigung" in response.text
    home = await client.get("/verwaltung")
    assert home.status_code == 403


HOSTILE = [
    "abc",
    "1999",
    "2101",
    "0000",
    "20245",
    "-2024",
    " 2024",
    "2024.0",
    "2024\x00",
    "٢٠٢٤",  # Arabic-Indic digits, which int() would take
    "２０２４",
    "9" * 400,
    "2024\n",
]


@pytest.mark.parametrize("value", HOSTILE)
async def test_hostile_years_are_refused_in_german(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, value: str
) -> None:
    year = await known_year(db)
    await sign_in(client, app, year.organiser.email)
    page = await client.get(PAGE, params={"jahr": value})
    assert page.status_code == 422, value
    assert "Bitte korrigieren Sie diese Angabe" in page.text
    assert 'aria-invalid="true"' in page.text
    assert re.search(r"Bitte wählen Sie ein Jahr( zwischen 2000 und 2100)?[,.]", page.text)
    assert "<svg" not in page.text
    workbook = await client.get(XLSX, params={"jahr": value})
    assert workbook.status_code == 422, value
    assert "Bitte wählen Sie ein Jahr" in workbook.text


async def test_the_statements_do_not_grow_with_the_data(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    year = await known_year(db)
    await sign_in(client, app, year.organiser.email)
    url = f"{PAGE}?jahr=2024"

    async def statements() -> list[str]:
        with counting(app) as sent:
            response = await client.get(url)
        assert response.status_code == 200
        return sent

    await client.get(url)  # the welcome message is shown and dropped from the session
    before = await statements()
    orgs = [await factories.organisation(db, sector=s) for s in ("schule", "justiz", "thw")]
    for n in range(10):
        grown = await event_at(db, at(2024, 4, 1 + n, 8), kind="webinar", capacity=30)
        for org in orgs:
            await book(db, grown, org, "confirmed")
            await book(db, grown, org, "waiting", waitlisted=True)
    after = await statements()
    assert [s.split()[0] for s in after] == [s.split()[0] for s in before], after
    page = await client.get(url)
    assert table_after(page.text, "diagramm-formate")[5] == ["Webinar", "10"]
