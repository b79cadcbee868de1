"""The trainers' pages: Meine Kurse, the roster of a session, marks, "alle anwesend", the
search and walk-ins, without JavaScript."""

from __future__ import annotations

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.core.formatting import date_de
from booking.members.models import Member
from courses.attendance.models import AttendanceMark
from courses.models import Event, event_trainers
from tests import factories
from tests.factories import participants, training
from tests.pdfs import page_texts
from tests.web import post_form, sign_in


async def trainer_world(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> tuple[Member, Event, str]:
    org = await factories.organisation(db, domain="akademie.example")
    trainer = await factories.member(db, org, role="trainer", email="trainer@akademie.example")
    event = await training(db, trainer, days=1, title="Deeskalation kompakt")
    await sign_in(client, app, "trainer@akademie.example")
    return trainer, event, f"/kurse/{event.id}/termine/{event.sessions[0].id}"


async def marks(db: AsyncSession) -> dict[int, str]:
    await db.commit()  # a fresh snapshot: the pages wrote in their own transactions
    rows = await db.execute(select(AttendanceMark.booking_id, AttendanceMark.status))
    return {booking_id: status for booking_id, status in rows}


async def test_a_trainer_finds_the_course_and_marks_the_roster(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    trainer, event, roster = await trainer_world(client, app, db)
    first, second, third = await participants(db, event, 3)

    upcoming = await factories.event(db, title="Später")
    await db.execute(insert(event_trainers).values(event_id=upcoming.id, member_id=trainer.id))
    await db.commit()
    courses = await client.get("/meine-kurse")
    assert courses.status_code == 200
    assert f'href="/kurse/{event.id}/bescheinigungen"' in courses.text
    export = f"/verwaltung/veranstaltungen/{event.id}/teilnehmende.xlsx"
    assert f'href="{export}"' in courses.text
    assert (await client.get(export)).status_code == 200  # the trainer's own course
    assert f'href="/kurse/{upcoming.id}/bescheinigungen"' not in courses.text  # not begun
    assert "Deeskalation kompakt" in courses.text and f'href="{roster}"' in courses.text
    page = await client.get(roster)
    assert page.status_code == 200
    assert page.text.count('type="radio"') == 12
    for label in ("anwesend", "verspätet", "entschuldigt", "abwesend"):
        assert f"> {label}</label>" in page.text

    saved = await post_form(
        client, roster, roster, {f"mark-{first.id}": "late", f"mark-{second.id}": "absent"}
    )
    assert saved.status_code == 303
    assert await marks(db) == {first.id: "late", second.id: "absent"}
    everyone = await post_form(client, roster, f"{roster}/alle-anwesend")
    assert everyone.status_code == 303
    assert await marks(db) == {first.id: "late", second.id: "absent", third.id: "present"}
    shown = await client.get(roster)
    assert f'name="mark-{first.id}" value="late" checked' in shown.text
    await db.refresh(first)
    assert first.status == "attended"


async def test_the_search_narrows_the_roster_without_javascript(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    _, event, roster = await trainer_world(client, app, db)
    bookings = await participants(db, event, 3)
    person = await db.get(Member, bookings[1].member_id)
    assert person is not None
    found = await client.get(roster, params={"suche": person.last_name})
    assert found.text.count('type="radio"') == 4
    nobody = await client.get(roster, params={"suche": "Niemand"})
    assert "Niemand passt zu" in nobody.text


async def test_a_walk_in_is_added_at_the_door(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    _, event, roster = await trainer_world(client, app, db)
    guest = await factories.member(db)
    added = await post_form(client, roster, f"{roster}/vor-ort", {"email": guest.email.upper()})
    assert added.status_code == 303
    page = await client.get(roster)
    assert guest.display_name in page.text and "vor Ort hinzugefügt" in page.text
    for email in ("niemand@nirgends.example", "a\x00b@x.example", ""):
        refused = await post_form(client, roster, f"{roster}/vor-ort", {"email": email})
        assert refused.status_code == 422
        assert "kein freigeschaltetes Mitglied" in refused.text
    again = await post_form(client, roster, f"{roster}/vor-ort", {"email": guest.email})
    assert again.status_code == 422 and "bereits auf der Teilnahmeliste" in again.text


async def test_bad_marks_and_strangers_get_german_answers(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    _, event, roster = await trainer_world(client, app, db)
    (booking,) = await participants(db, event, 1)
    bad = await post_form(client, roster, roster, {f"mark-{booking.id}": "anwesend"})
    assert bad.status_code == 422 and "Unbekannte Anwesenheit" in bad.text
    assert await marks(db) == {}
    other = await training(db, await factories.member(db, role="trainer"), days=1)
    foreign = await client.get(f"/kurse/{other.id}/termine/{other.sessions[0].id}")
    assert foreign.status_code == 403
    assert "gehört nicht zu Ihren Kursen" in foreign.text
    no_csrf = await client.post(roster, data={f"mark-{booking.id}": "present"})
    assert no_csrf.status_code == 400
    assert await marks(db) == {}


async def test_the_sign_in_sheet_lists_the_participants_with_a_column_per_day(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="akademie.example")
    trainer = await factories.member(db, org, role="trainer", email="trainer@akademie.example")
    event = await training(db, trainer, days=2, title="Deeskalation für Führungskräfte")
    booked = await participants(db, event, 3)
    await sign_in(client, app, "trainer@akademie.example")
    sheet = await client.get(f"/kurse/{event.id}/unterschriftenliste.pdf")
    assert sheet.status_code == 200, sheet.text[-800:]
    assert sheet.headers["content-type"] == "application/pdf"
    (text,) = page_texts(sheet.content)
    assert "Deeskalation für Führungskräfte" in text
    for booking in booked:
        person = await db.get(Member, booking.member_id)
        assert person is not None and person.display_name in text
    for sitting in event.sessions:
        assert date_de(sitting.starts_at) in text
    assert trainer.display_name in text
    other = await training(db, await factories.member(db, role="trainer"), days=1)
    assert (await client.get(f"/kurse/{other.id}/unterschriftenliste.pdf")).status_code == 403
