"""The organisations' CSV import (``sid organisations import``): every row checked, every
bad row named by its line, nothing written when any row is bad."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from booking.core.transactions import write_transaction
from booking.organisations import messages
from booking.organisations.checks import clean_domains, clean_name, normalise_domain
from booking.organisations.models import Organisation, OrganisationDomain, Sector
from venues.models import REGIONS


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
            name = clean_name(row.name, problems)
            sector = _sector_key(row.sector)
            if sector is None:
                problems["sector"] = f"{messages.SECTOR_UNKNOWN} ({row.sector.strip()!r})"
            region = _region_key(row.region)
            if region is None:
                problems["region"] = f"{messages.REGION_UNKNOWN} ({row.region.strip()!r})"
            domains = clean_domains(re.split(r"[\s,;]+", row.domains), problems)
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
