"""A trainer at the door, on a phone: the roster in headless Chromium at 390 px, marks by
touch-sized controls, saved with a plain form; axe-core finds nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser

from booking.demo import TRAINER_EMAIL
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, click_through, sign_in_as
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


async def test_a_trainer_marks_the_roster_on_a_phone(
    server: str, smtp: SmtpServer, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    await sign_in_as(page, smtp, server, TRAINER_EMAIL)
    await page.goto(server + "/meine-kurse")
    await checked.check()
    await click_through(page.get_by_role("link", name="Anwesenheit").first)
    await checked.check()
    assert await page.evaluate(WIDEST) <= 390

    lines = page.locator(".roster-line")
    assert await lines.count() > 0
    first = lines.nth(0)
    name = (await first.locator(".roster-name").inner_text()).strip()
    late = first.get_by_text("verspätet", exact=True)
    box = await late.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    await late.click()
    await click_through(page.get_by_role("button", name="Anwesenheit speichern"))
    assert "Die Anwesenheit ist gespeichert (" in await page.content()
    saved = page.locator(".roster-line", has_text=name)
    assert await saved.get_by_role("radio", name="verspätet").is_checked()

    await click_through(page.get_by_role("button", name="Alle anderen anwesend"))
    await checked.check()
    unmarked = await page.evaluate(
        "() => [...document.querySelectorAll('.roster-line')]"
        ".filter(l => !l.querySelector('input:checked')).length"
    )
    assert unmarked == 0
    assert checked.violations == {}
    await context.close()


async def test_issuing_shows_the_mails_going_out(
    server: str, smtp: SmtpServer, browser: Browser
) -> None:
    """The demo's past BIUS I has its marks: the trainer issues its certificates on a phone
    and watches the bar fill as the mails reach the SMTP server, without reloading."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    await sign_in_as(page, smtp, server, TRAINER_EMAIL)
    await page.goto(server + "/meine-kurse")
    await click_through(page.get_by_role("link", name="Bescheinigungen").first)
    await checked.check()
    assert await page.evaluate(WIDEST) <= 390
    before = len(smtp.inbox.messages)
    await click_through(page.get_by_role("button", name="2 Bescheinigungen ausstellen"))
    await checked.check()
    status = page.get_by_role("status")
    await status.filter(has_text="2 von 2 versandt.").wait_for(timeout=15_000)
    assert await page.locator("progress").evaluate("bar => [bar.value, bar.max]") == [2, 2]
    received = smtp.inbox.wait_for(before + 2)[before:]
    assert {m["Subject"] for m in received} == {
        "Ihre Teilnahmebescheinigung: BIUS I: Grundlagen der Eigensicherung und Deeskalation"
    }
    assert checked.violations == {}
    await context.close()
