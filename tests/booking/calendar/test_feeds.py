from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import changes, services
from booking.bookings.models import Booking
from booking.calendar import feeds, itip
from tests import factories
from tests.factories import NOW
from tests.web import post_form, sign_in
from venues.models import OnlineRoom, Venue


async def test_personal_feed_is_secret_and_revocable(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    room = OnlineRoom(name="Raum", meeting_url="https://meet.example/geheim")
    db.add(room)
    await db.commit()
    await factories.organisation(db, domain="amt.example")
    booked = await factories.event(db, title="Gebucht", kind="online_qa", online_room_id=room.id)
    await factories.event(db, title="Nicht gebucht")
    await sign_in(client, app, "p@amt.example")
    await post_form(client, f"/veranstaltungen/{booked.id}", f"/veranstaltungen/{booked.id}/buchen")
    response = await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender")
    assert response.status_code == 303
    page = (await client.get("/meine-buchungen")).text
    assert "<title>Meine Buchungen – #sicherimDienst</title>" in page
    assert page.count('id="kalender"') == 1
    url = page.split('id="feed-url" type="text" readonly value="', 1)[1].split('"', 1)[0]
    path = url.removeprefix("http://testserver")
    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with anonymous:
        feed = await anonymous.get(path)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        cal = Calendar.from_ical(feed.content)
        assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Gebucht"]
        assert "meet.example/geheim" in feed.text
        await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender")
        assert (await anonymous.get(path)).status_code == 404
        await post_form(client, "/meine-buchungen", "/meine-buchungen/kalender/abschalten")
        assert "Kalender-Abo einrichten" in (await client.get("/meine-buchungen")).text
        assert (await anonymous.get("/kalender/erfunden.ics")).status_code == 404


async def test_programme_feed_has_no_meeting_links(
    client: httpx.AsyncClient, db: AsyncSession, frozen_time: None
) -> None:
    room = OnlineRoom(name="Raum", meeting_url="https://meet.example/geheim")
    db.add(room)
    await db.commit()
    await factories.event(db, title="Sprechstunde", kind="online_qa", online_room_id=room.id)
    await factories.event(db, title="Entwurf", status="draft")
    response = await client.get("/programm.ics")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Sprechstunde"]
    assert "geheim" not in response.text
    assert cal.walk("VTIMEZONE")


async def test_invitation_download(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=1)
    other = await factories.member(db, org)
    others = await services.book(db, event_id=event.id, member_id=other.id, now=NOW)
    await sign_in(client, app, "p@amt.example")
    waiting = await post_form(
        client, f"/veranstaltungen/{event.id}", f"/veranstaltungen/{event.id}/buchen"
    )
    assert waiting.status_code == 303
    assert (await client.get(f"/buchungen/{others.booking.id}/einladung.ics")).status_code == 403
    assert (await client.get("/buchungen/99999/einladung.ics")).status_code == 404
    await db.commit()
    own_waiting = await db.scalar(
        select(Booking.id).where(Booking.event_id == event.id, Booking.status == "waiting")
    )
    assert (await client.get(f"/buchungen/{own_waiting}/einladung.ics")).status_code == 409
    await services.cancel(db, booking_id=others.booking.id, actor=other, now=NOW)
    mine = (await client.get("/meine-buchungen")).text
    booking_id = mine.split("/buchungen/", 1)[1].split("/einladung.ics", 1)[0]
    response = await client.get(f"/buchungen/{booking_id}/einladung.ics")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "REQUEST"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:p@amt.example"


def summaries(response: httpx.Response) -> list[str]:
    return sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))


