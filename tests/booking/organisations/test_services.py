"""Organisation services on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings.models import Booking
from booking.core.db import begin_write, session_factory
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.core.paging import PAGE_SIZE_MAX
from booking.mail.models import OutboxMessage
from booking.members.models import Member
from booking.organisations import checks, importing, queries, services
from booking.organisations.messages import SECTORS
from booking.organisations.models import (
    EMERGENCY_SECTORS,
    Organisation,
    OrganisationDomain,
    Sector,
)
from tests import factories


async def organiser(db: AsyncSession) -> Member:
    return await factories.member(db, role="organiser")


def test_sectors_as_the_network_has_them() -> None:
    assert list(SECTORS) == [s.value for s in Sector] == [
        "verwaltung", "soziales", "schule", "hochschule", "gesundheit",
        "polizei", "feuerwehr", "rettungsdienst", "thw", "justiz",
    ]  # fmt: skip
    assert SECTORS["feuerwehr"] == "Feuerwehr"
    assert SECTORS["thw"] == "THW und Katastrophenschutz"
    assert {s.value for s in EMERGENCY_SECTORS} == {"polizei", "feuerwehr", "rettungsdienst", "thw"}
    assert Sector.RETTUNGSDIENST.is_emergency and not Sector.SCHULE.is_emergency
    assert Organisation(sector="thw").is_emergency
    assert not Organisation(sector="soziales").is_emergency


@pytest.mark.parametrize(
    ("text_", "ok"),
    [
        ("stadt-muenster.de", True),
        ("mail.kreis-borken.nrw", True),
        ("xn--mnster-3ya.de", True),
        ("localhost", False),
        ("-stadt.de", False),
        ("stadt-.de", False),
        ("stadt..de", False),
        ("stadt.d", False),
        ("stadt.de.", False),
        ("jemand@stadt.de", False),
        ("stadt de", False),
        ("stadt.de\x00", False),
        ("a" * 64 + ".de", False),
    ],
)
def test_domains_are_checked(text_: str, ok: bool) -> None:
    assert checks.is_valid_domain(checks.normalise_domain(text_)) is ok


async def test_create_lower_cases_domains_and_refuses_duplicates(db: AsyncSession) -> None:
    actor = await organiser(db)
    org = await services.create_organisation(
        db,
        actor=actor,
        name="  Stadt   Münster ",
        sector="verwaltung",
        region="Münster",
        domains=["@Stadt-Muenster.DE", "stadt-muenster.de", ""],
    )
    assert org.name == "Stadt Münster"
    assert [d.domain for d in org.domains] == ["stadt-muenster.de"]

    with pytest.raises(ValidationFailed) as name_taken:
        await services.create_organisation(
            db, actor=actor, name="STADT MÜNSTER", sector="schule", region="Köln"
        )
    assert "gibt es bereits" in name_taken.value.fields["name"]

    with pytest.raises(ValidationFailed) as domain_taken:
        await services.create_organisation(
            db,
            actor=actor,
            name="Andere Stadt",
            sector="schule",
            region="Köln",
            domains=["stadt-muenster.de"],
        )
    assert domain_taken.value.fields["domains"] == (
        "Die Domain stadt-muenster.de gehört bereits zur Organisation „Stadt Münster“."
    )

    with pytest.raises(ValidationFailed) as bad:
        await services.create_organisation(
            db, actor=actor, name="X\x00", sector="feuerwehrx", region="Berlin", domains=["a b"]
        )
    assert set(bad.value.fields) == {"name", "sector", "region", "domains"}
    assert await db.scalar(select(func.count()).select_from(Organisation)) == 2


async def test_only_organisers_manage_organisations(db: AsyncSession) -> None:
    member = await factories.member(db)
    org = member.organisation
    assert org is not None
    calls = [
        services.create_organisation(db, actor=member, name="Neu", sector="schule", region="Köln"),
        services.update_organisation(db, actor=member, organisation_id=org.id, name="Neu"),
        services.add_domain(db, actor=member, organisation_id=org.id, domain="neu.example"),
        services.remove_domain(db, actor=member, organisation_id=org.id, domain="x.example"),
        services.merge_organisations(db, actor=member, keep_id=org.id, remove_id=org.id + 1),
        queries.list_organisations(db, member, queries.OrganisationFilter()),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            await call


async def test_update_changes_fields_and_replaces_domains(db: AsyncSession) -> None:
    actor = await organiser(db)
    org = await factories.organisation(db, domain="alt.example")
    other = await factories.organisation(db, domain="fremd.example")
    changed = await services.update_organisation(
        db,
        actor=actor,
        organisation_id=org.id,
        name="Kreis Borken",
        sector="rettungsdienst",
        domains=["neu.example", "Alt.example"],
    )
    assert (changed.name, changed.sector, changed.region) == (
        "Kreis Borken",
        "rettungsdienst",
        "Münster",
    )
    assert [d.domain for d in changed.domains] == ["alt.example", "neu.example"]

    with pytest.raises(ValidationFailed, match="fremd.example gehört bereits"):
        await services.update_organisation(
            db, actor=actor, organisation_id=org.id, domains=["fremd.example"]
        )
    with pytest.raises(ValidationFailed, match="gibt es bereits"):
        await services.update_organisation(db, actor=actor, organisation_id=org.id, name=other.name)
    with pytest.raises(NotFound):
        await services.update_organisation(db, actor=actor, organisation_id=999_999, name="X")
    again = await queries.get_organisation(db, org.id, actor)
    assert [d.domain for d in again.domains] == ["alt.example", "neu.example"]


async def test_add_and_remove_domain(db: AsyncSession) -> None:
    actor = await organiser(db)
    org = await factories.organisation(db, domain="eins.example")
    other = await factories.organisation(db, domain="zwei.example")
    org = await services.add_domain(db, actor=actor, organisation_id=org.id, domain=" DREI.example")
    assert [d.domain for d in org.domains] == ["drei.example", "eins.example"]
    with pytest.raises(ValidationFailed) as taken:
        await services.add_domain(db, actor=actor, organisation_id=org.id, domain="zwei.example")
    assert taken.value.fields == {
        "domain": f"Die Domain zwei.example gehört bereits zur Organisation „{other.name}“."
    }
    with pytest.raises(ValidationFailed):
        await services.add_domain(db, actor=actor, organisation_id=org.id, domain="kein domain")
    org = await services.remove_domain(
        db, actor=actor, organisation_id=org.id, domain="eins.example"
    )
    assert [d.domain for d in org.domains] == ["drei.example"]
    with pytest.raises(NotFound):
        await services.remove_domain(db, actor=actor, organisation_id=org.id, domain="zwei.example")


async def test_a_domain_raced_for_by_two_organisations_gets_one_owner(
    engine: AsyncEngine, db: AsyncSession
) -> None:
    """The first request has inserted the domain but not committed when the second checks:
    the check passes, the database refuses the insert, and the answer is the same German
    error as the check's."""
    actor = await organiser(db)
    first = await factories.organisation(db, domain="eins.example")
    second = await factories.organisation(db, domain="zwei.example")
    sessions = session_factory(engine)
    async with sessions() as holder, sessions() as racer:
        await begin_write(holder)
        holder.add(OrganisationDomain(domain="umkaempft.example", organisation_id=first.id))
        await holder.flush()
        race = asyncio.create_task(
            services.add_domain(
                racer, actor=actor, organisation_id=second.id, domain="umkaempft.example"
            )
        )
        if engine.dialect.name == "postgresql":
            await _until_waiting_for_a_lock(db)
        else:
            await asyncio.sleep(0.2)
        await holder.commit()
        with pytest.raises(ValidationFailed) as refused:
            await race
    assert refused.value.message == (
        f"Die Domain umkaempft.example gehört bereits zur Organisation „{first.name}“."
    )
    owner = await queries.domain_owner(db, "umkaempft.example")
    assert owner is not None and owner.id == first.id


