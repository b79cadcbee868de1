"""The organisers' event page: capacity, moving a session, calling the event off."""

from __future__ import annotations

import csv
import html
import io
import re

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services
from booking.bookings.models import Booking
from booking.core.db import utcnow
from booking.core.formatting import BERLIN, date_de
from courses import manage, messages
from courses.attendance import services as attendance
from tests import factories
from tests.factories import NOW
from tests.web import csrf_token, post_form, sign_in


async def test_organiser_raises_capacity_and_waiting_move_up(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db, org) for _ in range(3)]
    for p in people:
        await services.book(db, event_id=event.id, member_id=p.id, now=NOW)
    await sign_in(client, app, "orga@amt.example")
    page = await client.get(f"/verwaltung/veranstaltungen/{event.id}")
    assert page.status_code == 200
    assert people[0].email in page.text and people[1].email not in page.text
    waiting = await client.get(f"/verwaltung/veranstaltungen/{event.id}?liste=warteliste")
    assert all(p.email in waiting.text for p in people[1:])
    response = await client.post(
        f"/verwaltung/veranstaltungen/{event.id}",
        data={"csrf_token": csrf_token(page.text), "capacity": "2", "seats_per_organisation": ""},
    )
    assert response.status_code == 303
    rows = await db.execute(
        select(Booking.status).where(Booking.event_id == event.id).order_by(Booking.id)
    )
    assert [s for (s,) in rows] == ["confirmed", "confirmed", "waiting"]


async def test_capacity_form_rejects_bad_input(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=5)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}"
    for value in ("", "-1", "abc", "1e9", "100001", "9" * 40):
        response = await post_form(client, url, url, {"capacity": value})
        assert response.status_code == 422, value
        assert "Bitte korrigieren Sie" in response.text
    no_csrf = await client.post(url, data={"capacity": "9"})
    assert no_csrf.status_code == 400
    await db.commit()
    await db.refresh(event)
    assert event.capacity == 5


