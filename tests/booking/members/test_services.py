from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.errors import ValidationFailed
from booking.mail.models import OutboxMessage
from booking.members import services
from tests import factories


async def test_sign_in_waits_for_another_writer_instead_of_failing(
    tmp_path: Path, sqlite_url: str
) -> None:
    from booking.db import session_factory
    from tests.conftest import prepared_engine

    engine = await prepared_engine(sqlite_url)
    try:
        async with session_factory(engine)() as db:
            await factories.organisation(db, domain="amt.example")
            # the request has read already (its signed-in member, say) before it writes
            await db.scalar(select(func.count()).select_from(OutboxMessage))
            other = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO outbox (recipient, template, context, created_at, attempts,"
                " next_attempt_at, last_error) VALUES ('x@amt.example', 'sign_in_link',"
                " '{}', '2026-01-01', 0, '2026-01-01', '')"
            )
            release = asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
            await services.request_sign_in(
                db,
                email="p@amt.example",
                serializer=services.sign_in_serializer("k" * 32),
                base_url="http://test",
            )
            release.cancel()
            other.close()
            count = await db.scalar(select(func.count()).select_from(OutboxMessage))
            assert count == 2
    finally:
        await engine.dispose()


async def test_rejected_addresses_get_no_link(db: AsyncSession) -> None:
    await factories.member(db, status="rejected", email="weg@amt.example")
    await services.request_sign_in(
        db,
        email="weg@amt.example",
        serializer=services.sign_in_serializer("k" * 32),
        base_url="http://test",
    )
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_pending_member_must_name_their_organisation(db: AsyncSession) -> None:
    pending = await factories.member(db, status="pending", email="neu@privat.example")
    with pytest.raises(ValidationFailed) as refused:
        await services.update_profile(
            db, member=pending, first_name="A", last_name="B", function="", organisation_name=" "
        )
    assert set(refused.value.fields) == {"organisation_name"}
    saved = await services.update_profile(
        db, member=pending, first_name="A", last_name="B", function="", organisation_name="Amt X"
    )
    assert saved.organisation_name_given == "Amt X"
    active = await factories.member(db)
    await services.update_profile(db, member=active, first_name="C", last_name="D", function="")
