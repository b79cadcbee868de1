"""An organiser plans a training in Chromium: creates it with two sessions, a venue, a room
and a trainer, publishes it, sees a member's booking on its page, writes to the
participants, books two more people onto the waiting list and reorders it; axe-core finds
nothing on any page visited, at desktop width and on a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from booking.demo import ORGANISER_EMAIL, TRAINER_EMAIL
from tests.e2e.conftest import CHROMIUM, WIDEST, Checked, click_through, sign_in_as
from tests.smtp import SmtpServer

pytestmark = pytest.mark.e2e

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )

MEMBER = "jana.schulte@stadt-muenster.example"


async def create_training(page: Page, checked: Checked, server: str, width: int) -> str:
    await page.goto(server + "/verwaltung")
    await checked.check()
    await click_through(page.get_by_role("link", name="Veranstaltung anlegen"))
    await checked.check()
    assert await page.evaluate(WIDEST) <= width
    await page.get_by_label("Format").select_option(label="Deeskalationstraining")
    await page.get_by_label("Titel").fill(f"BIUS I – Zusatztermin ({width} px)")
    first, second = page.locator(".session-row").nth(0), page.locator(".session-row").nth(1)
    for row, day in ((first, "9.3.2027"), (second, "10.3.2027")):
        await row.get_by_label("Datum").fill(day)
        await row.get_by_label("Beginn").fill("8:30")
        await row.get_by_label("Ende").fill("16:30")
        await row.get_by_label("UE (leer: aus der Dauer)").fill("8")
    await page.get_by_label("Veranstaltungsort").select_option(index=1)
    venue = await page.get_by_label("Veranstaltungsort").input_value()
    rooms = page.get_by_label("Raum", exact=True).locator("option")
    labels = await rooms.all_inner_texts()
    venue_name = (await page.get_by_label("Veranstaltungsort").locator(
        f'option[value="{venue}"]').inner_text()).split(",")[0]  # fmt: skip
    room = next(i for i, label in enumerate(labels) if label.startswith(venue_name))
    await page.get_by_label("Raum", exact=True).select_option(index=room)
    await page.get_by_label("Plätze", exact=True).fill("12")
    await page.get_by_label("Trainerinnen und Trainer (E-Mail-Adressen, eine je Zeile)").fill(
        TRAINER_EMAIL
    )
    await click_through(page.get_by_role("button", name="Als Entwurf speichern"))
    await checked.check()
    assert "als Entwurf gespeichert" in await page.content()
    await click_through(page.get_by_role("button", name="Veröffentlichen"))
    assert "ist veröffentlicht" in await page.content()
    return page.url


@pytest.mark.parametrize("width", [1280, 390])
async def test_an_organiser_plans_a_training_and_writes_to_its_people(
    server: str, smtp: SmtpServer, browser: Browser, width: int
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="de-DE")
    organiser = await context.new_page()
    checked = Checked(organiser)
    await sign_in_as(organiser, smtp, server, ORGANISER_EMAIL)
    event_url = await create_training(organiser, checked, server, width)
    event_id = re.search(r"/veranstaltungen/(\d+)", event_url)
    assert event_id is not None

    member_context = await browser.new_context(locale="de-DE")
    member = await member_context.new_page()
    await sign_in_as(member, smtp, server, MEMBER)
    await member.goto(f"{server}/veranstaltungen/{event_id.group(1)}")
    await click_through(
        member.get_by_role("button", name=re.compile("buchen", re.IGNORECASE)).first
    )
    await member_context.close()

    await organiser.goto(event_url)
    await checked.check()
    assert "Jana Schulte" in await organiser.content()
    await click_through(organiser.get_by_role("link", name="Nachricht an Teilnehmende"))
    await organiser.get_by_label("Betreff").fill("Anreise zu {veranstaltung}")
    await organiser.get_by_label("Text").fill("Guten Tag {name},\nbitte Hallenschuhe mitbringen.")
    await click_through(organiser.get_by_role("button", name="Vorschau"))
    await checked.check()
    assert "Guten Tag Vorname Nachname," in await organiser.content()
    before = len(smtp.inbox.messages)
    await click_through(organiser.get_by_role("button", name="An 1 Person(en) senden"))
    assert "Die Nachricht geht an 1 Person(en)." in await organiser.content()
    [mail] = smtp.inbox.wait_for(before + 1, timeout=15)[before:]
    assert mail["To"] == MEMBER and mail["Subject"].startswith("Anreise zu BIUS I")

    # One seat left, two more people booked by the office: they wait; the second goes first.
    await organiser.goto(event_url)
    await organiser.get_by_role("spinbutton", name="Plätze", exact=True).fill("1")
    await click_through(organiser.get_by_role("button", name="Speichern"))
    for address in (TRAINER_EMAIL, ORGANISER_EMAIL):
        await organiser.get_by_label("E-Mail-Adresse des Mitglieds").fill(address)
        await click_through(organiser.get_by_role("button", name="Anmelden", exact=True))
        assert "auf der Warteliste" in await organiser.content()
    await click_through(organiser.get_by_role("link", name=re.compile(r"^Warteliste \(2\)")))
    await checked.check()
    assert await organiser.evaluate(WIDEST) <= width
    lammers = organiser.locator("tbody tr", has_text="Birgit Lammers")
    await click_through(lammers.get_by_role("button", name=re.compile("^Nächster Platz")))
    assert "steht jetzt auf Platz 1" in await organiser.content()
    rows = await organiser.locator("table tbody tr th").all_inner_texts()
    assert rows[0] == "Birgit Lammers"
    await click_through(organiser.get_by_role("link", name="Protokoll", exact=True))
    await checked.check()
    assert "Auf der Warteliste verschoben" in await organiser.content()
    assert checked.violations == {}
    await context.close()