async def test_members_cannot_manage_events(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=5)
    await sign_in(client, app, "person@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}"
    assert (await client.get(url)).status_code == 403
    assert (await post_form(client, "/meine-buchungen", url, {"capacity": "50"})).status_code == 403
    assert await db.scalar(select(func.count()).select_from(Booking)) == 0
    await db.commit()
    await db.refresh(event)
    assert event.capacity == 5


async def test_organiser_moves_a_session_and_cancels_the_event(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    from booking.mail.models import OutboxMessage

    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=5)
    person = await factories.member(db, org)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/termine/{event.sessions[0].id}"
    bad = await post_form(
        client, url, url, {"day": "2030-02-30", "starts": "09:00", "ends": "16:00"}
    )
    assert bad.status_code == 422 and "ein Datum zwischen 2000 und 2100" in bad.text
    backwards = await post_form(
        client, url, url, {"day": "2030-03-12", "starts": "16:00", "ends": "09:00"}
    )
    assert backwards.status_code == 422 and "Ein Termin muss nach seinem Beginn enden" in (
        backwards.text
    )
    moved = await post_form(client, url, url, {"day": "12.3.2030", "starts": "9", "ends": "16:00"})
    assert moved.status_code == 303
    page = await client.get(f"/veranstaltungen/{event.id}")
    assert "Di., 12.03.2030, 09:00–16:00 Uhr" in page.text
    cancel_url = f"/verwaltung/veranstaltungen/{event.id}/absagen"
    response = await post_form(client, cancel_url, cancel_url, {"reason": "Erkrankung"})
    assert response.status_code == 303
    assert "wurde abgesagt" in (await client.get(f"/veranstaltungen/{event.id}")).text
    await db.commit()
    templates = [
        t
        for (t,) in await db.execute(
            select(OutboxMessage.template)
            .where(OutboxMessage.recipient == person.email)
            .order_by(OutboxMessage.id)
        )
    ]
    assert templates == ["booking_confirmed", "event_changed", "event_cancelled"]
    other_url = f"/verwaltung/veranstaltungen/{event.id}/termine/999999"
    assert (await client.get(other_url)).status_code == 404


async def test_cancel_event_form_refuses_oversized_reason(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/absagen"
    response = await post_form(client, url, url, {"reason": "x" * 1001})
    assert response.status_code == 422
    assert "Höchstens 1000 Zeichen" in response.text
    assert (await client.post(url, data={"reason": "ok"})).status_code == 400
    await db.commit()
    await db.refresh(event)
    assert event.status == "published"


async def test_cancel_event_form_refuses_control_characters_in_the_reason(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    """The reason goes into the mails and the audit log; a NUL byte (which PostgreSQL refuses
    in text) or another control character is refused at the field, the event stays on."""
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/absagen"
    for reason in ("Raum\x00gesperrt", "Raum\x1bgesperrt"):
        response = await post_form(client, url, url, {"reason": reason})
        assert response.status_code == 422
        assert "Die Begründung enthält Steuerzeichen" in response.text
    await db.commit()
    await db.refresh(event)
    assert event.status == "published"


async def test_move_form_keeps_dates_within_2000_to_2100(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db)
    before = (event.sessions[0].starts_at, event.sessions[0].ends_at)
    await sign_in(client, app, "orga@amt.example")
    url = f"/verwaltung/veranstaltungen/{event.id}/termine/{event.sessions[0].id}"
    for day, starts, message in (
        ("0001-01-01", "00:30", messages.DAY_FORMAT),
        ("1999-12-31", "00:30", messages.DAY_FORMAT),
        ("31.12.1999", "00:30", messages.DAY_FORMAT),
        ("2101-01-01", "00:30", messages.DAY_FORMAT),
        ("9999-12-31", "23:30", messages.DAY_FORMAT),
        ("30.02.2030", "00:30", messages.DAY_FORMAT),
        ("1.1.2030 x", "00:30", messages.DAY_FORMAT),
        ("12.03.", "00:30", messages.DAY_FORMAT),
        ("2030-01-01", "0:30 x", messages.CLOCK_FORMAT),
        ("2030-01-01", "24:00", messages.CLOCK_FORMAT),
        ("2030-01-01", "9:5", messages.CLOCK_FORMAT),
    ):
        data = {"day": day, "starts": starts, "ends": "23:45"}
        response = await post_form(client, url, url, data)
        assert response.status_code == 422, day
        assert message in response.text, day
    await db.commit()
    await db.refresh(event, ["sessions"])
    assert (event.sessions[0].starts_at, event.sessions[0].ends_at) == before


async def test_participants_waiting_list_and_cancelled_are_separate_lists_in_pages(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manage, "LIST_PAGE", 2)
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    event = await factories.event(db, capacity=2)
    people = [await factories.member(db, org) for _ in range(7)]
    bookings = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking
        for p in people
    ]
    await services.cancel(db, booking_id=bookings[6].id, actor=people[6], now=NOW)
    await sign_in(client, app, "orga@amt.example")
    base = f"/verwaltung/veranstaltungen/{event.id}"

    first = await client.get(base)
    for label in (
        'Teilnehmende <span class="count">(2)',
        'Warteliste <span class="count">(4)',
        'Storniert <span class="count">(1)',
    ):
        assert label in first.text
    assert "Anfragen" not in first.text
    assert [p.email in first.text for p in people] == [True, True] + [False] * 5

    rows: list[tuple[str, str]] = []
    url: str | None = f"{base}?liste=warteliste"
    while url:
        page = await client.get(url)
        assert page.status_code == 200
        rows += re.findall(
            r'data-label="Platz">(\d+)</td>\s*<th scope="row" data-label="Name">'
            r"([^<]+)</th>",
            page.text,
        )
        link = re.search(r'href="([^"]+)" rel="next"', page.text)
        url = html.unescape(link[1]) if link else None
    assert rows == [(str(n), p.display_name) for n, p in enumerate(people[2:6], start=1)]

    cancelled = await client.get(f"{base}?liste=storniert")
    assert people[6].email in cancelled.text and people[0].email not in cancelled.text


NEW = "/verwaltung/veranstaltungen/neu"


async def test_an_organiser_creates_a_training_on_the_web(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    from datetime import UTC, datetime

    from courses.models import Event
    from venues.models import Room, Venue

    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    venue = Venue(name="Polizeipräsidium Münster", city="Münster", region="Münster",
                  rooms=[Room(name="Sporthalle", capacity=20)])  # fmt: skip
    other = Venue(name="Rathaus", city="Bonn", region="Köln", rooms=[Room(name="Saal", capacity=9)])
    db.add_all([venue, other])
    await db.commit()
    await sign_in(client, app, (await factories.member(db)).email)
    assert (await client.get(NEW)).status_code == 403
    await sign_in(client, app, organiser.email)
    page = await client.get(NEW)
    assert page.status_code == 200 and page.text.count('class="session-row"') == 3

    data = {
        "kind": "training", "title": "BIUS I: Grundlagen", "capacity": "14",
        "sessions-0-day": "12.03.2030", "sessions-0-starts": "8:30", "sessions-0-ends": "16:30",
        "sessions-0-units": "8",
        "sessions-1-day": "13.3.30", "sessions-1-starts": "8.30", "sessions-1-ends": "16:30 Uhr",
        "venue": str(venue.id), "room": str(venue.rooms[0].id), "sectors": ["polizei", "schule"],
        "course_code": "BIUS-I", "trainers": f"\n  {trainer.email.upper()}  \n",
        "certificate_content": "Eigensicherung\n\nDeeskalation",
        "deadline_day": "26.02.2030",
    }  # fmt: skip
    more = await post_form(client, NEW, NEW, {**data, "aktion": "termin"})
    assert more.status_code == 200 and more.text.count('class="session-row"') == 4
    assert 'value="BIUS I: Grundlagen"' in more.text and "Bitte korrigieren" not in more.text

    for wrong, message in (
        ({"title": ""}, messages.TITLE_REQUIRED),
        ({"title": "BIUS\x00"}, messages.CONTROL_CHARS),
        ({"summary": "Kurz\x01"}, messages.CONTROL_CHARS),
        ({"course_code": "BIUS\x7f"}, messages.CONTROL_CHARS),
        ({"title": "Zwei\nZeilen"}, messages.CONTROL_CHARS),
        ({"sessions-0-day": "31.02.2030"}, messages.DAY_FORMAT),
        ({"sessions-1-ends": "7:00"}, messages.SESSION_ORDER),
        ({"sessions-1-starts": ""}, messages.SESSION_INCOMPLETE),
        ({"room": str(other.rooms[0].id)}, messages.ROOM_NOT_AT_VENUE),
        ({"room": "999999"}, "Keine gültige Auswahl"),
        ({"trainers": "niemand@nirgends.example"}, "niemand@nirgends.example ist kein"),
        ({"certificate_content": "x\n" * 9}, "Höchstens 8 Zeilen"),
    ):
        refused = await post_form(client, NEW, NEW, {**data, **wrong, "aktion": "entwurf"})
        assert refused.status_code == 422, wrong
        assert html.escape(message, quote=False) in refused.text or message in refused.text, wrong
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(Event)) == 0

    created = await post_form(client, NEW, NEW, {**data, "aktion": "veroeffentlichen"})
    assert created.status_code == 303
    event_id = int(created.headers["location"].rsplit("/", 1)[1])
    await db.commit()
    event = await db.get(Event, event_id)
    assert event is not None
    await db.refresh(event, ["sessions", "trainers", "sectors"])
    assert (event.status, event.kind, event.capacity, event.room_id) == (
        "published",
        "training",
        14,
        venue.rooms[0].id,
    )
    assert [(s.starts_at, s.teaching_units) for s in event.sessions] == [
        (datetime(2030, 3, 12, 7, 30, tzinfo=UTC), 8),
        (datetime(2030, 3, 13, 7, 30, tzinfo=UTC), None),
    ]
    assert event.registration_deadline == datetime(2030, 2, 26, 22, 59, tzinfo=UTC)
    assert [t.id for t in event.trainers] == [trainer.id]
    assert event.target_sectors == ["polizei", "schule"]
    assert event.certificate_lines == ["Eigensicherung", "Deeskalation"]


async def test_an_organiser_edits_details_and_place_and_publishes_a_draft(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    from booking.mail.models import OutboxMessage
    from courses.models import Event
    from venues.models import Room, Venue

    organiser = await factories.member(db, role="organiser")
    first = Venue(
        name="Polizeipräsidium Münster",
        street="Friesenring 43",
        postcode="48147",
        city="Münster",
        region="Münster",
        rooms=[Room(name="Sporthalle", capacity=20)],
    )
    second = Venue(name="Rathaus", street="Markt 1", postcode="53111", city="Bonn",
                   region="Köln", rooms=[Room(name="Saal", capacity=30)])  # fmt: skip
    db.add_all([first, second])
    await db.commit()
    event = await factories.event(db, status="draft", title="BIUS I", venue_id=first.id)
    person = await factories.member(db)
    await sign_in(client, app, organiser.email)
    manage_url = f"/verwaltung/veranstaltungen/{event.id}"
    page = (await client.get(manage_url)).text
    assert "Entwurf" in page and f"{manage_url}/veroeffentlichen" in page
    assert (await post_form(client, manage_url, f"{manage_url}/veroeffentlichen")).is_redirect
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)

    edit = f"{manage_url}/bearbeiten"
    form = await client.get(edit)
    assert form.status_code == 200 and 'value="BIUS I"' in form.text
    base = {"title": "BIUS I: Grundlagen", "venue": str(first.id), "deadline_day": "1.2.2030"}
    renamed = await post_form(client, edit, edit, base)
    assert renamed.status_code == 303
    await db.commit()
    mails = select(OutboxMessage.template).where(OutboxMessage.recipient == person.email)
    assert list(await db.scalars(mails)) == ["booking_confirmed"]  # a new title: no mail

    for wrong, message in (
        ({"title": "x"}, messages.TITLE_LENGTH),
        ({"room": str(second.rooms[0].id)}, messages.ROOM_NOT_AT_VENUE),
        ({"opens_day": "2.2.2030"}, messages.WINDOW_ORDER),
        ({"deadline_time": "25:00"}, messages.CLOCK_FORMAT),
    ):
        refused = await post_form(client, edit, edit, {**base, **wrong})
        assert refused.status_code == 422 and message in refused.text, wrong
    moved = await post_form(
        client, edit, edit, {**base, "venue": str(second.id), "room": str(second.rooms[0].id)}
    )
    assert moved.status_code == 303
    await db.commit()
    stored = await db.get(Event, event.id)
    assert stored is not None
    await db.refresh(stored)
    assert (stored.title, stored.venue_id, stored.room_id, stored.sequence) == (
        "BIUS I: Grundlagen",
        second.id,
        second.rooms[0].id,
        1,
    )
    changed = await db.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient == person.email, OutboxMessage.template == "event_changed"
        )
    )
    assert changed is not None
    assert changed.context["changes"] == [{
        "what": "Ort", "new": "Rathaus, Markt 1, 53111 Bonn, Raum Saal",
        "old": "Polizeipräsidium Münster, Friesenring 43, 48147 Münster",
    }]  # fmt: skip


