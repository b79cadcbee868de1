"""Messages to an event's people: one mail per person of the chosen list, placeholders filled
in, the meeting link only for confirmed participants, recorded on the event; refused in
German with nothing written."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from booking.bookings import announcements, services
from booking.bookings.models import Announcement
from booking.core.errors import Forbidden, ValidationFailed
from booking.mail.models import OutboxMessage
from tests import factories
from tests.api import assert_german_error, token_of
from tests.factories import NOW
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, text_body
from tests.web import post_form, sign_in
from venues.models import OnlineRoom


async def online_event_with_people(db: AsyncSession):  # type: ignore[no-untyped-def]
    room = OnlineRoom(name="Webex", meeting_url="https://webex.example/j/geheim")
    db.add(room)
    await db.commit()
    event = await factories.event(
        db, kind="webinar", capacity=2, title="Webinar Hausrecht", online_room_id=room.id
    )
    people = [await factories.member(db) for _ in range(3)]
    for person in people:
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await db.execute(OutboxMessage.__table__.delete())
    await db.commit()
    return event, people


async def test_one_mail_each_with_the_link_only_for_participants(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    organiser = await factories.member(db, role="organiser")
    event, (first, second, waiting) = await online_event_with_people(db)
    draft = announcements.Draft(
        "all", "Hinweis zu {veranstaltung}", "Guten Tag {name},\n\nbitte testen Sie vorab."
    )
    sent = await announcements.announce(
        db, event_id=event.id, draft=draft, actor=organiser, now=NOW
    )
    assert sent.recipients == 3
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 3
    received = {m["To"]: m for m in smtp.inbox.wait_for(3)}
    for person in (first, second, waiting):
        mail = received[person.email]
        assert mail["Subject"] == "Hinweis zu Webinar Hausrecht"
        body = text_body(mail)
        assert f"Guten Tag {person.display_name}," in body
        link_shown = "https://webex.example/j/geheim" in body
        assert link_shown == (person is not waiting), person.email
    listed = await announcements.event_announcements(db, event.id, organiser)
    assert [(a.subject, a.audience, a.recipients) for a in listed] == [
        ("Hinweis zu {veranstaltung}", "all", 3)
    ]


async def test_refusals_write_nothing(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    event, _ = await online_event_with_people(db)
    nobody = await factories.event(db)
    for event_id, draft in (
        (event.id, announcements.Draft("alle", "Betreff", "Text")),
        (event.id, announcements.Draft("all", " ", "Text")),
        (event.id, announcements.Draft("all", "Zwei\nZeilen", "Text")),
        (event.id, announcements.Draft("all", "Betreff", "mit \x00")),
        (event.id, announcements.Draft("all", "Betreff", "x" * 10_001)),
        (nobody.id, announcements.Draft("all", "Betreff", "Text")),
    ):
        with pytest.raises(ValidationFailed):
            await announcements.announce(
                db, event_id=event_id, draft=draft, actor=organiser, now=NOW
            )
    with pytest.raises(Forbidden):
        await announcements.announce(
            db, event_id=event.id, draft=announcements.Draft("all", "B", "T"),
            actor=await factories.member(db, role="trainer"), now=NOW,
        )  # fmt: skip
    assert await db.scalar(select(func.count()).select_from(Announcement)) == 0
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_the_api_and_the_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    event, (first, second, waiting) = await online_event_with_people(db)
    url = f"/api/v1/events/{event.id}/messages"
    auth = await token_of(db, organiser)
    message = {"to": "waiting", "subject": "Warteliste", "body": "Sie stehen auf Platz 1."}
    answer = await client.post(url, json=message, headers=auth)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["to"], answer.json()["recipients"]) == ("waiting", 1)
    for wrong in ({"to": "everyone", "subject": "x", "body": "y"},
                  {"to": "all", "subject": "", "body": "y"},
                  {"to": "all", "subject": "x", "body": "mit \x00"}):  # fmt: skip
        assert_german_error(await client.post(url, json=wrong, headers=auth), 422)
    member_auth = await token_of(db, first)
    assert_german_error(
        await client.post(
            url, json={"to": "all", "subject": "x", "body": "y"}, headers=member_auth
        ),
        403,
    )

    await sign_in(client, app, organiser.email)
    page = f"/verwaltung/veranstaltungen/{event.id}/nachricht"
    assert "Warteliste" in (await client.get(page)).text  # the message sent above is listed
    data = {"to": "confirmed", "subject": "Zugang", "body": "Guten Tag {name}, bis morgen."}
    preview = await post_form(client, page, page, {**data, "aktion": "vorschau"})
    assert preview.status_code == 200
    assert "Guten Tag Vorname Nachname, bis morgen." in preview.text
    assert "An 2 Person(en) senden" in preview.text
    refused = await post_form(client, page, page, {**data, "subject": "", "aktion": "vorschau"})
    assert refused.status_code == 422 and "Bitte geben Sie einen Betreff an." in refused.text
    sent = await post_form(client, page, page, {**data, "aktion": "senden"})
    assert sent.status_code == 303
    assert (
        "Die Nachricht geht an 2 Person(en)." in (await client.get(sent.headers["location"])).text
    )
    await db.commit()
    written = await db.scalar(select(func.count()).where(OutboxMessage.template == "event_message"))
    assert written == 3


async def test_a_member_holding_an_offer_is_written_to_with_the_waiting_list(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, capacity=1, offer_working_days=2, title="BIUS II")
    holder, offered, waiting = [await factories.member(db) for _ in range(3)]
    held = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    for person in (offered, waiting):
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await services.cancel(db, booking_id=held.booking.id, actor=holder, now=NOW)
    await db.execute(OutboxMessage.__table__.delete())
    await db.commit()

    for audience, expected in (("waiting", 2), ("all", 2), ("confirmed", 0)):
        if not expected:
            with pytest.raises(ValidationFailed):
                await announcements.announce(
                    db, event_id=event.id, draft=announcements.Draft(audience, "Hinweis", "Text"),
                    actor=organiser, now=NOW,
                )  # fmt: skip
            continue
        sent = await announcements.announce(
            db, event_id=event.id, draft=announcements.Draft(audience, "Hinweis", "Text"),
            actor=organiser, now=NOW,
        )  # fmt: skip
        assert sent.recipients == expected, audience
    addressed = await db.scalars(select(OutboxMessage.recipient))
    assert sorted(addressed) == sorted([offered.email, waiting.email] * 2)
