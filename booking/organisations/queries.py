"""Reading organisations: one with its domains, a paginated list with search and filters,
who owns a domain, how many members, what a merge would move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking
from booking.core.errors import NotFound
from booking.core.paging import (
    LIMIT_RANGE,
    PAGE_SIZE,
    PAGE_SIZE_MAX,
    after_key,
    decode_cursor,
    encode_cursor,
)
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.checks import (
    NAME_MAX,
    clean_region,
    clean_sector,
    has_control_chars,
    normalise_domain,
    refuse,
    require_organiser,
)
from booking.organisations.models import Organisation, OrganisationDomain


def with_domains() -> Select[Organisation]:
    return select(Organisation).options(selectinload(Organisation.domains))


async def get_organisation(
    session: AsyncSession, organisation_id: int, actor: Member
) -> Organisation:
    require_organiser(actor)
    organisation = await session.scalar(
        with_domains()
        .where(Organisation.id == organisation_id)
        .execution_options(populate_existing=True)
    )
    if organisation is None:
        raise NotFound(messages.MERGE_UNKNOWN)
    return organisation


async def all_organisations(session: AsyncSession) -> list[Organisation]:
    """Every organisation by name, for choices (about a thousand: a select stays usable)."""
    return list(await session.scalars(select(Organisation).order_by(Organisation.name)))


async def domain_owner(session: AsyncSession, domain: str) -> Organisation | None:
    return await session.scalar(
        select(Organisation)
        .join(OrganisationDomain)
        .where(OrganisationDomain.domain == normalise_domain(domain))
    )


async def member_counts(session: AsyncSession, organisation_ids: Sequence[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    rows = await session.execute(
        select(Member.organisation_id, func.count())
        .where(Member.organisation_id.in_(organisation_ids))
        .group_by(Member.organisation_id)
    )
    return {org_id: count for org_id, count in rows if org_id is not None}


@dataclass(frozen=True)
class OrganisationFilter:
    search: str = ""
    """Part of the name, any case."""
    sector: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class OrganisationPage:
    items: list[Organisation]
    member_counts: dict[int, int]
    next_cursor: str | None
    """Hand it back as ``after`` for the next page; None on the last page."""


async def list_organisations(
    session: AsyncSession,
    actor: Member,
    filters: OrganisationFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> OrganisationPage:
    """One page of organisations by name (case-insensitive), with their domains and member
    counts. Pages are cut by the last name and id seen (keyset): a page costs the same
    however far down the list it is."""
    require_organiser(actor)
    errors: dict[str, str] = {}
    if has_control_chars(filters.search) or len(filters.search) > NAME_MAX:
        errors["search"] = messages.SEARCH_TOO_LONG
        if has_control_chars(filters.search):
            errors["search"] = messages.NAME_CONTROL_CHARS
    if filters.sector:
        clean_sector(filters.sector, errors)
    if filters.region:
        clean_region(filters.region, errors)
    if not 1 <= limit <= PAGE_SIZE_MAX:
        errors["limit"] = LIMIT_RANGE.format(max=PAGE_SIZE_MAX)
    refuse(errors)

    sort_key = func.lower(Organisation.name)
    query = select(Organisation, sort_key).options(selectinload(Organisation.domains))
    if search := filters.search.strip():
        query = query.where(sort_key.contains(search.lower(), autoescape=True))
    if filters.sector:
        query = query.where(Organisation.sector == filters.sector)
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    if after:
        last_key, last_id = decode_cursor(after, (str, int), field="after")
        if len(last_key) > NAME_MAX:
            decode_cursor("", (str, int), field="after")  # refused like any forged cursor
        query = query.where(after_key((sort_key, Organisation.id), (last_key, last_id)))
    rows = list(await session.execute(query.order_by(sort_key, Organisation.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [organisation for organisation, _ in rows]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0].id) if more else None
    counts = await member_counts(session, [o.id for o in items])
    return OrganisationPage(items=items, member_counts=counts, next_cursor=next_cursor)


@dataclass(frozen=True)
class Usage:
    members: int
    bookings: int
    domains: int


async def usage(session: AsyncSession, organisation: Organisation) -> Usage:
    """What moves when this organisation is merged into another (for the confirmation)."""
    counts = await member_counts(session, [organisation.id])
    bookings = await session.scalar(
        select(func.count()).select_from(Booking).where(Booking.organisation_id == organisation.id)
    )
    return Usage(counts.get(organisation.id, 0), int(bookings or 0), len(organisation.domains))
