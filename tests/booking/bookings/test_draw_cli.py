"""``sid draw verify EVENT_ID`` on every database: 0 when the recomputed draw matches the
stored one, 1 (in German) when it does not or there is none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings import draw, services
from booking.bookings.models import Booking, DrawEntry
from tests import factories
from tests.booking.bookings.test_draw import AFTER, draw_event
from tests.booking.jobs.test_cli import Sid, sid  # noqa: F401  (the fixture)
from tests.factories import NOW


async def test_verify_exits_0_when_it_matches_and_1_after_tampering(
    db: AsyncSession,
    sid: Sid,  # noqa: F811
) -> None:
    event = await draw_event(db, capacity=2)
    for _ in range(5):
        person = await factories.member(db)
        await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    await draw.run_draw(db, event.id, AFTER)

    code, out, err = await sid("draw", "verify", str(event.id))
    assert (code, err) == (0, "")
    assert f"Veranstaltung {event.id}: Auslosung vom " in out
    assert "Verfahren: sid-draw-1" in out
    assert "Anfragen in der Auslosung: 5, freie Plätze: 2" in out
    assert out.endswith(
        "Ergebnis: Die Neuberechnung stimmt mit der gespeicherten Auslosung überein.\n"
    )

    entry = await db.scalar(select(DrawEntry).where(DrawEntry.decision == "seat").limit(1))
    assert entry is not None
    entry.decision, entry.round, entry.waitlist_position = "waiting", None, 1
    await db.commit()
    code, out, _ = await sid("draw", "verify", str(event.id))
    assert code == 1
    assert f"Buchung {entry.booking_id}: gespeichertes Ergebnis weicht" in out
    assert out.endswith("Ergebnis: Die Neuberechnung weicht von der gespeicherten Auslosung ab.\n")


async def test_verify_without_a_draw_or_event_says_so(db: AsyncSession, sid: Sid) -> None:  # noqa: F811
    event = await draw_event(db)
    await db.commit()
    code, out, err = await sid("draw", "verify", str(event.id))
    assert (code, out) == (1, "")
    assert err == "Fehler: Für diese Veranstaltung wurde noch nicht gelost.\n"
    code, _, err = await sid("draw", "verify", "99999")
    assert code == 1 and err == "Fehler: Diese Veranstaltung gibt es nicht.\n"


async def test_the_job_draws_once_from_the_command_line(db: AsyncSession, sid: Sid) -> None:  # noqa: F811
    event = await draw_event(db, capacity=2, registration_deadline=NOW - timedelta(minutes=1))
    for _ in range(3):
        person = await factories.member(db)
        db.add(
            Booking(event_id=event.id, member_id=person.id, organisation_id=person.organisation_id,
                    status="requested", created_at=NOW - timedelta(days=1))
        )  # fmt: skip
    await db.commit()
    code, out, err = await sid("jobs", "run", "draw-allocation")
    assert (code, err) == (0, "")
    assert out == "draw-allocation: 1 Veranstaltung(en) ausgelost, 3 Anfrage(n) entschieden.\n"
    code, out, _ = await sid("jobs", "run", "draw-allocation")
    assert out == "draw-allocation: 0 Veranstaltung(en) ausgelost, 0 Anfrage(n) entschieden.\n"
    code, out, _ = await sid("draw", "verify", str(event.id))
    assert code == 0
