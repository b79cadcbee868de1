"""Attendance through the JSON API: the roster of a session, marks set in one piece, who may."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.members.models import Member
from courses.attendance.models import AttendanceMark, Mark
from courses.attendance.schemas import MarkName
from tests import factories
from tests.api import assert_german_error, new_event, token_of
from tests.factories import participants, training

pytestmark = pytest.mark.usefixtures("frozen_time")


def test_the_api_names_every_mark() -> None:
    assert set(MarkName.__args__) == {m.value for m in Mark}  # type: ignore[attr-defined]


async def test_a_trainer_reads_and_marks_a_session(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    (sitting,) = event.sessions
    first, second = await participants(db, event, 2)
    auth = await token_of(db, trainer)
    url = f"/api/v1/events/{event.id}/sessions/{sitting.id}/attendance"

    before = await client.get(url, headers=auth)
    assert before.status_code == 200, before.text
    assert {(line["booking_id"], line["status"]) for line in before.json()["lines"]} == {
        (first.id, None),
        (second.id, None),
    }
    body = {"marks": [{"booking_id": first.id, "status": "late"},
                      {"booking_id": second.id, "status": "absent"}]}  # fmt: skip
    after = await client.put(url, json=body, headers=auth)
    assert after.status_code == 200, after.text
    lines = {line["booking_id"]: line for line in after.json()["lines"]}
    assert (lines[first.id]["status"], lines[first.id]["booking_status"]) == ("late", "attended")
    assert (lines[second.id]["status"], lines[second.id]["booking_status"]) == (
        "absent",
        "no_show",
    )


async def test_others_get_403_and_bad_marks_a_german_answer_with_nothing_written(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    other = await training(db, await factories.member(db, role="trainer"), days=1)
    (sitting,) = event.sessions
    (mine,) = await participants(db, event, 1)
    (elsewhere,) = await participants(db, other, 1)
    url = f"/api/v1/events/{event.id}/sessions/{sitting.id}/attendance"
    member = await db.get(Member, mine.member_id)
    assert member is not None
    for outsider in (await factories.member(db, role="trainer"), member):
        auth = await token_of(db, outsider)
        assert_german_error(await client.get(url, headers=auth), 403)
        body = {"marks": [{"booking_id": mine.id, "status": "present"}]}
        assert_german_error(await client.put(url, json=body, headers=auth), 403)

    auth = await token_of(db, trainer)
    good = {"booking_id": mine.id, "status": "present"}
    refused = [
        ({"marks": [good, {"booking_id": 999_999, "status": "present"}]}, 404),
        ({"marks": [good, {"booking_id": elsewhere.id, "status": "present"}]}, 422),
        ({"marks": [{"booking_id": mine.id, "status": "anwesend"}]}, 422),
        ({"marks": []}, 422),
        ({"marks": [{"booking_id": "1", "status": "present"}]}, 422),
        ({"marks": [{"booking_id": mine.id, "status": "present\u0000"}]}, 422),
    ]
    for body, status in refused:
        assert_german_error(await client.put(url, json=body, headers=auth), status)
    wrong_session = f"/api/v1/events/{event.id}/sessions/{other.sessions[0].id}/attendance"
    assert_german_error(await client.put(wrong_session, json={"marks": [good]}, headers=auth), 404)
    assert await db.scalar(select(func.count()).select_from(AttendanceMark)) == 0
    assert_german_error(await client.get(url), 401)


async def test_events_take_trainers_teaching_units_and_a_completion_share(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await factories.member(db, role="organiser")
    trainer = await factories.member(db, role="trainer")
    auth = await token_of(db, organiser)
    data = new_event(title="BIUS III", capacity=12)
    data["sessions"][0]["teaching_units"] = 6
    data |= {
        "trainers": [trainer.email.upper()], "completion_share": 75,
        "certificate_content": ["  Schutz und Flucht ", "Nachsorge"],
    }  # fmt: skip
    created = await client.post("/api/v1/events", json=data, headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["trainers"] == [trainer.display_name]
    assert body["completion_share"] == 75
    assert body["certificate_content"] == ["Schutz und Flucht", "Nachsorge"]
    assert [s["teaching_units"] for s in body["sessions"]][0] == 6
    url = f"/api/v1/events/{body['id']}"
    as_trainer = await client.get(url, headers=await token_of(db, trainer))
    assert as_trainer.json()["sign_in_sheet_url"].endswith("/unterschriftenliste.pdf")

    first = body["sessions"][0]
    patch = {
        "completion_share": 50,
        "trainers": [],
        "certificate_content": ["Alarmierung"],
        "sessions": [{"id": first["id"], "starts_at": first["starts_at"],
                      "ends_at": first["ends_at"], "teaching_units": 8}],
    }  # fmt: skip
    changed = await client.patch(url, json=patch, headers=auth)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["completion_share"], changed.json()["trainers"]) == (50, [])
    assert changed.json()["sessions"][0]["teaching_units"] == 8
    assert changed.json()["certificate_content"] == ["Alarmierung"]

    member = await factories.member(db)
    for refused in (
        {"trainers": [member.email]},
        {"trainers": ["niemand@nirgends.example"]},
        {"completion_share": 101},
        {"completion_share": "50"},
        {"certificate_content": ["eine Zeile"] * 9},
        {"certificate_content": ["zwei\nZeilen"]},
        {"certificate_content": ["mit \u0000 darin"]},
        {"certificate_content": ["x" * 151]},
        {"certificate_content": [""]},
    ):
        assert_german_error(await client.patch(url, json=refused, headers=auth), 422)
    again = await client.get(url, headers=auth)
    assert (again.json()["completion_share"], again.json()["trainers"]) == (50, [])
    assert again.json()["certificate_content"] == ["Alarmierung"]
