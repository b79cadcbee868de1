"""Issuing certificates: for attended and partly attended bookings once the outcomes are set,
numbered, with unguessable codes, once; marks locked while a certificate is valid."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden, InvalidState
from courses.attendance import services as attendance
from courses.certificates import services
from tests import factories
from tests.factories import NOW, participants, training


async def marked_training(db: AsyncSession):  # type: ignore[no-untyped-def]
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=2, title="BIUS II", course_code="BIUS-II")
    full, half, absent = await participants(db, event, 3)
    first, last = event.sessions
    for sitting, marks in (
        (first, [(full.id, "present"), (half.id, "present"), (absent.id, "absent")]),
        (last, [(full.id, "late"), (half.id, "excused"), (absent.id, "absent")]),
    ):
        await attendance.mark(
            db, event_id=event.id, session_id=sitting.id, marks=marks, actor=trainer, now=NOW
        )
    return trainer, event, full, half, absent


async def test_certificates_for_attended_units_numbered_once(db: AsyncSession) -> None:
    trainer, event, full, half, absent = await marked_training(db)
    issued = await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    by_booking = {c.booking_id: c for c in issued}
    assert set(by_booking) == {full.id, half.id}
    whole, partial = by_booking[full.id], by_booking[half.id]
    assert (whole.units_attended, whole.units_offered, whole.partial_note) == (16, 16, None)
    assert (partial.units_attended, partial.units_offered) == (8, 16)
    assert partial.partial_note == "teilgenommen an 1 von 2 Terminen, 8 von 16 UE"
    for certificate in issued:
        assert re.fullmatch(rf"SID-{NOW.year}-\d{{6}}", certificate.number)
        assert len(certificate.code) >= 20 and certificate.course_code == "BIUS-II"
    assert whole.code != partial.code
    assert await services.issue(db, event_id=event.id, actor=trainer, now=NOW) == []
    assert services.abbreviated("Ayşe Öztürk-Łukasiewicz") == "Ayşe Ö."


async def test_no_certificates_before_the_outcomes_nor_for_strangers(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    await participants(db, event, 1)
    with pytest.raises(InvalidState):
        await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    stranger = await factories.member(db, role="trainer")
    with pytest.raises(Forbidden):
        await services.issue(db, event_id=event.id, actor=stranger, now=NOW)


async def test_marks_stay_as_certified(db: AsyncSession) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    with pytest.raises(InvalidState):
        await attendance.mark(
            db, event_id=event.id, session_id=event.sessions[1].id,
            marks=[(half.id, "present")], actor=trainer, now=NOW,
        )  # fmt: skip


async def test_an_outcome_without_marks_behind_it_earns_nothing(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    (booking,) = await participants(db, event, 1)
    booking.status = "attended"  # as the demo's history sets it, without marks
    await db.commit()
    assert await services.issue(db, event_id=event.id, actor=trainer, now=NOW) == []