async def test_an_organiser_copies_an_event_to_a_new_date(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    event = await factories.event(db, title="Netzwerktreffen")
    await sign_in(client, app, organiser.email)
    url = f"/verwaltung/veranstaltungen/{event.id}/kopieren"
    assert (
        "Zu einem neuen Termin kopieren"
        in (await client.get(f"/verwaltung/veranstaltungen/{event.id}")).text
    )
    for wrong in ("", "31.02.2031", "1.1.1999"):
        refused = await post_form(client, url, url, {"first_day": wrong})
        assert refused.status_code == 422, wrong
    copied = await post_form(client, url, url, {"first_day": "3.6.2031"})
    assert copied.status_code == 303
    page = await client.get(copied.headers["location"])
    assert "Entwurf" in page.text and "Di., 03.06.2031" in page.text


# -- the participants as CSV and XLSX -------------------------------------------------------------


async def test_organiser_downloads_the_participants_from_the_event_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example", sector="justiz", region="Köln")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    conference = await factories.event(db, kind="conference", capacity=5)
    forum = await factories.event(
        db, kind="workshop", parent_id=conference.id, title="Forum: =Recht"
    )
    person = await factories.member(db, org)
    person.first_name, person.last_name = "@Ayşe", '=HYPERLINK("http://x","y")'
    await db.commit()
    for event_id in (conference.id, forum.id):
        await services.book(db, event_id=event_id, member_id=person.id, now=NOW)
    await sign_in(client, app, "orga@amt.example")

    page = await client.get(f"/verwaltung/veranstaltungen/{conference.id}")
    links = re.findall(r'href="(/verwaltung/veranstaltungen/\d+/teilnehmende\.\w+)"', page.text)
    assert links == [
        f"/verwaltung/veranstaltungen/{conference.id}/teilnehmende.csv",
        f"/verwaltung/veranstaltungen/{conference.id}/teilnehmende.xlsx",
    ]
    assert "Teilnehmende als CSV" in page.text and "als Excel (XLSX)" in page.text

    before = utcnow()
    as_csv, as_xlsx = [await client.get(link) for link in links]
    # The day of the download in Berlin (the requests may straddle midnight).
    days = {moment.astimezone(BERLIN).date().isoformat() for moment in (before, utcnow())}
    for response, extension in ((as_csv, "csv"), (as_xlsx, "xlsx")):
        assert response.status_code == 200
        assert response.headers["content-disposition"] in {
            f'attachment; filename="teilnehmende-{conference.id}-{day}.{extension}"' for day in days
        }
        assert response.headers["cache-control"] == "no-store"
    text = as_csv.content.decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    assert header[-1] == "Workshops"
    assert row[:2] == ["'" + person.last_name, "'@Ayşe"]
    assert row[4:7] == ["Justiz", "Köln", "bestätigt"]
    assert row[-1] == "Forum: =Recht"
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["Teilnehmende"]
    assert [c.value for c in sheet[2]][:2] == [person.last_name, "@Ayşe"]
    assert sheet["A2"].data_type == sheet["B2"].data_type == "s"
    assert sheet.cell(1, sheet.max_column).value == "Workshops"


async def test_the_export_has_a_column_per_session_once_attendance_is_marked(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    trainer = await factories.member(db, org, role="trainer")
    event = await factories.training(db, trainer)
    first, second = event.sessions
    came, missed = await factories.participants(db, event, 2)
    marks = [(came.id, "late"), (missed.id, "absent")]
    await attendance.mark(
        db, event_id=event.id, session_id=second.id, marks=marks, actor=trainer, now=NOW
    )
    await sign_in(client, app, "orga@amt.example")

    response = await client.get(f"/verwaltung/veranstaltungen/{event.id}/teilnehmende.xlsx")

    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == [f"Anwesenheit {date_de(s.starts_at)}" for s in (first, second)]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[6], *row[-2:]) for row in rows] == [
        ("teilweise teilgenommen", None, "verspätet"),
        ("nicht erschienen", None, "abwesend"),
    ]  # the outcome in the status column, then one column per session


