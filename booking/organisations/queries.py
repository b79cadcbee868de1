"""Reading organisations: one with its domains, a paginated list with search and filters,
who owns a domain, which one a name or domain typed by an organiser means (with close
matches), how many members, what a merge would move."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, case, func, or_, select
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
from booking.core.text import has_control_characters
from booking.members.models import Member
from booking.organisations import messages
from booking.organisations.checks import (
    NAME_MAX,
    clean_region,
    clean_sector,
    is_valid_domain,
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
    return (await domain_owners(session, [domain])).get(normalise_domain(domain))


async def domain_owners(session: AsyncSession, domains: Iterable[str]) -> dict[str, Organisation]:
    """The owner of each of these domains, by normalised domain, in one query (a domain
    nobody owns is left out)."""
    wanted = {normalise_domain(domain) for domain in domains} - {""}
    if not wanted:
        return {}
    rows = await session.execute(
        select(OrganisationDomain.domain, Organisation)
        .join(OrganisationDomain.organisation)
        .where(OrganisationDomain.domain.in_(wanted))
    )
    return {domain: organisation for domain, organisation in rows}


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _any_case(text: str) -> str:
    """A LIKE pattern (escape character ``/``) for ``text`` against ``lower(column)``:
    SQLite's lower() folds only A–Z, so any other letter matches any one character here
    and the caller compares exactly, or takes the match as a close one."""
    escaped = text.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return "".join(c if c.isascii() else "_" for c in escaped)


async def named(session: AsyncSession, names: Iterable[str]) -> list[Organisation]:
    """The organisations called one of ``names``, in any case (Ä and ä too, on SQLite as
    well), in one query."""
    wanted = {_squeeze(name).casefold(): _squeeze(name) for name in names}
    wanted.pop("", None)
    if not wanted:
        return []
    key = func.lower(Organisation.name)
    candidates = await session.scalars(
        select(Organisation).where(
            or_(*(key.like(_any_case(name), escape="/") for name in sorted(wanted.values())))
        )
    )
    return [o for o in candidates if o.name.casefold() in wanted]


@dataclass(frozen=True)
class Match:
    """What an organiser's entry names: exactly one organisation, or else some to offer."""

    organisation: Organisation | None
    candidates: list[Organisation] = field(default_factory=list)
    """Without a single match: the several it names, or up to five close ones."""
    ambiguous: bool = False
    """It names several (the candidates)."""


async def find_organisation(session: AsyncSession, text: str) -> Match:
    """The organisation ``text`` names: by its name in any case (the exact spelling wins
    over others that differ only in case), or by an e-mail domain it owns, also written as
    an address at that domain. At most three statements, whatever the number of
    organisations."""
    text = _squeeze(text)
    if not text:
        return Match(None)
    found: dict[int, Organisation] = {}
    for organisation in await named(session, [text]):
        if organisation.name == text:
            return Match(organisation)
        found[organisation.id] = organisation
    domain = normalise_domain(text.rpartition("@")[2])
    if is_valid_domain(domain) and (owner := await domain_owner(session, domain)):
        found[owner.id] = owner
    if len(found) == 1:
        return Match(next(iter(found.values())))
    if found:
        return Match(None, sorted(found.values(), key=lambda o: (o.name.casefold(), o.name)), True)
    return Match(None, await close_matches(session, text))


CLOSE_MATCHES = 5
_STOP_WORDS = frozenset(
    {"der", "die", "das", "des", "dem", "den", "und", "für", "fuer", "von", "vom", "zur", "zum"}
    | {"com", "org", "net", "www"}
)
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))


def search_terms(text: str) -> list[str]:
    """The words of ``text`` worth searching for (three letters or more, no filler words,
    at most six), lower case; of a domain or an address, the domain's words but the last."""
    domain = normalise_domain(text.rpartition("@")[2])
    if is_valid_domain(domain):
        text = domain.rpartition(".")[0]
    words = re.split(r"[\s@.,;:()/_\-–„“\"']+", text.casefold())
    terms = [w for w in dict.fromkeys(words) if len(w) >= 3 and w not in _STOP_WORDS]
    return terms[:6]


