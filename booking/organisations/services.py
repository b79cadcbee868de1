"""Organisations managed by the staff unit: create, change, merge duplicates, e-mail domains
(reading in queries.py, checking input in checks.py, the CSV import in importing.py).

Every change is an organiser's (others get :class:`Forbidden`) and is written in one write
transaction. The database has the last word on unique names and domains: an
``IntegrityError`` from two requests racing becomes the same German error as the check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.bookings.models import Booking
from booking.core.db import utcnow
from booking.core.errors import NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.members import services as members
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.checks import (
    clean_domains,
    clean_name,
    clean_region,
    clean_sector,
    is_valid_domain,
    normalise_domain,
    refuse,
    require_organiser,
)
from booking.organisations.models import (
    JoiningApplication,
    JoiningCertificate,
    Organisation,
    OrganisationDomain,
)
from booking.organisations.queries import get_organisation, with_domains
from materials.models import MaterialOrder


async def _name_taken(
    session: AsyncSession, name: str, except_id: int | None = None
) -> Organisation | None:
    query = select(Organisation).where(func.lower(Organisation.name) == name.lower())
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return await session.scalar(query)


async def check_domains_free(
    session: AsyncSession, domains: Sequence[str], organisation_id: int | None
) -> None:
    if not domains:
        return
    rows = await session.execute(
        select(OrganisationDomain.domain, Organisation.name)
        .join(Organisation)
        .where(OrganisationDomain.domain.in_(domains))
        .where(Organisation.id != (organisation_id or 0))
        .order_by(OrganisationDomain.domain)
    )
    for domain, name in rows:
        message = messages.DOMAIN_TAKEN.format(domain=domain, name=name)
        raise ValidationFailed(message, {"domains": message})


async def explain_conflict(
    session: AsyncSession, *, name: str, domains: Sequence[str], organisation_id: int | None
) -> ValidationFailed:
    """After a unique constraint refused a write: the German error the check would have given."""
    try:
        await check_domains_free(session, domains, organisation_id)
    except ValidationFailed as exc:
        return exc
    message = messages.NAME_TAKEN.format(name=name)
    return ValidationFailed(message, {"name": message})


async def add_organisation(
    session: AsyncSession, *, name: str, sector: str, region: str, domains: Sequence[str]
) -> Organisation:
    """Check and add inside the caller's write transaction."""
    errors: dict[str, str] = {}
    name = clean_name(name, errors)
    clean_sector(sector, errors)
    clean_region(region, errors)
    cleaned = clean_domains(domains, errors)
    refuse(errors)
    if await _name_taken(session, name):
        message = messages.NAME_TAKEN.format(name=name)
        raise ValidationFailed(message, {"name": message})
    await check_domains_free(session, cleaned, None)
    organisation = Organisation(
        name=name,
        sector=sector,
        region=region,
        domains=[OrganisationDomain(domain=d) for d in cleaned],
    )
    session.add(organisation)
    await session.flush()
    return organisation


async def create_organisation(
    session: AsyncSession,
    *,
    actor: Member,
    name: str,
    sector: str,
    region: str,
    domains: Sequence[str] = (),
) -> Organisation:
    require_organiser(actor)
    try:
        async with write_transaction(session):
            organisation = await add_organisation(
                session, name=name, sector=sector, region=region, domains=domains
            )
            organisation_id = organisation.id
    except IntegrityError as exc:
        raise await explain_conflict(
            session, name=name.strip(), domains=clean_domains(domains, {}), organisation_id=None
        ) from exc
    return await get_organisation(session, organisation_id, actor)


async def create_and_approve(
    session: AsyncSession,
    *,
    actor: Member,
    member_id: int,
    name: str,
    sector: str,
    region: str,
    domains: Sequence[str] = (),
    now: datetime,
) -> Member:
    """Create the organisation of a pending member and approve them into it, in one
    transaction: when either step is refused, neither happens."""
    require_organiser(actor)
    try:
        async with write_transaction(session):
            member = await members.pending_member(session, member_id, actor)
            organisation = await add_organisation(
                session, name=name, sector=sector, region=region, domains=domains
            )
            members.activate(session, member, organisation, now, actor)
    except IntegrityError as exc:
        raise await explain_conflict(
            session, name=name.strip(), domains=clean_domains(domains, {}), organisation_id=None
        ) from exc
    return member


