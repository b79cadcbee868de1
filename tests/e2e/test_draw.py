"""The draw in Chromium, on the demo's BIUS I whose seats are drawn: a member asks for a seat
and sees that the request takes part in the draw, with the counts; the organiser follows the
protocol before and after the draw; the member's result arrives by mail. axe-core finds
nothing, at desktop width and on a phone, and no page scrolls sideways.

With ``DRAW_SHOTS=DIR`` the pages are also saved as screenshots into DIR."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from sqlalchemy import select

from booking.bookings import draw
from booking.core.db import create_engine, session_factory
from booking.demo import ORGANISER_EMAIL
from courses.models import Event
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, click_through, sign_in_as
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )

MEMBER = "jana.schulte@stadt-muenster.example"
SHOTS = os.environ.get("DRAW_SHOTS")


async def shot(page: Page, name: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


async def lottery_event(url: str) -> tuple[int, str]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            event = await session.scalar(select(Event).where(Event.allocation == "draw"))
            assert event is not None
            return event.id, event.title
    finally:
        await engine.dispose()


async def run_the_draw(url: str, event_id: int) -> None:
    """The deadline is weeks ahead in the demo: draw as the job would once it has passed."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            event = await session.get(Event, event_id)
            assert event is not None and event.registration_deadline is not None
            after = event.registration_deadline + timedelta(minutes=1)
            assert await draw.run_draw(session, event_id, after) is not None
    finally:
        await engine.dispose()


@pytest.mark.parametrize("width", [1280, 390])
async def test_a_member_asks_for_a_seat_and_the_organiser_follows_the_draw(
    server: str, smtp: SmtpServer, browser: Browser, width: int, tmp_path: Path
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    event_id, title = await lottery_event(database)

    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    member = await context.new_page()
    checked = Checked(member)
    await sign_in_as(member, smtp, server, MEMBER)
    await member.goto(f"{server}/veranstaltungen/{event_id}")
    await checked.check()
    assert "Platzvergabe per Los" in await member.content()
    await click_through(member.get_by_role("button", name="Teilnahme anfragen"))
    await checked.check()
    text = await member.locator(".booking-box").inner_text()
    assert "nimmt an der Platzvergabe teil" in text
    assert "Ihre Anfrage nimmt an der Platzvergabe am " in text
    assert "davon 1 aus Ihrer Organisation" in text or "davon 2 aus Ihrer Organisation" in text
    assert await member.evaluate(WIDEST) <= width
    await shot(member, "member-request", width)

    office = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    organiser = await office.new_page()
    watched = Checked(organiser)
    await sign_in_as(organiser, smtp, server, ORGANISER_EMAIL)
    await organiser.goto(f"{server}/verwaltung/veranstaltungen/{event_id}")
    await click_through(organiser.get_by_role("link", name="Platzvergabe per Los"))
    await watched.check()
    assert "Noch nicht gelost" in await organiser.content()
    await shot(organiser, "protocol-pending", width)

    before = len(smtp.inbox.messages)
    await run_the_draw(database, event_id)
    await organiser.reload()
    await watched.check()
    content = await organiser.content()
    assert "Reihenfolge und Entscheidungen" in content and "sid draw verify" in content
    assert await organiser.evaluate(WIDEST) <= width
    await shot(organiser, "protocol", width)

    await member.reload()
    await checked.check()
    await shot(member, "member-after-draw", width)
    assert checked.violations == {} and watched.violations == {}

    result = None
    for _ in range(40):
        for message in smtp.inbox.wait_for(before + 1, timeout=1)[before:]:
            subject = str(message["Subject"])
            if message["To"] == MEMBER and subject.startswith(("Platz erhalten", "Auslosung:")):
                result = message
        if result is not None:
            break
    assert result is not None, "no result mail"
    assert title in str(result["Subject"])
    assert "wurden verlost" in text_body(result)
