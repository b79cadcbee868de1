"""Joining through /api/v1 on both databases: the public application, the organisers' review
endpoints, the Urkunde with pdf_url and verify_url, hostile input and who may call what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.mail.models import OutboxMessage
from booking.organisations import joining
from booking.organisations.models import JoiningApplication, JoiningCertificate, Organisation
from tests import factories
from tests.api import assert_german_error, token_of

API = "/api/v1/organisations"
SECRET_KEY = "test-secret-key-" + "x" * 32
"""tests.conftest.test_settings: the app's key, which signs the confirmation links."""
BODY: dict[str, Any] = {
    "name": "Bezirksregierung Arnsberg",
    "sector": "verwaltung",
    "region": "Arnsberg",
    "street": "Seibertzstraße 1",
    "postal_code": "59821",
    "city": "Arnsberg",
    "head_name": "Heinrich Böckelühr",
    "head_function": "Regierungspräsident",
    "contact_first_name": "Jürgen",
    "contact_last_name": "Großmann",
    "contact_email": "juergen.grossmann@bra.example",
    "domains": ["bra.example"],
    "listed": True,
}


async def count(db: AsyncSession, model: type) -> int:
    await db.commit()
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def applied_and_confirmed(client: httpx.AsyncClient, db: AsyncSession, **changes: Any) -> int:
    response = await client.post(f"{API}/applications", json={**BODY, **changes})
    assert response.status_code == 202, response.text
    assert "48 Stunden" in response.json()["message"]
    await db.commit()
    mail = await db.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.template == "joining_confirm")
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None
    token = str(mail.context["link"]).partition("token=")[2]
    serializer = joining.confirm_serializer(SECRET_KEY)
    application = await joining.confirm(db, token=token, serializer=serializer, now=mail.created_at)
    return application.id


