"""GET /api/v1/figures: the same figures as the page, for organisers, documented."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.formatting import BERLIN
from tests.api import assert_german_error, token_of
from tests.courses.figures.world import FORMATS_2024, TOTAL_2024, known_year
from tests.factories import NOW

URL = "/api/v1/figures"
NUMBERS = (
    "events", "seats_offered", "seats_taken", "waitlisted_ever", "still_waiting", "attended",
    "partial", "no_show",
)  # fmt: skip


async def test_the_figures_of_a_known_year(client: httpx.AsyncClient, db: AsyncSession) -> None:
    year = await known_year(db)
    auth = await token_of(db, year.organiser)
    response = await client.get(URL, params={"year": "2024"}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2024
    assert body["starts_at"] == "2023-12-31T23:00:00+00:00"
    assert body["ends_at"] == "2024-12-31T23:00:00+00:00"
    formats = {f["kind"]: tuple(f[n] for n in NUMBERS) for f in body["formats"]}
    assert formats == FORMATS_2024
    total = body["total"]
    assert total["kind"] is None and total["label"] == "Summe ohne Workshops"
    assert tuple(total[n] for n in NUMBERS) == TOTAL_2024
    assert total["settled"] == 3
    assert total["attendance_rate"] == pytest.approx(2 / 3)
    assert total["no_show_rate"] == pytest.approx(1 / 3)
    assert total["utilisation"] == pytest.approx(6 / 153)
    online = next(f for f in body["formats"] if f["kind"] == "online_qa")
    assert online["label"] == "Frag doch mal das Netzwerk" and online["utilisation"] is None
    sectors = {g["key"]: (g["label"], g["participants"], g["bookings"]) for g in body["sectors"]}
    assert sectors["gesundheit"] == ("Gesundheitswesen", 3, 3)
    assert sectors[None] == ("ohne Organisation", 1, 1)
    regions = {g["key"]: (g["participants"], g["bookings"]) for g in body["regions"]}
    assert regions["Köln"] == (3, 3) and regions["Detmold"] == (0, 2)
    assert body["feedback"] is None


async def test_the_year_defaults_to_this_year_in_berlin(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    year = await known_year(db)
    response = await client.get(URL, headers=await token_of(db, year.organiser))
    assert response.status_code == 200
    assert response.json()["year"] == NOW.astimezone(BERLIN).year


async def test_only_organisers(client: httpx.AsyncClient, db: AsyncSession) -> None:
    year = await known_year(db)
    anonymous = await client.get(URL)
    assert_german_error(anonymous, 401)
    member = await client.get(URL, params={"year": "abc"}, headers=await token_of(db, year.member))
    assert_german_error(member, 403, "forbidden")


@pytest.mark.parametrize(
    "value", ["abc", "1999", "2101", "-1", "2024.5", "2024\x00", "9" * 400, "", "true"]
)
async def test_hostile_years_are_refused_in_german(
    client: httpx.AsyncClient, db: AsyncSession, value: str
) -> None:
    year = await known_year(db)
    response = await client.get(
        URL, params={"year": value}, headers=await token_of(db, year.organiser)
    )
    body = assert_german_error(response, 422, "validation_failed")
    assert "year" in body["fields"]


async def test_the_document_describes_the_figures(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/figures"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "422"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FiguresOut"
    }
    [parameter] = operation["parameters"]
    assert parameter["name"] == "year" and parameter["in"] == "query"
    schemas = document["components"]["schemas"]
    assert {"FiguresOut", "FormatFiguresOut", "GroupFiguresOut", "FeedbackQuestionOut"} <= set(
        schemas
    )
    assert set(schemas["FiguresOut"]["properties"]) == {
        "year", "starts_at", "ends_at", "formats", "total", "sectors", "regions", "feedback",
    }  # fmt: skip