async def _until_waiting_for_a_lock(db: AsyncSession) -> None:
    for _ in range(200):
        waiting = await db.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        )
        await db.commit()
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the second request never waited for the first")


async def test_merge_moves_members_bookings_and_domains(db: AsyncSession) -> None:
    actor = await organiser(db)
    keep = await factories.organisation(db, domain="keep.example")
    dup = await factories.organisation(db, domain="dup.example")
    event = await factories.event(db, capacity=10, seats_per_organisation=1)
    kept_member = await factories.member(db, keep)
    moved = [await factories.member(db, dup) for _ in range(2)]
    for person in (kept_member, moved[0]):
        db.add(
            Booking(
                event_id=event.id,
                member_id=person.id,
                organisation_id=person.organisation_id,
                status="confirmed",
            )
        )
    db.add(
        Booking(event_id=event.id, member_id=moved[1].id, organisation_id=dup.id, status="waiting")
    )
    await db.commit()

    moved_ids = [m.id for m in moved]
    keep_id, dup_id, actor_id = keep.id, dup.id, actor.id
    result = await services.merge_organisations(db, actor=actor, keep_id=keep_id, remove_id=dup_id)

    assert (result.members, result.bookings, result.domains) == (2, 2, 1)
    assert result.removed_name == dup.name
    assert [d.domain for d in result.kept.domains] == ["dup.example", "keep.example"]
    db.expire_all()
    assert await db.get(Organisation, dup_id) is None
    members = await db.scalars(select(Member.organisation_id).where(Member.id.in_(moved_ids)))
    assert set(members) == {keep_id}
    rows = await db.execute(select(Booking.organisation_id, Booking.status).order_by(Booking.id))
    # Both confirmed seats stay although together they pass the limit of one per organisation.
    assert list(rows) == [(keep_id, "confirmed"), (keep_id, "confirmed"), (keep_id, "waiting")]
    owner = await queries.domain_owner(db, "dup.example")
    assert owner is not None and owner.id == keep_id

    actor = await db.get(Member, actor_id)  # type: ignore[assignment]
    with pytest.raises(ValidationFailed):
        await services.merge_organisations(db, actor=actor, keep_id=keep_id, remove_id=keep_id)
    with pytest.raises(NotFound):
        await services.merge_organisations(db, actor=actor, keep_id=keep_id, remove_id=dup_id)


