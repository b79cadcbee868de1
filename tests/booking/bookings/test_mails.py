"""What a booking's mails carry, as they arrive at a real SMTP server: the iTIP invitation
(REQUEST, its update and CANCEL under one UID with a rising SEQUENCE), and the meeting link
for confirmed participants only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import changes, services
from tests import factories
from tests.factories import NOW
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, calendar_part, ics_attachment, text_body
from venues.models import OnlineRoom


async def test_confirmation_carries_an_itip_request(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, title="BIUS I", days=2)
    person = await factories.member(db)
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 1
    [message] = smtp.inbox.wait_for(1)
    assert message["To"] == person.email
    assert message["Subject"] == "Anmeldung bestätigt: BIUS I"
    assert "Ihre Anmeldung ist bestätigt" in text_body(message)
    method, cal = calendar_part(message)
    assert method == "REQUEST"
    assert str(cal["METHOD"]) == "REQUEST"
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    vevents = cal.walk("VEVENT")
    assert len(vevents) == 2  # one per session
    for vevent, sitting in zip(vevents, event.sessions, strict=True):
        assert str(vevent["UID"]) == f"event-{event.id}-session-{sitting.id}@sicherimdienst"
        assert int(vevent["SEQUENCE"]) == 0
        assert vevent["DTSTAMP"].dt.tzinfo is not None
        assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert vevent["DTSTART"].dt == sitting.starts_at
        assert str(vevent["ORGANIZER"]) == "mailto:netzwerk@sicherimdienst.example"
        assert str(vevent["ATTENDEE"]) == f"mailto:{person.email}"
    assert ics_attachment(message).to_ical() == cal.to_ical()


async def test_invite_update_and_cancel_share_uid_with_rising_sequence(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(engine, smtp.port, tmp_path)
    event = await factories.event(db)
    person = await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    booked = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    sitting = event.sessions[0]
    new_start, new_end = (
        sitting.starts_at + timedelta(hours=1),
        sitting.ends_at + timedelta(hours=1),
    )
    await changes.change_sessions(
        db,
        event_id=event.id,
        changes=[changes.SessionChange(sitting.id, new_start, new_end)],
        actor=organiser,
        now=NOW,
    )
    await services.cancel(db, booking_id=booked.booking.id, actor=person, now=NOW)
    again = await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    assert again.booking.status == "confirmed"
    await send(engine, settings)
    messages = smtp.inbox.wait_for(4)
    parts = [calendar_part(m) for m in messages]
    assert [method for method, _ in parts] == ["REQUEST", "REQUEST", "CANCEL", "REQUEST"]
    vevents = [cal.walk("VEVENT")[0] for _, cal in parts]
    assert len({str(v["UID"]) for v in vevents}) == 1
    sequences = [int(v["SEQUENCE"]) for v in vevents]
    assert sequences == sorted(set(sequences)), sequences
    moved = vevents[1]["DTSTART"].dt
    assert moved == new_start
    assert str(vevents[2]["STATUS"]) == "CANCELLED"
    assert messages[1]["Subject"].startswith("Geänderter Termin")


async def test_event_cancelled_by_organiser(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, capacity=1)
    a, b = await factories.member(db), await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    await changes.cancel_event(
        db, event_id=event.id, actor=organiser, now=NOW, reason="Die Trainerin ist erkrankt."
    )
    await send(engine, mail_settings(engine, smtp.port, tmp_path))
    messages = smtp.inbox.wait_for(4)
    cancelled = [m for m in messages if m["Subject"].startswith("Abgesagt")]
    assert {m["To"] for m in cancelled} == {a.email, b.email}
    to_a = next(m for m in cancelled if m["To"] == a.email)
    method, cal = calendar_part(to_a)
    assert method == "CANCEL" and int(cal.walk("VEVENT")[0]["SEQUENCE"]) == 2
    assert "Die Trainerin ist erkrankt." in text_body(to_a)
    to_b = next(m for m in cancelled if m["To"] == b.email)
    assert not any(p.get_content_type() == "text/calendar" for p in to_b.walk())


async def test_meeting_link_only_for_confirmed(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    room = OnlineRoom(name="Raum", meeting_url="https://meet.example/geheim")
    db.add(room)
    await db.commit()
    event = await factories.event(db, kind="online_qa", capacity=1, online_room_id=room.id)
    a, b = await factories.member(db), await factories.member(db)
    first = await services.book(db, event_id=event.id, member_id=a.id, now=NOW)
    await services.book(db, event_id=event.id, member_id=b.id, now=NOW)
    settings = mail_settings(engine, smtp.port, tmp_path)
    await send(engine, settings)
    confirmed, waiting = smtp.inbox.wait_for(2)
    assert "https://meet.example/geheim" in confirmed.as_string()
    assert "geheim" not in waiting.as_string()
    assert waiting["Subject"].startswith("Warteliste Platz 1")
    await services.cancel(db, booking_id=first.booking.id, actor=a, now=NOW)
    await send(engine, settings)
    messages = smtp.inbox.wait_for(4)
    promoted = next(m for m in messages[2:] if m["To"] == b.email)
    assert promoted["Subject"].startswith("Ein Platz ist frei geworden")
    assert "https://meet.example/geheim" in text_body(promoted)
    method, cal = calendar_part(promoted)
    assert method == "REQUEST" and "geheim" in str(cal.walk("VEVENT")[0]["LOCATION"])
    cancel_to_a = next(m for m in messages[2:] if m["To"] == a.email)
    assert "geheim" not in cancel_to_a.as_string()


async def test_a_removed_session_stands_cancelled_in_the_updated_invitation(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    event = await factories.event(db, title="BIUS I", days=3)
    person = await factories.member(db)
    organiser = await factories.member(db, role="organiser")
    await services.book(db, event_id=event.id, member_id=person.id, now=NOW)
    first, second, third = event.sessions
    await changes.remove_session(
        db, event_id=event.id, session_id=second.id, actor=organiser, now=NOW
    )

    assert await send(engine, mail_settings(engine, smtp.port, tmp_path)) == 2
    update = smtp.inbox.wait_for(2)[-1]
    assert "Neu – Termin: entfällt" in text_body(update)
    method, cal = calendar_part(update)
    assert method == "REQUEST"
    entries = {str(v["UID"]): (str(v["STATUS"]), int(v["SEQUENCE"])) for v in cal.walk("VEVENT")}
    assert entries == {
        f"event-{event.id}-session-{first.id}@sicherimdienst": ("CONFIRMED", 1),
        f"event-{event.id}-session-{second.id}@sicherimdienst": ("CANCELLED", 1),
        f"event-{event.id}-session-{third.id}@sicherimdienst": ("CONFIRMED", 1),
    }
