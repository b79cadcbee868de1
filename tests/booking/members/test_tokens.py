"""API tokens end: they expire, and the member revokes them on the profile page."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.core.db import utcnow
from booking.core.errors import ValidationFailed
from booking.members import tokens
from booking.members.models import ApiToken, Member
from tests import factories
from tests.web import csrf_token, sign_in


async def token_for(db: AsyncSession, member: Member, days: int = 90) -> tuple[int, str]:
    [issued] = await tokens.issue_api_tokens(
        db, emails=[member.email], now=utcnow(), days=days, name="Dienstkalender"
    )
    return issued.id, issued.token


async def my_bookings(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/v1/me/bookings", headers={"Authorization": f"Bearer {token}"})


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "not_authenticated"
    assert "Token" in body["message"]


async def test_a_token_works_until_it_expires(client: httpx.AsyncClient, db: AsyncSession) -> None:
    member = await factories.member(db)
    start = utcnow()
    with time_machine.travel(start, tick=False):
        _, token = await token_for(db, member, days=2)
    with time_machine.travel(start + timedelta(days=1, hours=23), tick=False):
        assert (await my_bookings(client, token)).status_code == 200
    with time_machine.travel(start + timedelta(days=2, seconds=1), tick=False):
        assert_refused(await my_bookings(client, token))


async def test_tokens_last_ninety_days_by_default_and_are_stored_hashed(
    db: AsyncSession,
) -> None:
    member = await factories.member(db)
    now = utcnow()
    [issued] = await tokens.issue_api_tokens(db, emails=[member.email], now=now)
    assert issued.expires_at == now + timedelta(days=90)
    row = await db.get(ApiToken, issued.id)
    assert row is not None and row.token_hash == tokens.hash_token(issued.token)
    assert issued.token not in (row.token_hash, row.name)


async def test_first_use_is_noted(client: httpx.AsyncClient, db: AsyncSession) -> None:
    member = await factories.member(db)
    token_id, token = await token_for(db, member)
    assert (await my_bookings(client, token)).status_code == 200
    await db.commit()
    row = await db.get(ApiToken, token_id, populate_existing=True)
    assert row is not None and row.last_used_at is not None


async def test_the_profile_lists_tokens_without_their_secret_and_revokes_one(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    member = await factories.member(db, org, email="p@amt.example")
    kept_id, kept = await token_for(db, member)
    gone_id, gone = await token_for(db, member)
    await sign_in(client, app, member.email)

    page = await client.get("/profil")
    assert page.status_code == 200
    assert f"Nr. {kept_id} – Dienstkalender" in page.text and f"Nr. {gone_id}" in page.text
    assert kept not in page.text and gone not in page.text
    assert "nie" in page.text  # never used

    response = await client.post(
        f"/profil/tokens/{gone_id}/widerrufen", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303 and response.headers["location"] == "/profil"
    after = await client.get("/profil")
    assert "widerrufen" in after.text
    assert_refused(await my_bookings(client, gone))
    assert (await my_bookings(client, kept)).status_code == 200


async def test_revoking_needs_the_csrf_token_and_ones_own_token(
    client: httpx.AsyncClient, app: Starlette, db: AsyncSession
) -> None:
    org = await factories.organisation(db, domain="amt.example")
    member = await factories.member(db, org, email="p@amt.example")
    someone = await factories.member(db, org, email="jemand@amt.example")
    theirs_id, theirs = await token_for(db, someone)
    mine_id, mine = await token_for(db, member)
    await sign_in(client, app, member.email)
    page = await client.get("/profil")

    no_csrf = await client.post(f"/profil/tokens/{mine_id}/widerrufen", data={})
    assert no_csrf.status_code == 400
    other = await client.post(
        f"/profil/tokens/{theirs_id}/widerrufen", data={"csrf_token": csrf_token(page.text)}
    )
    assert other.status_code == 404
    assert "gibt es nicht" in other.text
    assert (await my_bookings(client, mine)).status_code == 200
    assert (await my_bookings(client, theirs)).status_code == 200


async def test_revoking_by_the_operator_is_immediate_and_idempotent(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    member = await factories.member(db)
    token_id, token = await token_for(db, member)
    first = await tokens.revoke_api_token(db, token_id=token_id, now=utcnow())
    again = await tokens.revoke_api_token(db, token_id=token_id, now=utcnow())
    assert first.revoked_at == again.revoked_at
    assert_refused(await my_bookings(client, token))
    listed = await tokens.api_tokens_for_email(db, member.email.upper())
    assert [t.id for t in listed] == [token_id]


async def test_token_lifetime_and_name_are_checked(db: AsyncSession) -> None:
    member = await factories.member(db)
    for days, name in ((0, ""), (3651, ""), (5, "x\x00y"), (5, "x" * 101)):
        with pytest.raises(ValidationFailed, match=r"Tagen|Bezeichnung"):
            await tokens.issue_api_tokens(
                db, emails=[member.email], now=utcnow(), days=days, name=name
            )
    assert list(await db.scalars(select(ApiToken))) == []