async def test_programme_feed_covers_a_window_and_marks_cancelled_events(
    client: httpx.AsyncClient, db: AsyncSession, frozen_time: None
) -> None:
    await factories.event(db, title="Lange vorbei", starts_in=timedelta(days=-40))
    await factories.event(db, title="Eben vorbei", starts_in=timedelta(days=-20))
    await factories.event(db, title="Bald", starts_in=timedelta(days=10))
    await factories.event(db, title="Abgesagt", status="cancelled")
    await factories.event(db, title="Übernächstes Jahr", starts_in=timedelta(days=400))
    response = await client.get("/programm.ics")
    assert summaries(response) == ["Abgesagt", "Bald", "Eben vorbei"]
    statuses = {
        str(e["SUMMARY"]): str(e["STATUS"])
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert statuses == {"Abgesagt": "CANCELLED", "Bald": "CONFIRMED", "Eben vorbei": "CONFIRMED"}


async def test_programme_feed_answers_304_until_something_changes(
    client: httpx.AsyncClient, db: AsyncSession, frozen_time: None
) -> None:
    event = await factories.event(db, title="Bald")
    first = await client.get("/programm.ics")
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag
    again = await client.get("/programm.ics", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    # Weak comparison: a proxy may strip the W/, and a client may list several tags.
    for candidates in (tag.removeprefix("W/"), f'"anderes", {tag}', "*"):
        cached = await client.get("/programm.ics", headers={"If-None-Match": candidates})
        assert cached.status_code == 304, candidates
    other = await client.get("/programm.ics", headers={"If-None-Match": '"anderes"'})
    assert other.status_code == 200

    organiser = await factories.member(db, role="organiser")
    sitting = event.sessions[0]
    new_start = sitting.starts_at + timedelta(hours=1)
    await changes.change_sessions(
        db,
        event_id=event.id,
        changes=[changes.SessionChange(sitting.id, new_start, sitting.ends_at)],
        actor=organiser,
        now=NOW,
    )
    moved = await client.get("/programm.ics", headers={"If-None-Match": tag})
    assert moved.status_code == 200 and moved.headers["etag"] != tag
    [vevent] = Calendar.from_ical(moved.content).walk("VEVENT")
    assert vevent.decoded("dtstart") == new_start

    await factories.event(db, title="Neu")
    added = await client.get("/programm.ics", headers={"If-None-Match": moved.headers["etag"]})
    assert added.status_code == 200 and summaries(added) == ["Bald", "Neu"]


async def test_personal_feed_reaches_back_as_far_as_meine_buchungen(db: AsyncSession) -> None:
    person = await factories.member(db)
    person.calendar_token = "a" * 43
    for days, title in ((-760, "Lange her"), (-30, "Letzten Monat"), (20, "Bald")):
        event = await factories.event(db, title=title, starts_in=timedelta(days=days))
        db.add(Booking(event_id=event.id, member_id=person.id, status="confirmed"))
    await db.commit()
    body = await feeds.member_feed(db, "a" * 43, now=NOW, base_url="http://testserver")
    assert body is not None
    titles = sorted(str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT"))
    assert titles == ["Bald", "Letzten Monat"]


async def test_the_feeds_tag_follows_what_it_shows_and_nothing_else(db: AsyncSession) -> None:
    venue = Venue(name="Haus", street="Weg 1", postcode="48143", city="Münster", region="Münster")
    db.add(venue)
    await db.commit()
    event = await factories.event(db, venue_id=venue.id)
    conference = await factories.event(db, kind="conference", status="draft")
    await factories.event(db, kind="workshop", parent_id=conference.id)

    async def tag() -> str:
        return await feeds.fingerprint(db, NOW, "http://testserver")

    first = await tag()
    event.capacity += 10  # not in the feed
    await db.commit()
    assert await tag() == first
    venue.street = "Weg 2"
    await db.commit()
    moved = await tag()
    assert moved != first
    conference.status = "published"  # its workshop becomes public
    await db.commit()
    assert await tag() != moved
    assert await feeds.fingerprint(db, NOW, "https://anderswo.example") != await tag()


async def test_the_public_feed_written_in_parts_is_one_calendar(
    client: httpx.AsyncClient,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    frozen_time: None,
) -> None:
    monkeypatch.setattr(feeds, "FEED_PART", 3)
    titles = [f"Termin {n:02}" for n in range(8)]
    for n, title in enumerate(titles):
        await factories.event(db, title=title, days=1 + n % 2, starts_in=timedelta(days=2 + n))
    body = (await client.get("/programm.ics")).content
    calendar = Calendar.from_ical(body)
    assert body.count(b"BEGIN:VCALENDAR") == 1 and body.count(b"BEGIN:VTIMEZONE") == 1
    summaries = sorted(str(e["SUMMARY"]).split(" (Tag")[0] for e in calendar.walk("VEVENT"))
    assert sorted(set(summaries)) == titles and len(summaries) == 12
    whole = itip.feed(
        [itip.FeedEntry(e) for e in await feeds.programme_window(db, NOW)],
        name="#sicherimDienst Programm",
        dtstamp=NOW,
        base_url="http://testserver",
    )
    assert body.decode() == whole  # the same calendar as written in one piece
