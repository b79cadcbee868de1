"""An organiser plans the monthly Q&A as a series in Chromium, at desktop width and at 390 px:
the planner's preview, saving, the series page, changing a date and every later one, and a
date's edit page with a session added. axe-core finds nothing and no page scrolls sideways
(``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser

from booking.demo import ORGANISER_EMAIL
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, click_through, sign_in_as
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


@pytest.mark.parametrize("width", [1280, 390])
async def test_an_organiser_plans_a_series_with_a_preview(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}

    async def look(name: str) -> None:
        await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"series-{width}-{name}.png"), full_page=True)

    await sign_in_as(page, smtp, server, ORGANISER_EMAIL)
    await page.goto(server + "/verwaltung")
    await click_through(page.get_by_role("link", name="Reihe planen"))
    await look("planner")

    first = date.today() + timedelta(days=20)
    await page.get_by_label("Titel").fill(f"Frag doch mal das Netzwerk ({width} px)")
    await page.get_by_label("Wie oft").select_option(label="monatlich")
    await page.get_by_label("Im Monat am (nur bei monatlich)").select_option(label="letzten")
    await page.get_by_label("Wochentag").select_option(label="Donnerstag")
    await page.get_by_label("Erster möglicher Tag").fill(first.strftime("%d.%m.%Y"))
    await page.get_by_label("Beginn", exact=True).fill("17:00")
    await page.get_by_label("Ende", exact=True).fill("25:00")
    await page.get_by_label("Anzahl der Termine (höchstens 60)").fill("8")
    await page.get_by_label("Online-Raum (der Link geht nur an Bestätigte)").select_option(index=1)
    await page.get_by_label("Plätze", exact=True).fill("300")
    await page.get_by_role("button", name="Vorschau der Termine").click()
    await page.locator(".error-summary").wait_for()
    await look("refused")

    await page.get_by_label("Ende", exact=True).fill("18:30")
    await page.get_by_role("button", name="Vorschau der Termine").click()
    await page.get_by_text("Vorschau: 8 Termine").wait_for()
    dates = await page.locator(".date-list li").all_inner_texts()
    assert len(dates) == 8 and all(d.startswith("Do., ") for d in dates), dates
    assert all(d.endswith("17:00–18:30 Uhr") for d in dates), dates
    await look("preview")

    await page.get_by_role("button", name="Veröffentlichen").click()
    await page.get_by_text("mit 8 Terminen angelegt und veröffentlicht").wait_for()
    assert re.search(r"/verwaltung/reihen/\d+$", page.url)
    assert "monatlich am letzten Donnerstag, 17:00–18:30 Uhr" in await page.content()
    await look("series")

    await click_through(page.get_by_role("link", name="Diesen und alle folgenden ändern").nth(2))
    await look("following")
    await page.get_by_label("Beginn", exact=True).fill("16:30")
    await page.get_by_label("Ende", exact=True).fill("18:00")
    await page.get_by_role("button", name="Termine ändern").click()
    await page.get_by_text("6 Termin(e) geändert").wait_for()
    assert (await page.content()).count("16:30–18:00 Uhr</a>") == 6

    await click_through(page.locator("tbody th a").first)
    await page.goto(page.url + "/bearbeiten")
    await look("edit")
    extra = first + timedelta(days=3)
    add = page.locator(".add-session")
    await add.get_by_label("Datum").fill(extra.strftime("%d.%m.%Y"))
    await add.get_by_label("Beginn", exact=True).fill("9:00")
    await add.get_by_label("Ende", exact=True).fill("10:00")
    await add.get_by_role("button", name="Termin hinzufügen").click()
    await page.get_by_text("Der Termin ist hinzugefügt").wait_for()
    await look("edit-added")
    await click_through(page.get_by_role("link", name=re.compile("^Entfernen")).last)
    await look("remove")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
