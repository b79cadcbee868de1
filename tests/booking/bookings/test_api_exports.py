"""An event's bookings as CSV and XLSX through the API, read back with Python's csv module
and openpyxl: hostile names stay text, the file's name and headers, who gets it. Time
stands still at factories.NOW."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import services
from booking.core.db import utcnow
from booking.core.formatting import BERLIN
from booking.core.spreadsheets import XLSX_MEDIA_TYPE
from courses.models import event_trainers
from tests import factories
from tests.api import World, assert_german_error, snapshot, token_of
from tests.factories import NOW

pytestmark = pytest.mark.usefixtures("frozen_time")

HOSTILE_NAME = '=HYPERLINK("http://x","y")'
HOSTILE = [HOSTILE_NAME, "+1", "-1", "@SUM(1)"]


async def hostile_event(db: AsyncSession, world: World) -> int:
    """The world's event with members named like formulas: one confirmed (besides the
    world's booking), the others on the waiting list."""
    org = await factories.organisation(db)
    org.name = "-Amt für =Sicherheit"
    await db.commit()
    for text in HOSTILE:
        person = await factories.member(db, org)
        person.first_name, person.last_name = text, text
        await db.commit()
        await services.book(db, event_id=world.event.id, member_id=person.id, now=NOW)
    return world.event.id


def filenames(event_id: int, extension: str) -> set[str]:
    """The attachment's name on the day of the download in Berlin: today's, or yesterday's
    when the test crossed midnight."""
    now = utcnow().astimezone(BERLIN)
    days = {day.date().isoformat() for day in (now, now - timedelta(minutes=10))}
    return {f'attachment; filename="teilnehmende-{event_id}-{day}.{extension}"' for day in days}


async def test_the_csv_opens_in_german_excel_with_formulas_as_text(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    event_id = await hostile_event(db, world)
    before = await snapshot(db)

    response = await client.get(
        f"/api/v1/events/{event_id}/bookings.csv", headers=world.organiser_auth
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] in filenames(event_id, "csv")
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbfNachname;Vorname;E-Mail;")
    assert response.content.endswith(b"\r\n")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, *body = rows
    assert header[:9] == [
        "Nachname", "Vorname", "E-Mail", "Organisation", "Bereich", "Regierungsbezirk",
        "Status", "Wartelistenplatz", "Gebucht am",
    ]  # fmt: skip
    assert [r[0] for r in body] == [world.other.last_name, *("'" + t for t in HOSTILE)]
    assert [r[1] for r in body][1:] == ["'" + t for t in HOSTILE]
    assert {r[3] for r in body[1:]} == {"'-Amt für =Sicherheit"}
    assert [r[6] for r in body] == ["bestätigt", "bestätigt", "bestätigt", "bestätigt", "bestätigt"]
    assert body[0][8] == NOW.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    assert await snapshot(db) == before


async def test_the_xlsx_keeps_hostile_names_as_text_and_counts_the_waiting_list(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    world.event.capacity = 2
    await db.commit()
    event_id = await hostile_event(db, world)

    response = await client.get(
        f"/api/v1/events/{event_id}/bookings.xlsx", headers=world.organiser_auth
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"] in filenames(event_id, "xlsx")
    assert response.headers["cache-control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Nachname" and rows[0][0].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I6"
    names = [row[0] for row in rows[1:]]
    assert [c.value for c in names] == [world.other.last_name, *HOSTILE]
    for cell, text in zip(names[1:], HOSTILE, strict=True):
        assert cell.data_type == "s" and cell.value.startswith(text)
    assert [row[6].value for row in rows[1:]] == ["bestätigt"] * 2 + ["Warteliste"] * 3
    assert [row[7].value for row in rows[1:]] == [None, None, 1, 2, 3]
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml and b"HYPERLINK" in xml


async def test_an_events_trainer_may_download_it_too(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    trainer = await factories.member(db, role="trainer")
    await db.execute(insert(event_trainers).values(event_id=world.event.id, member_id=trainer.id))
    await db.commit()

    response = await client.get(
        f"/api/v1/events/{world.event.id}/bookings.xlsx", headers=await token_of(db, trainer)
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
async def test_strangers_get_german_refusals(
    client: httpx.AsyncClient, world: World, db: AsyncSession, extension: str
) -> None:
    url = f"/api/v1/events/{world.event.id}/bookings.{extension}"
    before = await snapshot(db)

    missing = assert_german_error(await client.get(url), 401, "not_authenticated")
    assert "API-Token" in missing["message"]
    wrong = await client.get(url, headers={"Authorization": "Bearer sid_falsch"})
    assert_german_error(wrong, 401, "not_authenticated")
    member = assert_german_error(await client.get(url, headers=world.member_auth), 403, "forbidden")
    assert "Geschäftsstelle" in member["message"]
    booked = await client.get(url, headers=world.other_auth)
    assert_german_error(booked, 403, "forbidden")
    unknown = await client.get(
        f"/api/v1/events/999999/bookings.{extension}", headers=world.organiser_auth
    )
    assert_german_error(unknown, 404, "not_found")
    too_large = await client.get(
        f"/api/v1/events/{'9' * 12}/bookings.{extension}", headers=world.organiser_auth
    )
    assert_german_error(too_large, 404)
    other_format = await client.get(
        f"/api/v1/events/{world.event.id}/bookings.ods", headers=world.organiser_auth
    )
    assert_german_error(other_format, 404)
    assert await snapshot(db) == before


async def test_the_openapi_document_describes_the_files(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/api/v1/openapi.json")).json()["paths"]

    for extension, media_type in [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX_MEDIA_TYPE)]:
        operation = paths[f"/events/{{id}}/bookings.{extension}"]["get"]
        ok = operation["responses"]["200"]
        assert ok["content"] == {media_type: {"schema": {"type": "string", "format": "binary"}}}
        assert "Content-Disposition" in ok["headers"]
        assert {"200", "401", "403", "404"} <= set(operation["responses"])
        assert operation["security"] == [{"bearer": []}]
        assert operation["parameters"][0]["name"] == "id"
