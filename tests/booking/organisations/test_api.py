"""/api/v1/organisations through the ASGI client, on both databases."""

from __future__ import annotations

from typing import get_args

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.organisations import schemas
from booking.organisations.models import Organisation
from tests import factories
from tests.api import assert_german_error, token_of
from venues.models import REGIONS


async def auth(db: AsyncSession, role: str) -> dict[str, str]:
    person = await factories.member(db, role=role)
    return await token_of(db, person)


def test_regions_match_the_venues() -> None:
    assert get_args(schemas.Region) == REGIONS


async def test_create_list_and_change(client: httpx.AsyncClient, db: AsyncSession) -> None:
    headers = await auth(db, "organiser")
    created = await client.post(
        "/api/v1/organisations",
        json={
            "name": "THW OV Hamm",
            "sector": "thw",
            "region": "Arnsberg",
            "domains": ["THW-Hamm.example"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["domains"] == ["thw-hamm.example"]
    assert (body["emergency_services"], body["sector_label"], body["members"]) == (
        True,
        "THW und Katastrophenschutz",
        0,
    )
    assert created.headers["location"] == f"/api/v1/organisations/{body['id']}"

    changed = await client.patch(
        f"/api/v1/organisations/{body['id']}",
        json={"sector": "soziales", "domains": []},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (
        changed.json()["sector"],
        changed.json()["domains"],
        changed.json()["emergency_services"],
    ) == ("soziales", [], False)

    page = await client.get("/api/v1/organisations", params={"limit": "1"}, headers=headers)
    assert page.status_code == 200
    first = page.json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    following = "http://testserver/api/v1/organisations?limit=1&after=" + first["next_cursor"]
    assert page.headers["link"] == f'<{following}>; rel="next"'
    names = [first["items"][0]["name"]]
    after = first["next_cursor"]
    while after:
        more = (
            await client.get(
                "/api/v1/organisations", params={"limit": "1", "after": after}, headers=headers
            )
        ).json()
        names += [o["name"] for o in more["items"]]
        after = more["next_cursor"]
    assert "THW OV Hamm" in names and len(names) == len(set(names)) == 2
    found = await client.get(
        "/api/v1/organisations", params={"search": "hamm", "sector": "soziales"}, headers=headers
    )
    assert [o["name"] for o in found.json()["items"]] == ["THW OV Hamm"]


async def test_refusals_are_german_and_change_nothing(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await auth(db, "organiser")
    member = await auth(db, "member")
    org = await factories.organisation(db, domain="belegt.example")
    before = await db.scalar(select(func.count()).select_from(Organisation))
    assert_german_error(await client.get("/api/v1/organisations", headers=member), 403, "forbidden")
    assert_german_error(await client.get("/api/v1/organisations"), 401)
    good = {"name": "Neu", "sector": "schule", "region": "Köln"}
    assert_german_error(await client.post("/api/v1/organisations", json=good, headers=member), 403)
    for body, field in (
        ({**good, "sector": "marine"}, "sector"),
        ({**good, "region": "Berlin"}, "region"),
        ({**good, "name": "A\u0000B"}, "name"),
        ({**good, "domains": ["kein domain"]}, "domains.0"),
        ({**good, "domains": ["belegt.example"]}, "domains"),
        ({**good, "extra": 1}, "extra"),
    ):
        answer = assert_german_error(
            await client.post("/api/v1/organisations", json=body, headers=organiser), 422
        )
        assert field in answer["fields"], answer
    assert_german_error(
        await client.post(
            "/api/v1/organisations",
            content=b"{kaputt",
            headers={**organiser, "content-type": "application/json"},
        ),
        422,
    )
    assert_german_error(
        await client.post("/api/v1/organisations", content=b"{}", headers=organiser), 415
    )
    assert_german_error(
        await client.patch(f"/api/v1/organisations/{org.id}", json={}, headers=organiser), 422
    )
    assert_german_error(
        await client.patch(
            f"/api/v1/organisations/{org.id}", json={"name": None}, headers=organiser
        ),
        422,
    )
    assert_german_error(
        await client.patch("/api/v1/organisations/999999", json={"name": "X"}, headers=organiser),
        404,
    )
    for params in (
        {"limit": "0"},
        {"limit": "abc"},
        {"after": "kaputt"},
        {"search": "a\x00"},
        {"sector": "marine"},
    ):
        assert_german_error(
            await client.get("/api/v1/organisations", params=params, headers=organiser), 422
        )
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(Organisation)) == before


async def test_the_openapi_document_names_the_lists_parameters(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/openapi.json")).json()
    operation = document["paths"]["/organisations"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "search", "sector", "region", "limit", "after", "cursor",
    }  # fmt: skip
