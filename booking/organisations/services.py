"""Organisations managed by the staff unit: create, change, merge duplicates, e-mail domains,
a paginated list, and the all-or-nothing CSV import.

Every change is an organiser's (others get :class:`Forbidden`) and is written in one write
transaction. The database has the last word on unique names and domains: an
``IntegrityError`` from two requests racing becomes the same German error as the check.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.bookings.models import Booking
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.core.transactions import write_transaction
from booking.members import services as members
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.models import Organisation, OrganisationDomain, Sector
from materials.models import MaterialOrder
from venues.models import REGIONS

NAME_MAX = 200
PAGE_SIZE = 50
PAGE_SIZE_MAX = 200
"""A page never holds more: listing costs what the page holds, not what the table holds."""

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+(?:[a-z]{{2,63}}|xn--[a-z0-9-]{{1,59}})$")


# -- checking input -------------------------------------------------------------------------------


def normalise_domain(text: str) -> str:
    """``" @Stadt-Muenster.DE "`` → ``"stadt-muenster.de"``; not checked yet."""
    return text.strip().removeprefix("@").strip().lower()


def is_valid_domain(domain: str) -> bool:
    """A host name of at least two labels with a top-level domain of letters (or IDNA)."""
    return len(domain) <= 253 and _DOMAIN.fullmatch(domain) is not None


def has_control_chars(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _clean_name(name: str, errors: dict[str, str]) -> str:
    if has_control_chars(name):
        errors["name"] = messages.NAME_CONTROL_CHARS
        return name
    name = " ".join(name.split())
    if not name:
        errors["name"] = messages.NAME_REQUIRED
    elif len(name) > NAME_MAX:
        errors["name"] = messages.NAME_TOO_LONG
    return name


def _clean_sector(sector: str, errors: dict[str, str]) -> str:
    if sector not in set(Sector):
        errors["sector"] = messages.SECTOR_UNKNOWN
    return sector


def _clean_region(region: str, errors: dict[str, str]) -> str:
    if region not in REGIONS:
        errors["region"] = messages.REGION_UNKNOWN
    return region


def _clean_domains(domains: Iterable[str], errors: dict[str, str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = normalise_domain(raw)
        if not domain:
            continue
        if not is_valid_domain(domain):
            errors["domains"] = messages.DOMAIN_INVALID
        elif domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _require_organiser(actor: Member) -> None:
    if not actor.is_organiser:
        raise Forbidden()


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)


# -- reading --------------------------------------------------------------------------------------


def _with_domains() -> Select[Organisation]:
    return select(Organisation).options(selectinload(Organisation.domains))


async def get_organisation(
    session: AsyncSession, organisation_id: int, actor: Member
) -> Organisation:
    _require_organiser(actor)
    organisation = await session.scalar(
        _with_domains()
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


def _encode_cursor(sort_key: str, organisation_id: int) -> str:
    raw = json.dumps([sort_key, organisation_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort_key, organisation_id = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ValidationFailed(messages.CURSOR_INVALID, {"after": messages.CURSOR_INVALID}) from exc
    if (
        not isinstance(sort_key, str)
        or not isinstance(organisation_id, int)
        or has_control_chars(sort_key)
        or len(sort_key) > NAME_MAX
    ):
        raise ValidationFailed(messages.CURSOR_INVALID, {"after": messages.CURSOR_INVALID})
    return sort_key, organisation_id


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
    _require_organiser(actor)
    errors: dict[str, str] = {}
    if has_control_chars(filters.search) or len(filters.search) > NAME_MAX:
        errors["search"] = messages.SEARCH_TOO_LONG
        if has_control_chars(filters.search):
            errors["search"] = messages.NAME_CONTROL_CHARS
    if filters.sector:
        _clean_sector(filters.sector, errors)
    if filters.region:
        _clean_region(filters.region, errors)
    if not 1 <= limit <= PAGE_SIZE_MAX:
        errors["limit"] = messages.LIMIT_RANGE.format(max=PAGE_SIZE_MAX)
    _refuse(errors)

    sort_key = func.lower(Organisation.name)
    query = select(Organisation, sort_key).options(selectinload(Organisation.domains))
    if search := filters.search.strip():
        query = query.where(sort_key.contains(search.lower(), autoescape=True))
    if filters.sector:
        query = query.where(Organisation.sector == filters.sector)
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    if after:
        last_key, last_id = _decode_cursor(after)
        query = query.where(
            or_(sort_key > last_key, and_(sort_key == last_key, Organisation.id > last_id))
        )
    rows = list(await session.execute(query.order_by(sort_key, Organisation.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    items = [organisation for organisation, _ in rows]
    next_cursor = _encode_cursor(rows[-1][1], rows[-1][0].id) if more else None
    counts = await member_counts(session, [o.id for o in items])
    return OrganisationPage(items=items, member_counts=counts, next_cursor=next_cursor)


# -- writing --------------------------------------------------------------------------------------


async def _name_taken(
    session: AsyncSession, name: str, except_id: int | None = None
) -> Organisation | None:
    query = select(Organisation).where(func.lower(Organisation.name) == name.lower())
    if except_id is not None:
        query = query.where(Organisation.id != except_id)
    return await session.scalar(query)


async def _check_domains_free(
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


async def _explain_conflict(
    session: AsyncSession, *, name: str, domains: Sequence[str], organisation_id: int | None
) -> ValidationFailed:
    """After a unique constraint refused a write: the German error the check would have given."""
    try:
        await _check_domains_free(session, domains, organisation_id)
    except ValidationFailed as exc:
        return exc
    message = messages.NAME_TAKEN.format(name=name)
    return ValidationFailed(message, {"name": message})


async def _create(
    session: AsyncSession, *, name: str, sector: str, region: str, domains: Sequence[str]
) -> Organisation:
    """Check and add inside the caller's write transaction."""
    errors: dict[str, str] = {}
    name = _clean_name(name, errors)
    _clean_sector(sector, errors)
    _clean_region(region, errors)
    cleaned = _clean_domains(domains, errors)
    _refuse(errors)
    if await _name_taken(session, name):
        message = messages.NAME_TAKEN.format(name=name)
        raise ValidationFailed(message, {"name": message})
    await _check_domains_free(session, cleaned, None)
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
    _require_organiser(actor)
    try:
        async with write_transaction(session):
            organisation = await _create(
                session, name=name, sector=sector, region=region, domains=domains
            )
            organisation_id = organisation.id
    except IntegrityError as exc:
        raise await _explain_conflict(
            session, name=name.strip(), domains=_clean_domains(domains, {}), organisation_id=None
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
    _require_organiser(actor)
    try:
        async with write_transaction(session):
            member = await members.pending_member(session, member_id, actor)
            organisation = await _create(
                session, name=name, sector=sector, region=region, domains=domains
            )
            members.activate(session, member, organisation, now)
    except IntegrityError as exc:
        raise await _explain_conflict(
            session, name=name.strip(), domains=_clean_domains(domains, {}), organisation_id=None
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
    _require_organiser(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = _clean_name(name, errors)
    if sector is not None:
        _clean_sector(sector, errors)
    if region is not None:
        _clean_region(region, errors)
    cleaned = _clean_domains(domains, errors) if domains is not None else None
    _refuse(errors)
    try:
        async with write_transaction(session):
            organisation = await _locked(session, organisation_id)
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
                await _check_domains_free(session, cleaned, organisation.id)
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
        raise await _explain_conflict(
            session, name=name or "", domains=cleaned or [], organisation_id=organisation_id
        ) from exc
    return await get_organisation(session, organisation_id, actor)


async def _locked(session: AsyncSession, organisation_id: int) -> Organisation:
    organisation = await session.scalar(
        _with_domains()
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if organisation is None:
        raise NotFound(messages.MERGE_UNKNOWN)
    return organisation


async def add_domain(
    session: AsyncSession, *, actor: Member, organisation_id: int, domain: str
) -> Organisation:
    """Add an e-mail domain (lower-case, valid, not another organisation's). Adding one the
    organisation already has changes nothing."""
    _require_organiser(actor)
    cleaned = normalise_domain(domain)
    if not is_valid_domain(cleaned):
        raise ValidationFailed(messages.DOMAIN_INVALID, {"domain": messages.DOMAIN_INVALID})
    try:
        async with write_transaction(session):
            organisation = await _locked(session, organisation_id)
            await _check_domains_free(session, [cleaned], organisation.id)
            if cleaned not in {d.domain for d in organisation.domains}:
                session.add(OrganisationDomain(domain=cleaned, organisation_id=organisation.id))
                await session.flush()
    except IntegrityError as exc:
        conflict = await _explain_conflict(
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
    _require_organiser(actor)
    cleaned = normalise_domain(domain)
    async with write_transaction(session):
        organisation = await _locked(session, organisation_id)
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
    session: AsyncSession, *, actor: Member, keep_id: int, remove_id: int
) -> MergeResult:
    """Fold a duplicate into the organisation that stays: its members, bookings, material
    orders and domains move over, then it is deleted, all in one transaction.

    Bookings keep their status. Where an event limits seats per organisation, the confirmed
    seats of both stay confirmed even if together they pass the limit (like lowering a
    capacity, a merge never removes anyone); the merged organisation gets no further seat
    there until it is below the limit again."""
    _require_organiser(actor)
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
        for model in (Member, Booking, OrganisationDomain, MaterialOrder):
            result = await session.execute(
                update(model)
                .where(model.organisation_id == remove_id)
                .values(organisation_id=keep_id)
                .execution_options(synchronize_session=False)
            )
            moved.append(int(getattr(result, "rowcount", 0) or 0))
        await session.execute(
            delete(Organisation)
            .where(Organisation.id == remove_id)
            .execution_options(synchronize_session=False)
        )
        session.expunge(found[remove_id])
    kept = await get_organisation(session, keep_id, actor)
    return MergeResult(kept, removed_name, *moved)


# -- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    name: str
    sector: str
    region: str
    domains: str
    """Separated by spaces, commas or semicolons."""
    line: int = 0
    """Line of the file the row came from (0: count the rows, the header being line 1)."""


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    domains_added: int = 0
    errors: list[str] = field(default_factory=list)
    """``Zeile n: …`` for every bad row. When there are any, nothing was written."""


def _sector_key(text: str) -> str | None:
    """A sector by its key or its German name, in any case."""
    wanted = text.strip().casefold()
    for sector in Sector:
        if wanted in (sector.value, messages.SECTOR_LABELS[sector].casefold()):
            return sector.value
    return None


def _region_key(text: str) -> str | None:
    wanted = text.strip().casefold()
    return next((r for r in REGIONS if r.casefold() == wanted), None)


async def import_organisations(session: AsyncSession, rows: Iterable[ImportRow]) -> ImportReport:
    """Create or update organisations by name (any case) from a list: sector and region are
    set, listed domains added (domains not listed stay). All or nothing: when any row is
    bad, every bad row is reported by its line and nothing is written."""
    rows = list(rows)
    async with write_transaction(session):
        existing = {
            o.name.casefold(): o
            for o in await session.scalars(
                select(Organisation).options(selectinload(Organisation.domains))
            )
        }
        wanted_domains = {
            d for row in rows for d in map(normalise_domain, re.split(r"[\s,;]+", row.domains)) if d
        }
        owners: dict[str, str] = {}
        if wanted_domains:
            owner_rows = await session.execute(
                select(OrganisationDomain.domain, Organisation.name)
                .join(Organisation)
                .where(OrganisationDomain.domain.in_(wanted_domains))
            )
            owners = {domain: name for domain, name in owner_rows}
        errors: list[str] = []
        names_seen: dict[str, int] = {}
        domains_seen: dict[str, int] = {}
        plan: list[tuple[str, str, str, list[str]]] = []
        for number, row in enumerate(rows, start=2):
            line = row.line or number
            problems: dict[str, str] = {}
            name = _clean_name(row.name, problems)
            sector = _sector_key(row.sector)
            if sector is None:
                problems["sector"] = f"{messages.SECTOR_UNKNOWN} ({row.sector.strip()!r})"
            region = _region_key(row.region)
            if region is None:
                problems["region"] = f"{messages.REGION_UNKNOWN} ({row.region.strip()!r})"
            domains = _clean_domains(re.split(r"[\s,;]+", row.domains), problems)
            if "name" not in problems:
                key = name.casefold()
                if key in names_seen:
                    problems["name"] = messages.IMPORT_DUPLICATE.format(
                        name=name, first=names_seen[key]
                    )
                names_seen.setdefault(key, line)
                for domain in domains:
                    if domain in domains_seen:
                        problems["domains"] = messages.IMPORT_DOMAIN_TWICE.format(
                            domain=domain, first=domains_seen[domain]
                        )
                        continue
                    domains_seen[domain] = line
                    owner = owners.get(domain)
                    if owner is not None and owner.casefold() != key:
                        problems["domains"] = messages.DOMAIN_TAKEN.format(
                            domain=domain, name=owner
                        )
            for message in problems.values():
                errors.append(messages.IMPORT_LINE.format(line=line, message=message))
            if not problems and sector is not None and region is not None:
                plan.append((name, sector, region, domains))
        if errors:
            return ImportReport(errors=errors)
        created = updated = added = 0
        for name, sector, region, domains in plan:
            organisation = existing.get(name.casefold())
            if organisation is None:
                organisation = Organisation(name=name, sector=sector, region=region)
                session.add(organisation)
                existing[name.casefold()] = organisation
                created += 1
            else:
                organisation.sector, organisation.region = sector, region
                updated += 1
            have = {d.domain for d in organisation.domains}
            for domain in domains:
                if domain not in have:
                    organisation.domains.append(OrganisationDomain(domain=domain))
                    added += 1
    return ImportReport(created=created, updated=updated, domains_added=added)


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
