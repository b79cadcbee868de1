"""An offer's mails as they arrive at a real SMTP server: the offer with its deadline and two
signed links (no invitation yet), the confirmation with the iTIP REQUEST after accepting,
and the notes on declining and on the deadline passing."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings import offers, services
from booking.bookings.workdays import offer_deadline
from booking.core.db import session_factory
from booking.core.formatting import datetime_de
from tests import factories
from tests.factories import NOW
from tests.mail import mail_settings, send
from tests.smtp import SmtpServer, calendar_part, text_body

LINK = re.compile(r"https://buchung\.sicherimdienst\.example(/angebot/\w+)\?token=(\S+)")


async def test_offer_accept_and_invitation_arrive(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(engine, smtp.port, tmp_path)
    event = await factories.event(db, capacity=1, offer_working_days=2, title="BIUS II")
    holder, first = await factories.member(db), await factories.member(db)
    held = await services.book(db, event_id=event.id, member_id=holder.id, now=NOW)
    waiting = await services.book(db, event_id=event.id, member_id=first.id, now=NOW)
    assert await send(engine, settings) == 2
    smtp.inbox.wait_for(2)

    await services.cancel(db, booking_id=held.booking.id, actor=holder, now=NOW)
    assert await send(engine, settings) == 2
    cancelled, offer = smtp.inbox.wait_for(4)[2:]
    assert cancelled["To"] == holder.email and offer["To"] == first.email
    deadline = datetime_de(offer_deadline(NOW, 2))
    assert offer["Subject"] == f"Ein Platz für Sie: BIUS II – bitte bis {deadline} annehmen"
    text = text_body(offer)
    assert f"Bitte nehmen Sie den Platz bis {deadline} an." in text
    assert not any(p.get_content_type() == "text/calendar" for p in offer.walk())
    links = dict(LINK.findall(text))
    assert set(links) == {offers.ACCEPT_PATH, offers.DECLINE_PATH}
    html = offer.get_body(("html",))
    assert html is not None and links[offers.ACCEPT_PATH] in str(html.get_content())

    serializer = offers.offer_serializer(settings.secret_key)
    link = offers.read_offer_token(serializer, links[offers.ACCEPT_PATH], offers.ACCEPT)
    assert link.booking_id == waiting.booking.id
    await offers.answer_by_link(db, link=link, now=NOW + timedelta(hours=1))
    assert await send(engine, settings) == 1
    [accepted] = smtp.inbox.wait_for(5)[4:]
    assert accepted["Subject"] == "Platz angenommen – Anmeldung bestätigt: BIUS II"
    assert "Ihre Teilnahme ist bestätigt" in text_body(accepted)
    method, calendar = calendar_part(accepted)
    assert method == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == f"mailto:{first.email}"


async def test_declined_and_expired_offers_are_told(
    db: AsyncSession, engine: AsyncEngine, smtp: SmtpServer, tmp_path: Path
) -> None:
    settings = mail_settings(engine, smtp.port, tmp_path)
    event = await factories.event(db, capacity=1, offer_working_days=1, title="BIUS III")
    people = [await factories.member(db) for _ in range(3)]
    ids = [
        (await services.book(db, event_id=event.id, member_id=p.id, now=NOW)).booking.id
        for p in people
    ]
    await services.cancel(db, booking_id=ids[0], actor=people[0], now=NOW)
    await offers.decline(db, booking_id=ids[1], now=NOW, actor=people[1])
    await offers.expire_due(session_factory(engine), offer_deadline(NOW, 1) + timedelta(1))
    assert await send(engine, settings) == 8

    arrived = smtp.inbox.wait_for(8)
    told = [(m["To"], m["Subject"]) for m in arrived[3:]]
    assert told == [
        (people[0].email, "Stornierung: BIUS III"),
        (people[1].email, f"Ein Platz für Sie: BIUS III – bitte bis "
         f"{datetime_de(offer_deadline(NOW, 1))} annehmen"),
        (people[1].email, "Platz abgelehnt: BIUS III"),
        (people[2].email, f"Ein Platz für Sie: BIUS III – bitte bis "
         f"{datetime_de(offer_deadline(NOW, 1))} annehmen"),
        (people[2].email, "Angebot abgelaufen: BIUS III"),
    ]  # fmt: skip
    assert "nicht mehr darauf" in text_body(arrived[5])
    assert "Die Frist ist verstrichen" in text_body(arrived[7])