async def test_list_filters_and_pages_by_name(db: AsyncSession) -> None:
    actor = await organiser(db)
    names = ["Amt Zeta", "amt alpha", "Polizei Köln", "Feuerwehr Köln", "Amt_Beta 100%"]
    for name in names:
        sector = (
            "polizei" if "Polizei" in name else "feuerwehr" if "Feuer" in name else "verwaltung"
        )
        db.add(
            Organisation(name=name, sector=sector, region="Köln" if "Köln" in name else "Detmold")
        )
    await db.commit()

    everything = await queries.list_organisations(db, actor, queries.OrganisationFilter())
    assert everything.next_cursor is None
    listed = [o.name for o in everything.items if o.name in names]
    assert listed == [
        "amt alpha",
        "Amt Zeta",
        "Amt_Beta 100%",
        "Feuerwehr Köln",
        "Polizei Köln",
    ] or listed == sorted(names, key=str.lower)

    search = await queries.list_organisations(db, actor, queries.OrganisationFilter(search="AMT"))
    assert {o.name for o in search.items} == {"Amt Zeta", "amt alpha", "Amt_Beta 100%"}
    literal = await queries.list_organisations(db, actor, queries.OrganisationFilter(search="_b"))
    assert [o.name for o in literal.items] == ["Amt_Beta 100%"]
    by_sector = await queries.list_organisations(
        db, actor, queries.OrganisationFilter(sector="polizei", region="Köln")
    )
    assert [o.name for o in by_sector.items] == ["Polizei Köln"]

    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await queries.list_organisations(
            db, actor, queries.OrganisationFilter(search="m"), after=after, limit=2
        )
        assert len(page.items) <= 2
        seen += [o.name for o in page.items]
        after = page.next_cursor
        if after is None:
            break
    full = await queries.list_organisations(db, actor, queries.OrganisationFilter(search="m"))
    assert seen == [o.name for o in full.items] and len(seen) >= 3

    for bad in (
        {"after": "kaputt!"},
        {"limit": 0},
        {"limit": PAGE_SIZE_MAX + 1},
    ):
        with pytest.raises(ValidationFailed):
            await queries.list_organisations(db, actor, queries.OrganisationFilter(), **bad)  # type: ignore[arg-type]
    for filters in (
        queries.OrganisationFilter(search="a\x00"),
        queries.OrganisationFilter(sector="marine"),
        queries.OrganisationFilter(region="Berlin"),
    ):
        with pytest.raises(ValidationFailed):
            await queries.list_organisations(db, actor, filters)


