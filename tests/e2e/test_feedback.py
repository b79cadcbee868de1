"""Feedback in Chromium, at desktop width and at 390 px: a participant answers the form behind
the link (refused once for an empty form, then stored; the link used), an organiser reads the
overview and the demo webinar's results. axe-core finds nothing and no page scrolls sideways
(``SCREENSHOTS=/some/dir`` keeps the screenshots)."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser
from sqlalchemy import select

from booking.bookings.models import Booking
from booking.core.db import create_engine, session_factory, utcnow
from courses.feedback.models import FeedbackInvitation
from courses.models import Event
from tests.e2e.conftest import WIDEST, Checked, sign_in_as
from tests.smtp import SmtpServer

ORGANISER = "geschaeftsstelle@polizei-muenster.example"
TOKEN = "e2e-feedback-token-" + "x" * 24


async def invite_someone(tmp_path: Path) -> None:
    """An invitation with a known token for a participant of the past BIUS I (its mail is
    not what this test is about)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}")
    try:
        async with session_factory(engine)() as session:
            booking = await session.scalar(
                select(Booking)
                .join(Event, Event.id == Booking.event_id)
                .where(Event.course_code == "BIUS-I", Booking.status == "attended")
                .order_by(Booking.id)
            )
            assert booking is not None
            session.add(
                FeedbackInvitation(
                    event_id=booking.event_id, booking_id=booking.id,
                    token_hash=hashlib.sha256(TOKEN.encode()).hexdigest(), sent_at=utcnow(),
                    expires_at=utcnow() + timedelta(days=30),
                )
            )  # fmt: skip
            await session.commit()
    finally:
        await engine.dispose()


@pytest.mark.parametrize("width", [1280, 390])
async def test_a_participant_answers_and_an_organiser_reads(
    server: str, smtp: SmtpServer, browser: Browser, tmp_path: Path, width: int
) -> None:
    await invite_someone(tmp_path)
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    page = await context.new_page()
    checked = Checked(page)
    too_wide: dict[str, int] = {}

    async def look(name: str) -> None:
        await checked.check()
        if await page.evaluate(WIDEST) > await page.evaluate("window.innerWidth"):
            too_wide[name] = await page.evaluate(WIDEST)
        await page.screenshot(path=str(tmp_path / f"feedback-{width}-{name}.png"), full_page=True)

    await page.goto(f"{server}/rueckmeldung/{TOKEN}")
    await look("form")
    await page.get_by_role("button", name="Rückmeldung absenden").click()
    await page.locator(".error-summary").wait_for()
    await look("refused")
    useful = page.get_by_role("group", name="Wie nützlich war die Veranstaltung für Ihre Arbeit?")
    await useful.get_by_label("4", exact=True).check()
    before = page.get_by_role("group", name="Wie sicher fühlten Sie sich vor der Veranstaltung")
    await before.get_by_label("2", exact=True).check()
    after = page.get_by_role("group", name="Wie sicher fühlen Sie sich nach der Veranstaltung")
    await after.get_by_label("5 – sehr sicher").check()
    await page.get_by_label("Was möchten Sie uns mitteilen?").fill("Sehr hilfreich, danke!")
    await page.get_by_role("button", name="Rückmeldung absenden").click()
    await page.get_by_role("heading", name="Vielen Dank für Ihre Rückmeldung").wait_for()
    await look("thanks")
    used = await page.goto(f"{server}/rueckmeldung/{TOKEN}")
    assert used is not None and used.status == 409
    await look("used")

    await sign_in_as(page, smtp, server, ORGANISER)
    await page.goto(server + "/verwaltung/rueckmeldungen")
    await look("overview")
    await page.get_by_role("link", name="Webinar: Gewaltprävention in der Notaufnahme").click()
    await page.get_by_role("heading", name="Bewertungen").wait_for()
    assert (
        "5 von 8" in await page.inner_text("main") or "<strong>5</strong>" in await page.content()
    )
    await look("results")
    await context.close()

    assert checked.violations == {}
    assert too_wide == {}
    if os.environ.get("SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SCREENSHOTS"])
