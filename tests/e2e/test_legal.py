"""The legal pages in Chromium at 1280 and 390 px, reached from the footer: axe-core finds
nothing and no page scrolls sideways (``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.conftest import WIDEST, Checked, click_through


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_legal_pages_from_the_footer(
    server: str, browser: Browser, tmp_path: Path, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}
    for name, link in [("impressum", "Impressum"), ("datenschutz", "Datenschutz"),
                       ("barrierefreiheit", "Barrierefreiheit")]:  # fmt: skip
        await page.goto(server + "/")
        await click_through(
            page.get_by_role("contentinfo").get_by_role("link", name=link, exact=True)
        )
        assert page.url == f"{server}/{name}"
        await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"legal-{width}-{name}.png"), full_page=True)
    # Feedback on accessibility: refused once (errors next to the fields), then sent.
    await click_through(page.get_by_role("button", name="Rückmeldung senden"))
    await checked.check()
    assert "Bitte beschreiben Sie, was Ihnen aufgefallen ist." in await page.content()
    await page.get_by_label("Was ist Ihnen aufgefallen?").fill("Der Kontrast der Hinweise.")
    await page.get_by_role("button", name="Rückmeldung senden").click()
    await page.get_by_role("heading", name="Danke für Ihre Rückmeldung").wait_for()
    assert page.url.split("#")[0] == f"{server}/barrierefreiheit/danke"
    await checked.check()
    if keep := os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("legal-*.png"):
            shutil.copy(shot, keep)
    await context.close()
    assert checked.violations == {}
    assert too_wide == {}