async def test_create_and_approve_is_one_step(db: AsyncSession) -> None:
    actor = await organiser(db)
    pending = await factories.member(db, status="pending", email="neu@gemeinde.example")
    await factories.organisation(db, domain="belegt.example")

    with pytest.raises(ValidationFailed):
        await services.create_and_approve(
            db, actor=actor, member_id=pending.id, name="Gemeinde Neu", sector="verwaltung",
            region="Arnsberg", domains=["belegt.example"], now=factories.NOW,
        )  # fmt: skip
    db.expire_all()
    assert await db.scalar(select(Organisation).where(Organisation.name == "Gemeinde Neu")) is None
    assert (await db.get(Member, pending.id)).status == "pending"  # type: ignore[union-attr]

    member = await services.create_and_approve(
        db, actor=actor, member_id=pending.id, name="Gemeinde Neu", sector="verwaltung",
        region="Arnsberg", domains=["gemeinde.example"], now=factories.NOW,
    )  # fmt: skip
    org = await queries.domain_owner(db, "gemeinde.example")
    assert org is not None and org.name == "Gemeinde Neu"
    assert (member.status, member.organisation_id) == ("active", org.id)
    mails = await db.scalars(
        select(OutboxMessage.template).where(OutboxMessage.recipient == pending.email)
    )
    assert list(mails) == ["member_approved"]


def rows(*lines: tuple[str, str, str, str]) -> list[importing.ImportRow]:
    return [importing.ImportRow(*line) for line in lines]


async def test_import_creates_and_updates_by_name(db: AsyncSession) -> None:
    existing = await factories.organisation(db, domain="alt.example", sector="schule")
    report = await importing.import_organisations(
        db,
        rows(
            ("Kreis Kleve", "verwaltung", "Düsseldorf", "kreis-kleve.de; KREIS-KLEVE.example"),
            (existing.name.upper(), "Feuerwehr", "köln", "neu.example alt.example"),
            ("THW OV Münster", "THW und Katastrophenschutz", "Münster", ""),
        ),
    )
    assert (report.created, report.updated, report.domains_added, report.errors) == (2, 1, 3, [])
    db.expire_all()
    orgs = {o.name: o for o in await db.scalars(select(Organisation))}
    assert orgs["THW OV Münster"].sector == "thw"
    assert (orgs[existing.name].sector, orgs[existing.name].region) == ("feuerwehr", "Köln")
    owner = await queries.domain_owner(db, "kreis-kleve.example")
    assert owner is not None and owner.name == "Kreis Kleve"


async def test_import_names_every_bad_row_and_writes_nothing(db: AsyncSession) -> None:
    other = await factories.organisation(db, domain="belegt.example")
    report = await importing.import_organisations(
        db,
        rows(
            ("Gut", "schule", "Köln", "gut.example"),
            ("", "schule", "Köln", ""),
            ("Bereich falsch", "Marine", "Köln", ""),
            ("Bezirk falsch", "schule", "Berlin", ""),
            ("Domain kaputt", "schule", "Köln", "nicht gültig@"),
            ("Domain fremd", "schule", "Köln", "belegt.example"),
            ("gut", "schule", "Köln", ""),
            ("Doppelt", "schule", "Köln", "gut.example"),
        ),
    )
    assert report.created == report.updated == 0
    assert [e.split(":")[0] for e in report.errors] == [f"Zeile {n}" for n in range(3, 10)]
    assert f"„{other.name}“" in report.errors[4]
    assert "Zeile 2" in report.errors[5]
    assert await db.scalar(select(func.count()).select_from(Organisation)) == 1
