"""An organiser reads the year in figures in Chromium, at desktop width and at 390 px: from
the back-office home, another year by the chooser, a refused year; the charts are images
with names, axe-core finds nothing and no page scrolls sideways. Printed to PDF, the page
leaves out the navigation and the chooser and keeps every chart whole on its page
(``SCREENSHOTS=/some/dir`` keeps the screenshots and the PDF's pages)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.conftest import WIDEST, Checked, sign_in_as
from tests.pdfs import page_texts
from tests.smtp import SmtpServer

ORGANISER = "geschaeftsstelle@polizei-muenster.example"
CHARTS = (
    "Veranstaltungen nach Format",
    "Plätze angeboten und belegt nach Format",
    "Nachfrage auf der Warteliste nach Format",
    "Anwesenheit der Teilnehmenden",
    "Teilnehmende nach Bereich",
    "Teilnehmende nach Regierungsbezirk",
)


@pytest.mark.parametrize("width", [1280, 390])
async def test_an_organiser_reads_the_year_in_figures(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path, width: int
) -> None:
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, locale="de-DE", accept_downloads=True
    )
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}

    async def look(name: str) -> None:
        await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"figures-{width}-{name}.png"), full_page=True)

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung")
    await page.get_by_role("link", name="Das Jahr in Zahlen").click()
    await page.get_by_role("heading", level=1).wait_for()
    heading = await page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Das Jahr in Zahlen: ")
    await look("this-year")
    for name in CHARTS:
        assert await page.get_by_role("img", name=name, exact=True).count() == 1, name

    # The demo's programme lies mostly ahead: the next year has the most to show.
    next_year = str(int(heading.rsplit(" ", 1)[1]) + 1)
    await page.get_by_label("Jahr", exact=True).select_option(next_year)
    await page.get_by_role("button", name="Anzeigen").click()
    await page.wait_for_url(f"**/verwaltung/zahlen?jahr={next_year}")
    assert await page.get_by_role("heading", level=1).inner_text() == (
        f"Das Jahr in Zahlen: {next_year}"
    )
    table = page.locator("table").nth(1)  # seats offered and taken
    assert "Fachtagung" in await table.inner_text()
    await look("next-year")

    if width == 1280:
        async with page.expect_download() as download_info:
            await page.get_by_role("link", name=f"Die Zahlen {next_year} als Excel-Datei").click()
        download = await download_info.value
        assert download.suggested_filename == f"sicherimdienst-zahlen-{next_year}.xlsx"

        pdf = await page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm"})
        texts = page_texts(pdf)
        whole = "\n".join(texts)
        assert f"Das Jahr in Zahlen: {next_year}" in texts[0]
        assert "Abmelden" not in whole and "Anzeigen" not in whole  # navigation, chooser
        assert "So wird gezählt" in whole
        for name in ("Veranstaltungen nach Format", "Teilnehmende nach Regierungsbezirk"):
            assert sum(name in text for text in texts) >= 1, name
        if shutil.which("pdftoppm"):
            source = tmp_path / f"figures-{width}-print.pdf"
            source.write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "figures-print")],
                check=True,
            )
            assert len(list(tmp_path.glob("figures-print*.png"))) == len(texts)

    response = await page.goto(server + "/verwaltung/zahlen?jahr=1999")
    assert response is not None and response.status == 422
    assert (
        "Bitte wählen Sie ein Jahr zwischen 2000 und 2100."
        in await page.locator(".error-summary").inner_text()
    )
    await look("refused")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