async def test_apply_review_and_read_the_urkunde(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await token_of(db, await factories.member(db, role="organiser"))
    first = await applied_and_confirmed(client, db)
    second = await applied_and_confirmed(
        client, db, name="Amt B", domains=["amt-b.example"], contact_email="a@amt-b.example"
    )
    listing = await client.get(f"{API}/applications?limit=1", headers=organiser)
    assert listing.status_code == 200
    assert [a["id"] for a in listing.json()["items"]] == [first]
    assert listing.json()["total"] == 2 and 'rel="next"' in listing.headers["link"]

    one = await client.get(f"{API}/applications/{first}", headers=organiser)
    assert one.json()["status"] == "confirmed" and one.json()["postal_code"] == "59821"

    accepted = await client.post(f"{API}/applications/{first}/accept", headers=organiser)
    assert accepted.status_code == 201, accepted.text
    body = accepted.json()
    assert body["organisation"]["domains"] == ["bra.example"]
    assert body["application"]["status"] == "accepted"
    number = body["certificate"]["number"]
    assert number.endswith("-0001") and body["certificate"]["valid"] is True
    organisation_id = body["organisation"]["id"]

    urkunde = await client.get(f"{API}/{organisation_id}/certificate", headers=organiser)
    assert urkunde.status_code == 200
    assert urkunde.json()["pdf_url"] == f"http://testserver/urkunden/{number}.pdf"
    assert urkunde.json()["verify_url"].startswith("http://testserver/urkunden/pruefen/")
    pdf = await client.get(f"/urkunden/{number}.pdf", headers=organiser)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    asked = await client.post(
        f"{API}/applications/{second}/ask", json={"question": "Wer leitet?"}, headers=organiser
    )
    assert asked.status_code == 200 and asked.json()["status"] == "asked"
    declined = await client.post(
        f"{API}/applications/{second}/decline", json={"reason": "Doppelt."}, headers=organiser
    )
    assert declined.json()["status"] == "declined"
    again = await client.post(f"{API}/applications/{second}/accept", headers=organiser)
    assert_german_error(again, 409, "invalid_state")

    unchanged = await client.post(f"{API}/{organisation_id}/certificate", headers=organiser)
    assert_german_error(unchanged, 409)
    await client.patch(f"{API}/{organisation_id}", json={"name": "BR Arnsberg"}, headers=organiser)
    reissued = await client.post(f"{API}/{organisation_id}/certificate", headers=organiser)
    assert reissued.status_code == 201 and reissued.json()["organisation_name"] == "BR Arnsberg"


async def test_accept_into_an_existing_organisation(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await token_of(db, await factories.member(db, role="organiser"))
    existing = await factories.organisation(db, domain="bra.example")
    application_id = await applied_and_confirmed(client, db)
    refused = await client.post(f"{API}/applications/{application_id}/accept", headers=organiser)
    body = assert_german_error(refused, 422, "validation_failed")
    assert "gehört bereits" in body["fields"]["domains"]
    unknown = await client.post(
        f"{API}/applications/{application_id}/merge", json={"organisation_id": 99999},
        headers=organiser,
    )  # fmt: skip
    assert_german_error(unknown, 404)
    merged = await client.post(
        f"{API}/applications/{application_id}/merge", json={"organisation_id": existing.id},
        headers=organiser,
    )  # fmt: skip
    assert merged.status_code == 200, merged.text
    assert merged.json()["organisation"]["id"] == existing.id


async def test_coordinators_read_their_own_urkunde_only(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await token_of(db, await factories.member(db, role="organiser"))
    application_id = await applied_and_confirmed(client, db)
    accepted = await client.post(f"{API}/applications/{application_id}/accept", headers=organiser)
    organisation_id = accepted.json()["organisation"]["id"]
    organisation = await db.get(Organisation, organisation_id)
    assert organisation is not None
    own = await token_of(db, await factories.member(db, organisation, role="coordinator"))
    staff = await token_of(db, await factories.member(db, organisation))
    stranger = await token_of(db, await factories.member(db, role="coordinator"))
    assert (await client.get(f"{API}/{organisation_id}/certificate", headers=own)).is_success
    for headers in (staff, stranger):
        answer = await client.get(f"{API}/{organisation_id}/certificate", headers=headers)
        assert_german_error(answer, 403, "forbidden")
        assert_german_error(
            await client.post(f"{API}/{organisation_id}/certificate", headers=headers), 403
        )
    assert_german_error(await client.get(f"{API}/{organisation_id}/certificate"), 401)
    none = await client.get(f"{API}/{(await factories.organisation(db)).id}/certificate",
                            headers=organiser)  # fmt: skip
    assert_german_error(none, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/applications"),
        ("GET", "/applications/1"),
        ("POST", "/applications/1/accept"),
        ("POST", "/applications/1/merge"),
        ("POST", "/applications/1/ask"),
        ("POST", "/applications/1/decline"),
    ],
)
async def test_review_endpoints_are_for_organisers(
    client: httpx.AsyncClient, db: AsyncSession, method: str, path: str
) -> None:
    await applied_and_confirmed(client, db)
    member = await token_of(db, await factories.member(db, role="coordinator"))
    answer = await client.request(
        method, f"{API}{path}", json={"organisation_id": 1, "question": "x", "reason": "x"},
        headers=member,
    )  # fmt: skip
    assert_german_error(answer, 403, "forbidden")
    assert_german_error(await client.request(method, f"{API}{path}"), 401)
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "A\u0000B"},
        {"postal_code": "1234"},
        {"postal_code": 59821},
        {"domains": []},
        {"domains": ["gmail.com"], "contact_email": "x@gmail.com"},
        {"domains": ["bra.example"] * 21},
        {"contact_email": "x@elsewhere.example"},
        {"sector": "marine"},
        {"listed": "ja"},
        {"unbekannt": 1},
        {"street": "x" * 201},
        {"city": "Arns\nberg"},
    ],
)
async def test_hostile_applications_answer_german_422_and_write_nothing(
    client: httpx.AsyncClient, db: AsyncSession, changes: dict[str, Any]
) -> None:
    answer = await client.post(f"{API}/applications", json={**BODY, **changes})
    assert_german_error(answer, 422, "validation_failed")
    assert await count(db, JoiningApplication) == 0
    assert await count(db, OutboxMessage) == 0


async def test_bad_bodies_on_review_answer_german_4xx(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    organiser = await token_of(db, await factories.member(db, role="organiser"))
    application_id = await applied_and_confirmed(client, db)
    base = f"{API}/applications/{application_id}"
    for path, body in (
        ("ask", {"question": ""}), ("ask", {"question": "x" * 2001}),
        ("ask", {"question": "a\u0000"}), ("decline", {}), ("merge", {"organisation_id": "1"}),
        ("merge", {"organisation_id": 0}),
    ):  # fmt: skip
        assert_german_error(await client.post(f"{base}/{path}", json=body, headers=organiser), 422)
    text = await client.post(f"{base}/ask", content=b"x", headers=organiser)
    assert_german_error(text, 415)
    assert (await db.scalar(select(JoiningApplication.status))) == "confirmed"
    assert await count(db, JoiningCertificate) == 0
    unknown = await client.get(f"{API}/applications/999999", headers=organiser)
    assert_german_error(unknown, 404)


async def test_the_application_endpoint_is_rate_limited(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    for _ in range(5):
        assert (await client.post(f"{API}/applications", json=BODY)).status_code == 202
    assert_german_error(await client.post(f"{API}/applications", json=BODY), 429, "rate_limited")
    assert await count(db, JoiningApplication) == 5
