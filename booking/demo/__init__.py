"""The demo programme: the network's year relative to ``now``, so it always lies ahead.

``sid demo`` loads it into an empty database. Every address uses a reserved ``.example``
domain, so nothing here can reach a real person. Seats are taken through
:func:`booking.bookings.services.book`, as a member would; the confirmation mails this writes to the
outbox are removed again, because nobody is there to read them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.bookings.release import release
from booking.bookings.services import book
from booking.demo.data import (
    COORDINATOR_EMAIL,
    MATERIALS,
    MEMBERS,
    ORGANISATIONS,
    ORGANISER_EMAIL,
    TRAINER_EMAIL,
)
from booking.demo.feedback import add_feedback
from booking.demo.joining import add_joining
from booking.demo.materials import add_orders
from booking.demo.newsletter import add_newsletter
from booking.demo.programme import Calendar, Programme, build_programme, email_part
from booking.demo.venues import build_venues
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.attendance.services import mark
from courses.models import Event
from materials.models import MaterialItem

__all__ = ["COORDINATOR_EMAIL", "ORGANISER_EMAIL", "TRAINER_EMAIL", "load_demo"]


def _people(orgs: dict[str, Organisation]) -> tuple[Member, Member, Member, list[Member]]:
    organiser = Member(
        email=ORGANISER_EMAIL,
        first_name="Birgit",
        last_name="Lammers",
        function="Geschäftsstelle #sicherimDienst",
        role="organiser",
        organisation=orgs["polizei-muenster.example"],
    )
    trainer = Member(
        email=TRAINER_EMAIL,
        first_name="Sandra",
        last_name="Terhorst",
        function="Trainerin BIUS",
        role="trainer",
        organisation=orgs["polizei-recklinghausen.example"],
    )
    coordinator = Member(
        email=COORDINATOR_EMAIL,
        first_name="Renate",
        last_name="Albers",
        function="Stellvertretende Schulleitung",
        role="coordinator",
        organisation=orgs["gesamtschule-dortmund.example"],
    )
    members = [
        Member(
            email=f"{email_part(first)}.{email_part(last)}@{domain}",
            first_name=first,
            last_name=last,
            function=function,
            organisation=orgs[domain],
        )
        for first, last, function, domain in MEMBERS
    ]
    return organiser, trainer, coordinator, members


async def load_demo(session: AsyncSession, now: datetime) -> bool:
    """Load the demo programme into a database without events; False if it had some."""
    if await session.scalar(select(Event.id).limit(1)) is not None:
        return False
    outbox_before = await session.scalar(select(func.max(OutboxMessage.id))) or 0
    orgs = {
        domain: Organisation(
            name=name, sector=sector, region=region, domains=[OrganisationDomain(domain=domain)]
        )
        for name, sector, region, domain in ORGANISATIONS
    }
    organiser, trainer, coordinator, members = _people(orgs)
    programme = build_programme(Calendar(now), build_venues(), trainer)
    session.add_all([*orgs.values(), organiser, trainer, coordinator, *members, *programme.events])
    session.add_all(
        MaterialItem(
            name=name, description=text, unit=unit, picture=picture, stock=stock,
            emergency_services_only=emergency, yearly_limit=limit, low_stock_threshold=low,
        )
        for name, text, unit, picture, stock, emergency, limit, low in MATERIALS
    )  # fmt: skip
    await session.flush()
    ids = [m.id for m in members]
    past = programme.past_bius
    booked_at = past.sessions[0].starts_at - timedelta(days=30)
    past_bookings = [
        Booking(
            event_id=past.id,
            member_id=member.id,
            organisation_id=member.organisation_id,
            status="confirmed",
            created_at=booked_at,
            confirmed_at=booked_at,
        )
        for member in members[:3]
    ]
    session.add_all(past_bookings)
    await add_feedback(session, now, programme.webinars[0].online_room, members[11:19])
    plan = _booking_plan(programme, ids)
    await session.commit()
    # The trainer's marks at the door: two attended (one came late), one did not come. The
    # outcomes follow from them; the certificates are the trainer's to issue.
    for sitting, marks in zip(past.sessions, (("present", "late", "absent"),) * 2, strict=False):
        await mark(
            session,
            event_id=past.id,
            session_id=sitting.id,
            marks=[(b.id, m) for b, m in zip(past_bookings, marks, strict=True)],
            actor=trainer,
            now=sitting.ends_at,
        )
    for event_id, member_id in plan:
        await book(session, event_id=event_id, member_id=member_id, now=now)
    # The school training needs the release by the school: the Gesamtschule's coordinator has
    # released the first request; the others wait (the Berufskolleg has no coordinator: there
    # the office releases).
    first_request = await session.scalar(
        select(Booking.id)
        .where(Booking.event_id == programme.school_training.id, Booking.status == "requested")
        .order_by(Booking.id)
    )
    if first_request is not None:
        await release(session, booking_id=first_request, actor=coordinator, now=now)
    await add_orders(session, now, organiser)
    await add_joining(session, now, organiser)
    await add_newsletter(session, now, organiser, members)
    # The invented members cannot read mail: drop what the bookings and the newsletter wrote
    # to the outbox (an issue's mail no longer in the outbox counts as sent long ago).
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    await session.commit()
    return True


def _booking_plan(p: Programme, ids: list[int]) -> list[tuple[int, int]]:
    """Who books what, in order. ids[0] attended the past BIUS I and may book BIUS II."""
    health = [ids[i] for i in (11, 12, 13, 21, 22)]
    school = [ids[i] for i in (16, 17, 23, 24)]
    plan = [(p.meeting.id, m) for m in ids[2:24]]
    plan += [(p.meeting.workshops[n % 4].id, m) for n, m in enumerate(ids[2:24])]
    plan += [(p.conference.id, m) for m in ids[6:31]]
    plan += [(p.conference.workshops[n % 4].id, m) for n, m in enumerate(ids[6:31])]
    plan += [(p.bius[0].id, m) for m in ids[3:21]]  # 14 seats: the last ones wait
    plan += [(p.bius[1].id, ids[1])]
    plan += [(p.health_training.id, m) for m in health]
    plan += [(w.id, m) for w in p.webinars for m in health]
    plan += [(p.school_training.id, m) for m in school]
    plan += [(p.lottery.id, m) for m in ids[1:30:2]]  # requests from many organisations
    plan += [(p.qa[0].id, m) for m in ids[::2]] + [(p.qa[1].id, m) for m in ids[1:12]]
    return plan