async def test_members_and_visitors_get_no_participant_list(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await factories.organisation(db, domain="amt.example")
    event = await factories.event(db, capacity=5)
    url = f"/verwaltung/veranstaltungen/{event.id}/teilnehmende.csv"

    signed_out = await client.get(url)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == f"/anmelden?weiter={url}"
    await sign_in(client, app, "person@amt.example")
    for extension in ("csv", "xlsx"):
        refused = await client.get(
            f"/verwaltung/veranstaltungen/{event.id}/teilnehmende.{extension}"
        )
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "sehen nur die Geschäftsstelle" in html.unescape(refused.text)
        unknown = await client.get(f"/verwaltung/veranstaltungen/999999/teilnehmende.{extension}")
        assert unknown.status_code == 404
        assert "Diese Veranstaltung gibt es nicht." in html.unescape(unknown.text)


# -- people: on behalf, positions, removal, the audit log ------------------------------------------


async def organiser_signed_in(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, role="organiser", email="orga@amt.example")
    await db.commit()  # no read transaction of ours outlives the app's writes (SQLite)
    await sign_in(client, app, "orga@amt.example")


async def test_organiser_books_a_member_on_the_page(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await organiser_signed_in(client, app, db)
    event = await factories.event(db, capacity=1, seats_per_organisation=1)
    org = await factories.organisation(db)
    first, second = await factories.member(db, org), await factories.member(db, org)
    page = f"/verwaltung/veranstaltungen/{event.id}"
    action = f"{page}/anmelden"

    done = await post_form(client, page, action, {"email": first.email})
    assert done.status_code == 303
    shown = await client.get(page)
    assert first.email in shown.text and "durch die Geschäftsstelle" in shown.text

    unknown = await post_form(client, page, action, {"email": "niemand@amt.example"})
    assert unknown.status_code == 422
    assert "Unter dieser Adresse ist niemand registriert" in unknown.text
    assert 'aria-invalid="true"' in unknown.text
    no_reason = await post_form(
        client, page, action, {"email": second.email, "override_limit": "y"}
    )
    assert no_reason.status_code == 422
    assert "Bitte begründen Sie" in no_reason.text
    again = await post_form(client, page, action, {"email": first.email})
    assert again.status_code == 422
    assert "Die Person ist für diese Veranstaltung bereits angemeldet" in again.text
    await db.commit()
    count = await db.scalar(select(func.count()).select_from(Booking))
    assert count == 1

    waits = await post_form(client, page, action, {"email": second.email})
    assert waits.status_code == 303
    listed = await client.get(f"{page}?liste=warteliste")
    assert second.email in listed.text and 'id="platz-' in listed.text


async def test_organiser_moves_people_on_the_waiting_list(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await organiser_signed_in(client, app, db)
    event = await factories.event(db, capacity=1)
    people = [await factories.member(db) for _ in range(4)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    page = f"/verwaltung/veranstaltungen/{event.id}?liste=warteliste"
    moved = await post_form(
        client, page, f"/verwaltung/buchungen/{ids[3]}/platz", {"position": "1"}
    )
    assert moved.status_code == 303
    listed = (await client.get(page)).text
    order = [listed.index(people[n].email) for n in (3, 1, 2)]
    assert order == sorted(order)
    assert "Protokoll" in listed and "Auf der Warteliste verschoben" in listed

    for value in ("0", "9", "zwei", ""):
        refused = await post_form(
            client, page, f"/verwaltung/buchungen/{ids[1]}/platz", {"position": value}
        )
        assert refused.status_code == 422, value
        assert f'id="platz-{ids[1]}-error"' in refused.text
        assert f'href="#platz-{ids[1]}"' in refused.text
    seated = await post_form(
        client, page, f"/verwaltung/buchungen/{ids[0]}/platz", {"position": "1"}
    )
    assert seated.status_code == 409
    protocol = await client.get(f"/verwaltung/veranstaltungen/{event.id}/protokoll")
    assert protocol.status_code == 200
    assert protocol.text.count("Auf der Warteliste verschoben") == 1


async def test_removal_with_a_reason_reaches_the_mail_and_the_protocol(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    await organiser_signed_in(client, app, db)
    event = await factories.event(db, capacity=1)
    person = await factories.member(db)
    booking = (await services.book(db, event_id=event.id, member_id=person.id, now=NOW)).booking
    back = f"/verwaltung/veranstaltungen/{event.id}"
    action = f"/buchungen/{booking.id}/stornieren?zurueck={back}"
    form = await client.get(action)
    assert "Begründung für die Person" in form.text
    nul = await client.post(action, data={"csrf_token": csrf_token(form.text), "reason": "a\x00b"})
    assert nul.status_code in (400, 422)
    still = await db.get(Booking, booking.id, populate_existing=True)
    assert still is not None and still.status == "confirmed"
    done = await post_form(client, action, action, {"reason": "Krankheitsbedingt abgemeldet"})
    assert done.status_code == 303
    protocol = await client.get(f"{back}/protokoll")
    assert "Buchung entfernt" in protocol.text
    assert "Krankheitsbedingt abgemeldet" in protocol.text
    assert "bestätigt → storniert" in protocol.text


async def test_people_actions_are_for_organisers_only(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    await factories.member(db, org, email="mitglied@amt.example")
    event = await factories.event(db, capacity=0)
    waiting = await factories.member(db)
    booking = (await services.book(db, event_id=event.id, member_id=waiting.id, now=NOW)).booking
    await sign_in(client, app, "mitglied@amt.example")
    home = (await client.get("/")).text
    token = csrf_token(home)
    responses = [
        await client.post(
            f"/verwaltung/veranstaltungen/{event.id}/anmelden",
            data={"csrf_token": token, "email": waiting.email},
        ),
        await client.post(
            f"/verwaltung/buchungen/{booking.id}/platz", data={"csrf_token": token, "position": "1"}
        ),
        await client.get(f"/verwaltung/veranstaltungen/{event.id}/protokoll"),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]


async def test_a_conference_shows_its_workshops_by_slot_and_adds_one(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    conference = await factories.event(db, kind="conference", capacity=100)
    first, second = [
        await factories.event(db, kind="workshop", parent_id=conference.id, capacity=cap)
        for cap in (12, 20)
    ]
    await organiser_signed_in(client, app, db)
    page = await client.get(f"/verwaltung/veranstaltungen/{conference.id}")
    assert "2 parallel" in page.text
    assert f'href="/verwaltung/veranstaltungen/{first.id}"' in page.text
    assert "0 von 20 Plätzen belegt" in page.text
    add = f"/verwaltung/veranstaltungen/neu?gehoert_zu={conference.id}"
    assert add in page.text
    form = await client.get(add)
    assert re.search(rf'<option selected value="{conference.id}">', form.text)
    assert re.search(r'<option selected value="workshop">', form.text)
    workshop_page = await client.get(f"/verwaltung/veranstaltungen/{second.id}")
    assert f'href="/verwaltung/veranstaltungen/{conference.id}"' in workshop_page.text
    unknown = await client.get("/verwaltung/veranstaltungen/neu?gehoert_zu=999999")
    assert unknown.status_code == 200
    assert '<option selected value="">– keine –</option>' in unknown.text
