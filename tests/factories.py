"""Test data per domain: organisations, members, venues, events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.members.models import Member
from booking.organisations.models import Organisation, OrganisationDomain
from courses.models import Event, EventSector, EventSession, event_trainers

NOW = datetime.now(UTC).replace(microsecond=0)
"""Events are placed relative to the real clock, so that pages (which use it) agree."""
_counter = itertools.count(1)
_domains: dict[int, str] = {}


async def organisation(
    db: AsyncSession,
    *,
    sector: str = "verwaltung",
    region: str = "Münster",
    domain: str | None = None,
) -> Organisation:
    n = next(_counter)
    org = Organisation(name=f"Organisation {n}", sector=sector, region=region)
    org.domains.append(OrganisationDomain(domain=domain or f"org{n}.example"))
    db.add(org)
    await db.commit()
    _domains[org.id] = org.domains[0].domain
    return org


async def member(
    db: AsyncSession,
    org: Organisation | None = None,
    *,
    role: str = "member",
    status: str = "active",
    email: str | None = None,
) -> Member:
    n = next(_counter)
    if org is None:
        org = await organisation(db)
    m = Member(
        email=email or f"person{n}@{_domains.get(org.id, 'example.org')}",
        first_name="Vorname",
        last_name=f"Nachname{n}",
        organisation_id=org.id,
        role=role,
        status=status,
    )
    db.add(m)
    await db.commit()
    await db.refresh(m, ["organisation"])
    return m


async def event(
    db: AsyncSession,
    *,
    capacity: int = 16,
    kind: str = "training",
    status: str = "published",
    starts_in: timedelta = timedelta(days=30),
    days: int = 1,
    sectors: tuple[str, ...] = (),
    **fields: object,
) -> Event:
    start = NOW + starts_in
    e = Event(kind=kind, status=status, title=f"Veranstaltung {next(_counter)}", capacity=capacity)
    for key, value in fields.items():
        setattr(e, key, value)
    e.sessions = [
        EventSession(
            starts_at=start + timedelta(days=d), ends_at=start + timedelta(days=d, hours=7)
        )
        for d in range(days)
    ]
    e.sectors = [EventSector(sector=s) for s in sectors]
    db.add(e)
    await db.commit()
    return e


async def training(
    db: AsyncSession, trainer: Member, *, days: int = 2, units: int | None = 8, **fields: object
) -> Event:
    """An event held in the last ``days`` days with ``trainer`` as its trainer and ``units``
    teaching units a session."""
    held = await event(db, days=days, starts_in=timedelta(days=-days), **fields)
    await db.execute(insert(event_trainers).values(event_id=held.id, member_id=trainer.id))
    for sitting in held.sessions:
        sitting.teaching_units = units
    await db.commit()
    return held


async def participants(db: AsyncSession, event: Event, count: int) -> list[Booking]:
    """``count`` confirmed bookings of ``event``, of members of one new organisation."""
    org = await organisation(db)
    booked = []
    for _ in range(count):
        person = await member(db, org)
        booking = Booking(
            event_id=event.id, member_id=person.id, organisation_id=org.id, status="confirmed"
        )
        db.add(booking)
        booked.append(booking)
    await db.commit()
    return booked
