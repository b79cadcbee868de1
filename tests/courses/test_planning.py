"""Planning pages: sessions added to and removed from an event on its edit page."""

from __future__ import annotations

import html
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.core.formatting import day_input, range_de
from booking.mail.models import OutboxMessage
from courses import messages
from courses.attendance.models import AttendanceMark
from courses.models import EventSession
from tests import factories
from tests.factories import NOW
from tests.web import post_form, sign_in


async def state(db: AsyncSession, event_id: int) -> tuple[list[int], int | None]:
    await db.commit()
    sessions = await db.scalars(
        select(EventSession.id).where(EventSession.event_id == event_id).order_by(EventSession.id)
    )
    mails = await db.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.template == "event_changed")
    )
    return list(sessions), mails


async def test_an_organiser_adds_and_removes_sessions_on_the_edit_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, days=2)
    person = await factories.member(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    first, second = event.sessions
    edit = f"/verwaltung/veranstaltungen/{event.id}/bearbeiten"
    add = f"/verwaltung/veranstaltungen/{event.id}/termine/neu"
    remove = f"/verwaltung/veranstaltungen/{event.id}/termine/{second.id}/entfernen"
    await sign_in(client, app, person.email)
    assert (await client.get(add)).status_code == 403
    assert (await client.post(remove)).status_code in (400, 403)
    await sign_in(client, app, organiser.email)
    page = await client.get(edit)
    assert page.status_code == 200 and "Termin hinzufügen" in page.text
    assert f'href="{remove}"' in page.text
    before = await state(db, event.id)

    day = day_input(NOW + timedelta(days=60))
    for wrong, message in (
        ({"day": "31.02.2030", "starts": "9:00", "ends": "12:00"}, messages.DAY_FORMAT),
        ({"day": day, "starts": "9:00", "ends": "8:00"}, messages.SESSION_ORDER),
        ({"day": day_input(NOW - timedelta(days=2)), "starts": "9:00", "ends": "12:00"},
         messages.SESSION_IN_PAST),
        ({"day": day, "starts": "9\x00", "ends": "12:00"}, messages.CLOCK_FORMAT),
        ({"day": "", "starts": "9:00", "ends": "12:00"}, "Bitte geben Sie das Datum an."),
    ):  # fmt: skip
        refused = await post_form(client, edit, add, wrong)
        assert refused.status_code == 422, wrong
        assert html.escape(message, quote=False) in refused.text, wrong
    assert await state(db, event.id) == before

    added = await post_form(client, edit, add, {"day": day, "starts": "9:00", "ends": "12:30"})
    assert added.status_code == 303 and added.headers["location"] == edit
    sessions, mails = await state(db, event.id)
    assert len(sessions) == 3 and mails == 1
    mail = await db.scalar(select(OutboxMessage).where(OutboxMessage.template == "event_changed"))
    assert mail is not None and mail.context["sequence"] == 1
    [change] = mail.context["changes"]
    assert change["what"] == "zusätzlicher Termin" and change["new"].endswith("09:00–12:30 Uhr")

    confirm = await client.get(remove)
    assert confirm.status_code == 200 and range_de(second.starts_at, second.ends_at) in confirm.text
    removed = await post_form(client, remove, remove)
    assert removed.status_code == 303
    sessions, mails = await state(db, event.id)
    assert second.id not in sessions and len(sessions) == 2 and mails == 2


async def test_a_marked_or_only_session_is_not_removed_and_says_why(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, days=2)
    [booking] = await factories.participants(db, event, 1)
    first, second = event.sessions
    db.add(AttendanceMark(booking_id=booking.id, session_id=second.id, status="present"))
    lonely = await factories.event(db)
    await db.commit()
    await sign_in(client, app, organiser.email)
    marked = f"/verwaltung/veranstaltungen/{event.id}/termine/{second.id}/entfernen"
    only = f"/verwaltung/veranstaltungen/{lonely.id}/termine/{lonely.sessions[0].id}/entfernen"
    before = (await state(db, event.id), await state(db, lonely.id))
    for url, message in ((marked, messages.SESSION_MARKED), (only, messages.SESSION_LAST)):
        refused = await post_form(client, url, url)
        assert refused.status_code == 409, url
        assert html.escape(message, quote=False) in refused.text
    forged = await client.post(marked, data={"csrf_token": "falsch"})
    assert forged.status_code == 400
    other = f"/verwaltung/veranstaltungen/{lonely.id}/termine/{second.id}/entfernen"
    assert (await client.get(other)).status_code == 404
    assert (await state(db, event.id), await state(db, lonely.id)) == before
    edit = await client.get(f"/verwaltung/veranstaltungen/{lonely.id}/bearbeiten")
    assert "/entfernen" not in edit.text  # the only session offers no removal


async def test_a_new_event_starts_from_its_formats_usual_values(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    await db.commit()
    await sign_in(client, app, organiser.email)
    training = await client.get("/verwaltung/veranstaltungen/neu?format=training")
    assert training.status_code == 200
    page = training.text
    assert '<option selected value="training">' in page
    assert 'name="capacity"' in page and 'value="14"' in page
    assert page.count('value="8:30"') == 2 and page.count('value="16:30"') == 2
    assert 'name="seats_per_organisation"' in page and 'value="2"' in page
    assert 'href="/verwaltung/veranstaltungen/neu?format=online_qa"' in page
    qa = await client.get("/verwaltung/veranstaltungen/neu?format=online_qa")
    assert '<option selected value="online_qa">' in qa.text
    assert 'value="300"' in qa.text and qa.text.count('value="14:00"') == 1
    unknown = await client.get("/verwaltung/veranstaltungen/neu?format=%00x")
    assert unknown.status_code == 200
    assert 'value="8:30"' not in unknown.text