def _spellings(term: str) -> set[str]:
    """A word as written, with umlauts spelt out, and spelt out umlauts written as such:
    domains say "muenster" where names say "Münster"."""
    plain, marked = term, term
    for spelt, umlaut in _UMLAUTS:
        plain = plain.replace(umlaut, spelt)
        marked = marked.replace(spelt, umlaut)
    return {term, plain, marked}


def _mentions(term: str) -> ColumnElement[bool]:
    name, domain = func.lower(Organisation.name), OrganisationDomain.domain
    spellings = sorted(_spellings(term))
    return or_(
        *(name.like(f"%{_any_case(spelling)}%", escape="/") for spelling in spellings),
        Organisation.domains.any(or_(*(domain.contains(s, autoescape=True) for s in spellings))),
    )


async def close_matches(
    session: AsyncSession, text: str, limit: int = CLOSE_MATCHES
) -> list[Organisation]:
    """Up to ``limit`` organisations whose name or domains contain words of ``text``, the
    most words first, then by name: one statement."""
    text = _squeeze(text)
    terms = search_terms(text)
    if not terms:
        return []
    score = sum(
        (case((_mentions(term), 1), else_=0) for term in terms),
        start=case(
            (func.lower(Organisation.name).like(f"%{_any_case(text)}%", escape="/"), 1), else_=0
        ),
    )
    return list(
        await session.scalars(
            select(Organisation)
            .where(score > 0)
            .order_by(score.desc(), func.lower(Organisation.name), Organisation.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    by_domain: bool
    """True: it owns the address's domain; False: it has the name the person gave."""


async def suggestions(
    session: AsyncSession, people: Sequence[tuple[str, str]]
) -> list[Suggestion | None]:
    """For each (e-mail domain, organisation name given) the organisation that owns the
    domain, else the one with that name in any case, else None: two statements for any
    number of people."""
    owners = await domain_owners(session, (domain for domain, _ in people))
    by_name: dict[str, list[Organisation]] = {}
    for organisation in await named(session, (given for _, given in people)):
        by_name.setdefault(organisation.name.casefold(), []).append(organisation)
    result: list[Suggestion | None] = []
    for domain, given in people:
        if owner := owners.get(normalise_domain(domain)):
            result.append(Suggestion(owner, by_domain=True))
            continue
        given = _squeeze(given)
        same = by_name.get(given.casefold(), [])
        exact = [o for o in same if o.name == given] or same
        result.append(Suggestion(exact[0], by_domain=False) if len(exact) == 1 else None)
    return result


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
    if has_control_characters(filters.search) or len(filters.search) > NAME_MAX:
        errors["search"] = messages.SEARCH_TOO_LONG
        if has_control_characters(filters.search):
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


PARTNER_PAGE = 50


async def partner_list(
    session: AsyncSession, filters: OrganisationFilter, *, after: str | None = None
) -> OrganisationPage:
    """The public list: organisations that consented to be named, by name, a page at a time
    (keyset on the name, like the organisers' list), with nothing but what the list shows."""
    errors: dict[str, str] = {}
    if filters.sector:
        clean_sector(filters.sector, errors)
    if filters.region:
        clean_region(filters.region, errors)
    refuse(errors)
    sort_key = func.lower(Organisation.name)
    query = select(Organisation, sort_key).where(Organisation.listed.is_(True))
    if filters.sector:
        query = query.where(Organisation.sector == filters.sector)
    if filters.region:
        query = query.where(Organisation.region == filters.region)
    if after:
        last_key, last_id = decode_cursor(after, (str, int), field="after")
        if len(last_key) > NAME_MAX:
            decode_cursor("", (str, int), field="after")
        query = query.where(after_key((sort_key, Organisation.id), (last_key, last_id)))
    rows = list(
        await session.execute(query.order_by(sort_key, Organisation.id).limit(PARTNER_PAGE + 1))
    )
    more = len(rows) > PARTNER_PAGE
    rows = rows[:PARTNER_PAGE]
    next_cursor = encode_cursor(rows[-1][1], rows[-1][0].id) if more else None
    return OrganisationPage([o for o, _ in rows], {}, next_cursor)
