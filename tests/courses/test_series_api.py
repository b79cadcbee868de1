"""The series API: POST /series with a rule object, GET /series/{id} with its dates a page
at a time, series_id in an event's details, sessions added and removed through PATCH."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.formatting import BERLIN
from booking.mail.models import OutboxMessage
from courses import series, series_schemas
from courses.models import KINDS, Event, EventSession, Series
from tests.api import World, assert_german_error, day, local, snapshot
from tests.factories import NOW


def new_series(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Frag doch mal das Netzwerk",
        "kind": "online_qa",
        "capacity": 300,
        "rule": {"freq": "monthly", "weekday": "WE", "week_of_month": 1},
        "first_day": (NOW + timedelta(days=5)).astimezone(BERLIN).date().isoformat(),
        "starts": "17:00",
        "ends": "18:30",
        "count": 12,
    }
    data.update(changes)
    return data


def test_the_schemas_name_the_services_weekdays_and_kinds() -> None:
    assert get_args(series_schemas.Weekday) == series.WEEKDAYS
    assert set(get_args(series_schemas.SeriesKind)) == set(KINDS) - {"workshop"}


async def series_rows(db: AsyncSession) -> tuple[int | None, ...]:
    await db.commit()
    return tuple(
        [
            await db.scalar(select(func.count()).select_from(t))
            for t in (Series, Event, EventSession)
        ]
    )


async def test_an_organiser_plans_a_series_and_anyone_reads_its_published_dates(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    before = await series_rows(db)
    assert (await client.post("/api/v1/series", json=new_series())).status_code == 401
    forbidden = await client.post("/api/v1/series", json=new_series(), headers=world.member_auth)
    assert forbidden.status_code == 403

    created = await client.post(
        "/api/v1/series", json=new_series(status="draft"), headers=world.organiser_auth
    )

    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/series/{body['id']}"
    assert body["rule"] == {"freq": "monthly", "weekday": "WE", "interval": 1, "week_of_month": 1}
    assert body["rrule"] == "FREQ=MONTHLY;INTERVAL=1;BYDAY=1WE"
    assert body["rule_text"] == "monatlich am ersten Mittwoch"
    assert body["dates_total"] == 12 and len(body["dates"]) == 12
    assert {d["status"] for d in body["dates"]} == {"draft"}
    assert await series_rows(db) == (before[0] + 1, before[1] + 12, before[2] + 12)  # type: ignore[operator]
    url = f"/api/v1/series/{body['id']}"
    public = (await client.get(url)).json()
    assert public["dates_total"] == 0 and public["dates"] == []  # drafts are not public
    paged = await client.get(f"{url}?limit=5", headers=world.organiser_auth)
    assert [d["event_id"] for d in paged.json()["dates"]] == [
        d["event_id"] for d in body["dates"][:5]
    ]
    assert paged.headers["x-total-count"] == "12" and 'rel="next"' in paged.headers["link"]
    second = await client.get(
        f"{url}?limit=5&cursor={paged.json()['next_cursor']}", headers=world.organiser_auth
    )
    assert [d["event_id"] for d in second.json()["dates"]] == [
        d["event_id"] for d in body["dates"][5:10]
    ]
    first = body["dates"][0]["event_id"]
    detail = await client.get(f"/api/v1/events/{first}", headers=world.organiser_auth)
    assert detail.json()["series_id"] == body["id"]
    assert (await client.get("/api/v1/series/999999")).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 10_000}, "count"),
        ({"count": None}, "count"),
        ({"until": "2030-01-01"}, "count"),
        ({"count": None, "until": "2001-01-01"}, "until"),
        ({"count": None, "until": "2300-01-01"}, "until"),
        ({"ends": "16:00"}, "ends"),
        ({"ends": "17:00+01:00"}, "ends"),
        ({"starts": "25:00"}, "starts"),
        ({"rule": {"freq": "monthly", "weekday": "XX", "week_of_month": 1}}, "rule.weekday"),
        ({"rule": {"freq": "monthly", "weekday": 8, "week_of_month": 1}}, "rule.weekday"),
        ({"rule": {"freq": "monthly", "weekday": "WE", "week_of_month": 5}}, "rule.week_of_month"),
        ({"rule": {"freq": "monthly", "weekday": "WE"}}, "rule.week_of_month"),
        ({"rule": {"freq": "weekly", "weekday": "WE", "week_of_month": 1}}, "rule.week_of_month"),
        ({"rule": {"freq": "daily", "weekday": "WE"}}, "rule.freq"),
        ({"rule": {"freq": "weekly", "weekday": "WE", "interval": 13}}, "rule.interval"),
        ({"rule": "FREQ=DAILY"}, "rule"),
        ({"first_day": "2020-01-01"}, "first_day"),
        ({"kind": "workshop"}, "kind"),
        ({"title": "Frag\x00doch"}, "title"),
        ({"summary": "kurz\x00"}, "summary"),
        ({"online_room_id": 999_999}, "online_room_id"),
        ({"rrule": "FREQ=DAILY"}, "rrule"),
    ],
)
async def test_hostile_series_are_refused_in_german_and_write_nothing(
    client: httpx.AsyncClient, world: World, db: AsyncSession, changes: dict[str, Any], field: str
) -> None:
    before = await snapshot(db), await series_rows(db)
    refused = await client.post(
        "/api/v1/series", json=new_series(**changes), headers=world.organiser_auth
    )
    body = assert_german_error(refused, 422, "validation_failed")
    assert any(k == field or k.startswith(f"{field}.") for k in body["fields"]), body
    assert (await snapshot(db), await series_rows(db)) == before


async def test_sessions_are_added_and_removed_through_patch(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    url = f"/api/v1/events/{world.event.id}"
    extra = {"starts_at": local(day(40, 7)), "ends_at": local(day(40, 12))}
    added = await client.patch(url, json={"add_sessions": [extra]}, headers=world.organiser_auth)
    assert added.status_code == 200, added.text
    sessions = added.json()["sessions"]
    assert len(sessions) == 2
    new_id = sessions[1]["id"]

    before = await snapshot(db)
    for body, status in (
        ({"remove_sessions": [new_id, sessions[0]["id"]]}, 409),
        ({"remove_sessions": [999_999]}, 422),
        ({"remove_sessions": []}, 422),
        ({"add_sessions": [{**extra, "starts_at": local(NOW - timedelta(days=1))}]}, 422),
        ({"add_sessions": [{**extra, "ends_at": local(day(39))}]}, 422),
        ({"add_sessions": [extra], "remove_sessions": ["x"]}, 422),
    ):
        refused = await client.patch(url, json=body, headers=world.organiser_auth)
        assert_german_error(refused, status)
    forbidden = await client.patch(
        url, json={"remove_sessions": [new_id]}, headers=world.member_auth
    )
    assert forbidden.status_code == 403
    assert await snapshot(db) == before

    removed = await client.patch(
        url, json={"remove_sessions": [new_id]}, headers=world.organiser_auth
    )
    assert removed.status_code == 200
    assert [s["id"] for s in removed.json()["sessions"]] == [sessions[0]["id"]]
    await db.commit()
    mails = list(
        await db.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "event_changed")
            .order_by(OutboxMessage.id)
        )
    )  # fmt: skip
    assert [m.context["sequence"] for m in mails] == [1, 2]  # the booked member, each time
    assert [m.context["changes"][0]["what"] for m in mails] == ["zusätzlicher Termin", "Termin"]