async def update_organisation(
    session: AsyncSession,
    *,
    actor: Member,
    organisation_id: int,
    name: str | None = None,
    sector: str | None = None,
    region: str | None = None,
    domains: Sequence[str] | None = None,
) -> Organisation:
    """Change what is given (None: leave as it is); ``domains`` replaces the whole set."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = clean_name(name, errors)
    if sector is not None:
        clean_sector(sector, errors)
    if region is not None:
        clean_region(region, errors)
    cleaned = clean_domains(domains, errors) if domains is not None else None
    refuse(errors)
    try:
        async with write_transaction(session):
            organisation = await locked_organisation(session, organisation_id)
            if name is not None and name != organisation.name:
                if await _name_taken(session, name, except_id=organisation.id):
                    message = messages.NAME_TAKEN.format(name=name)
                    raise ValidationFailed(message, {"name": message})
                organisation.name = name
            if sector is not None:
                organisation.sector = sector
            if region is not None:
                organisation.region = region
            if cleaned is not None:
                await check_domains_free(session, cleaned, organisation.id)
                have = {d.domain: d for d in organisation.domains}
                for domain, row in have.items():
                    if domain not in cleaned:
                        organisation.domains.remove(row)
                await session.flush()
                for domain in cleaned:
                    if domain not in have:
                        organisation.domains.append(OrganisationDomain(domain=domain))
                await session.flush()
    except IntegrityError as exc:
        raise await explain_conflict(
            session, name=name or "", domains=cleaned or [], organisation_id=organisation_id
        ) from exc
    return await get_organisation(session, organisation_id, actor)


async def locked_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    organisation = await session.scalar(
        with_domains()
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if organisation is None:
        raise NotFound(messages.MERGE_UNKNOWN)
    return organisation


async def add_domains(
    session: AsyncSession, organisation: Organisation, domains: Sequence[str]
) -> None:
    """Give a locked organisation these domains (checked and free) in the caller's write
    transaction."""
    for domain in domains:
        organisation.domains.append(OrganisationDomain(domain=domain))
    await session.flush()


async def add_domain(
    session: AsyncSession, *, actor: Member, organisation_id: int, domain: str
) -> Organisation:
    """Add an e-mail domain (lower-case, valid, not another organisation's). Adding one the
    organisation already has changes nothing."""
    require_organiser(actor)
    cleaned = normalise_domain(domain)
    if not is_valid_domain(cleaned):
        raise ValidationFailed(messages.DOMAIN_INVALID, {"domain": messages.DOMAIN_INVALID})
    try:
        async with write_transaction(session):
            organisation = await locked_organisation(session, organisation_id)
            await check_domains_free(session, [cleaned], organisation.id)
            if cleaned not in {d.domain for d in organisation.domains}:
                session.add(OrganisationDomain(domain=cleaned, organisation_id=organisation.id))
                await session.flush()
    except IntegrityError as exc:
        conflict = await explain_conflict(
            session, name="", domains=[cleaned], organisation_id=organisation_id
        )
        raise ValidationFailed(conflict.message, {"domain": conflict.message}) from exc
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {"domain": exc.message}) from exc
    return await get_organisation(session, organisation_id, actor)


async def remove_domain(
    session: AsyncSession, *, actor: Member, organisation_id: int, domain: str
) -> Organisation:
    """Take a domain away: new sign-ins from it wait for approval again; members stay."""
    require_organiser(actor)
    cleaned = normalise_domain(domain)
    async with write_transaction(session):
        organisation = await locked_organisation(session, organisation_id)
        result = await session.execute(
            delete(OrganisationDomain).where(
                OrganisationDomain.domain == cleaned,
                OrganisationDomain.organisation_id == organisation.id,
            )
        )
        if not getattr(result, "rowcount", 0):
            raise NotFound(messages.DOMAIN_NOT_HERE.format(domain=cleaned[:253]))
    return await get_organisation(session, organisation_id, actor)


@dataclass(frozen=True)
class MergeResult:
    kept: Organisation
    removed_name: str
    members: int
    bookings: int
    domains: int
    orders: int


async def merge_organisations(
    session: AsyncSession,
    *,
    actor: Member,
    keep_id: int,
    remove_id: int,
    now: datetime | None = None,
) -> MergeResult:
    """Fold a duplicate into the organisation that stays: its members, bookings, material
    orders and domains move over, then it is deleted, all in one transaction.

    Bookings keep their status. Where an event limits seats per organisation, the confirmed
    seats of both stay confirmed even if together they pass the limit (like lowering a
    capacity, a merge never removes anyone); the merged organisation gets no further seat
    there until it is below the limit again. The duplicate's Urkunde no longer holds (it
    names the duplicate): it is marked superseded and kept, with its applications, under the
    organisation that stays."""
    require_organiser(actor)
    if keep_id == remove_id:
        raise ValidationFailed(messages.MERGE_SAME, {"remove_id": messages.MERGE_SAME})
    async with write_transaction(session):
        found = {
            o.id: o
            for o in await session.scalars(
                select(Organisation)
                .where(Organisation.id.in_([keep_id, remove_id]))
                .order_by(Organisation.id)
                .with_for_update()
            )
        }
        if keep_id not in found or remove_id not in found:
            raise NotFound(messages.MERGE_UNKNOWN)
        removed_name = found[remove_id].name
        moved = []
        await supersede_for_merge(session, remove_id, now or utcnow())
        for model in (Member, Booking, OrganisationDomain, MaterialOrder):
            result = await session.execute(
                update(model)
                .where(model.organisation_id == remove_id)
                .values(organisation_id=keep_id)
                .execution_options(synchronize_session=False)
            )
            moved.append(int(getattr(result, "rowcount", 0) or 0))
        for model_ in (JoiningApplication, JoiningCertificate):
            await session.execute(
                update(model_)
                .where(model_.organisation_id == remove_id)
                .values(organisation_id=keep_id)
                .execution_options(synchronize_session=False)
            )
        await session.execute(
            delete(Organisation)
            .where(Organisation.id == remove_id)
            .execution_options(synchronize_session=False)
        )
        session.expunge(found[remove_id])
    kept = await get_organisation(session, keep_id, actor)
    return MergeResult(kept, removed_name, *moved)


async def supersede_for_merge(session: AsyncSession, organisation_id: int, now: datetime) -> None:
    """The current Urkunde of an organisation that is merged away no longer holds."""
    await session.execute(
        update(JoiningCertificate)
        .where(
            JoiningCertificate.organisation_id == organisation_id,
            JoiningCertificate.superseded_at.is_(None),
        )
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
