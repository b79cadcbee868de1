"""The back-office home: what comes next with its seats, the drafts, and what needs
attention (pending members, undeliverable mail, closing registrations, long waiting lists)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from booking.bookings import services as bookings
from booking.core.errors import Forbidden
from booking.mail.models import OutboxMessage
from courses import queries
from tests import factories
from tests.factories import NOW
from tests.web import sign_in


async def test_the_home_shows_what_comes_and_what_needs_attention(db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    soon = await factories.event(
        db, capacity=10, title="Netzwerktreffen Münsterland",
        registration_deadline=NOW + timedelta(days=3),
    )  # fmt: skip
    full = await factories.event(db, capacity=1, title="BIUS I", starts_in=timedelta(days=60))
    # Deadlines soon that need nothing: no seat left, or already under way.
    no_seat = await factories.event(
        db, capacity=1, title="Voll", registration_deadline=NOW + timedelta(days=2)
    )
    await bookings.book(db, event_id=no_seat.id, member_id=(await factories.member(db)).id, now=NOW)
    await factories.event(
        db, title="Läuft", starts_in=timedelta(days=-1), days=3,
        registration_deadline=NOW + timedelta(days=1),
    )  # fmt: skip
    for _ in range(1 + queries.LONG_WAITLIST):
        person = await factories.member(db)
        await bookings.book(db, event_id=full.id, member_id=person.id, now=NOW)
    draft = await factories.event(db, status="draft", title="Fachtag 2028")
    await factories.event(db, starts_in=timedelta(days=-3), title="Vorbei")
    await factories.member(db, status="pending")
    db.add(OutboxMessage(recipient="x@y.example", template="sign_in_link", context={},
                         created_at=NOW, next_attempt_at=NOW, failed_at=NOW))  # fmt: skip
    await db.commit()

    home = await queries.home(db, organiser, NOW)
    titles = [listing.event.title for listing in home.upcoming]
    assert titles[:2] == ["Läuft", "Netzwerktreffen Münsterland"] and "Vorbei" not in titles
    assert home.upcoming_total == 4 == len(titles)
    assert [e.id for e in home.drafts] == [draft.id] and home.drafts_total == 1
    assert [a.event.id for a in home.deadline_soon] == [soon.id]
    [crowded] = home.long_waitlists
    assert (crowded.event.id, crowded.availability.waiting) == (full.id, queries.LONG_WAITLIST)
    assert (home.pending_members, home.dead_letters) == (1, 1)

    with pytest.raises(Forbidden):
        await queries.home(db, await factories.member(db, role="trainer"), NOW)


async def test_the_home_page(client: httpx.AsyncClient, app: Starlette, db: AsyncSession) -> None:
    organiser = await factories.member(db, role="organiser")
    await factories.event(db, title="Netzwerktreffen Münsterland")
    member = await factories.member(db)
    await db.commit()
    await sign_in(client, app, member.email)
    assert (await client.get("/verwaltung")).status_code == 403
    await sign_in(client, app, organiser.email)
    page = await client.get("/verwaltung")
    assert page.status_code == 200
    assert "Netzwerktreffen Münsterland" in page.text and "Keine Entwürfe." in page.text
    assert 'href="/verwaltung" aria-current="page"' in page.text
