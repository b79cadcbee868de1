"""Issuing certificates: for attended and partly attended bookings once the outcomes are set,
numbered, with unguessable codes, once; marks locked while a certificate is valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.errors import Forbidden, InvalidState
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from courses.attendance import services as attendance
from courses.certificates import services
from courses.certificates.models import Certificate
from tests import factories
from tests.factories import NOW, participants, training
from tests.mail import mail_settings, send
from tests.pdfs import page_texts
from tests.smtp import SmtpServer, text_body


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
    assert partial.partial_note == "teilgenommen an 1 von 2 Trainingstagen, 8 von 16 UE"
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
    trainer, event, full, half, absent = await marked_training(db)
    await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    last = event.sessions[1].id
    with pytest.raises(InvalidState):
        await attendance.mark(
            db, event_id=event.id, session_id=last,
            marks=[(half.id, "present"), (absent.id, "present")], actor=trainer, now=NOW,
        )  # fmt: skip
    # The whole roster sent again, as its form does: the certified marks as they are pass,
    # the one who was wrongly marked absent is corrected and earns a certificate.
    await attendance.mark(
        db, event_id=event.id, session_id=last,
        marks=[(full.id, "late"), (half.id, "excused"), (absent.id, "present")],
        actor=trainer, now=NOW,
    )  # fmt: skip
    assert await services.unissued(db, event.id) == 1
    [late_one] = await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    assert (late_one.booking_id, late_one.units_attended) == (absent.id, 8)
    assert await services.unissued(db, event.id) == 0


async def test_an_outcome_without_marks_behind_it_earns_nothing(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    (booking,) = await participants(db, event, 1)
    booking.status = "attended"  # as the demo's history sets it, without marks
    await db.commit()
    assert await services.issue(db, event_id=event.id, actor=trainer, now=NOW) == []


async def test_each_member_is_mailed_a_link_and_the_page_follows_the_mails(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    trainer, event, full, half, _ = await marked_training(db)
    await db.execute(update(OutboxMessage).values(sent_at=NOW))  # earlier mails: gone out
    issued = await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    assert await services.progress(db, event.id) == services.Progress(2, 0, 0, 0)

    settings = mail_settings(engine, smtp.port, tmp_path)
    assert await send(engine, settings) == 2
    received = {m["To"]: m for m in smtp.inbox.wait_for(2)}
    for certificate in issued:
        owner = await db.get(Member, certificate.member_id)
        assert owner is not None
        mail = received[owner.email]
        assert mail["Subject"] == "Ihre Teilnahmebescheinigung: BIUS II"
        assert not [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
        body = text_body(mail)
        assert f"{settings.base_url}/bescheinigungen/{certificate.number}.pdf" in body
        assert f"{settings.base_url}/bescheinigungen/pruefen/{certificate.code}" in body
    assert "teilgenommen an 1 von 2 Trainingstagen, 8 von 16 UE" in text_body(
        received[(await db.get(Member, half.member_id)).email]  # type: ignore[union-attr]
    )
    await db.commit()
    assert await services.progress(db, event.id) == services.Progress(2, 0, 2, 0)

    organiser = await factories.member(db, role="organiser")
    await services.revoke(
        db, number=issued[0].number, reason="Anwesenheit berichtigt", actor=organiser, now=NOW
    )
    assert await services.progress(db, event.id) == services.Progress(1, 1, 1, 0)
    assert await send(engine, settings) == 1
    (told,) = smtp.inbox.wait_for(3)[2:]
    assert told["Subject"] == "Bescheinigung widerrufen: BIUS II"
    assert "Grund: Anwesenheit berichtigt" in text_body(told)


async def test_the_content_as_it_was_at_issue(db: AsyncSession) -> None:
    trainer, event, full, _, _ = await marked_training(db)
    event.certificate_content = "Gesprächsführung unter Druck\n\nZusammenarbeit im Team\n"
    await db.commit()
    issued = await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    event.certificate_content = "Etwas anderes"
    await db.commit()
    certificate = await db.scalar(select(Certificate).where(Certificate.booking_id == full.id))
    assert certificate in issued and certificate is not None
    assert certificate.content_lines == ("Gesprächsführung unter Druck", "Zusammenarbeit im Team")
    (text,) = page_texts(services.render(certificate, "https://example.org/pruefen/x"))
    assert "Gesprächsführung unter Druck" in text and "Etwas anderes" not in text


async def test_an_events_certificates_page_by_page_for_its_trainers(db: AsyncSession) -> None:
    trainer = await factories.member(db, role="trainer")
    event = await training(db, trainer, days=1)
    people = await participants(db, event, services.EVENT_PAGE + 3)
    await attendance.mark_all_present(
        db, event_id=event.id, session_id=event.sessions[0].id, actor=trainer, now=NOW
    )
    await services.issue(db, event_id=event.id, actor=trainer, now=NOW)
    first = await services.event_certificates(db, event.id, trainer, cursor=None)
    assert len(first.items) == services.EVENT_PAGE and first.total == len(people)
    rest = await services.event_certificates(db, event.id, trainer, cursor=first.next_cursor)
    assert len(rest.items) == 3 and rest.next_cursor is None
    seen = [c.booking_id for c in [*first.items, *rest.items]]
    assert seen == [b.id for b in people]
    with pytest.raises(Forbidden):
        stranger = await factories.member(db, role="trainer")
        await services.event_certificates(db, event.id, stranger, cursor=None)
