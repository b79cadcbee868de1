"""The Urkunde's register (booking/organisations/urkunden.py) on SQLite and, with
TEST_DATABASE_URL, PostgreSQL: numbers per year without gaps, also when acceptances race;
re-issue after a name change; who may read and download it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from booking.organisations import joining, messages, services, urkunden
from booking.organisations.models import JoiningCertificate, Organisation
from booking.privacy.models import AuditEntry
from tests import factories
from tests.booking.organisations.test_joining import APPLICATION, confirmed, organiser
from tests.factories import NOW


async def accepted_organisation(
    db: AsyncSession, name: str, domain: str, now: datetime = NOW
) -> tuple[Organisation, JoiningCertificate]:
    actor = await organiser(db)
    data = replace(APPLICATION, name=name, domains=[domain], contact_email=f"kontakt@{domain}")
    application_id = await confirmed(db, data)
    accepted = await joining.accept(db, actor=actor, application_id=application_id, now=now)
    return accepted.organisation, accepted.certificate


async def test_numbers_count_per_year_in_berlin_time(db: AsyncSession) -> None:
    new_year_berlin = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January
    _, first = await accepted_organisation(db, "A", "a.example", datetime(2027, 3, 1, tzinfo=UTC))
    _, second = await accepted_organisation(db, "B", "b.example", datetime(2027, 6, 1, tzinfo=UTC))
    _, third = await accepted_organisation(db, "C", "c.example", new_year_berlin)
    assert [first.number, second.number, third.number] == ["2027-0001", "2027-0002", "2028-0001"]
    assert (third.year, third.serial) == (2028, 1)
    assert len({first.code, second.code, third.code}) == 3 and len(first.code) >= 22


async def test_a_failed_acceptance_leaves_no_gap(db: AsyncSession) -> None:
    actor = await organiser(db)
    await factories.organisation(db, domain="taken.example")
    _, first = await accepted_organisation(db, "A", "a.example")
    refused = await confirmed(
        db,
        replace(APPLICATION, name="B", domains=["taken.example"], contact_email="x@taken.example"),
    )
    with pytest.raises(ValidationFailed):
        await joining.accept(db, actor=actor, application_id=refused, now=NOW)
    _, second = await accepted_organisation(db, "C", "c.example")
    assert second.serial == first.serial + 1


@pytest.mark.parametrize("count", [12])
async def test_racing_acceptances_number_without_gaps_or_twins(
    engine: AsyncEngine, db: AsyncSession, count: int
) -> None:
    """Twelve organisers accept twelve applications at the same moment, two of which must
    fail (a domain taken): ten numbers 1…10, each once, whatever the order."""
    actor = await organiser(db)
    await factories.organisation(db, domain="taken.example")
    ids = []
    for n in range(count):
        domain = "taken.example" if n in (3, 8) else f"org-{n}.example"
        data = replace(APPLICATION, name=f"Organisation R{n}", domains=[domain],
                       contact_email=f"kontakt@{domain}")  # fmt: skip
        ids.append(await confirmed(db, data))
    sessions = session_factory(engine)
    start = asyncio.Event()

    async def accept(application_id: int) -> str:
        async with sessions() as session:
            member = await session.get(type(actor), actor.id)
            assert member is not None
            await start.wait()
            try:
                accepted = await joining.accept(
                    session, actor=member, application_id=application_id, now=NOW
                )
            except ValidationFailed:
                return "refused"
            return accepted.certificate.number

    tasks = [asyncio.create_task(accept(i)) for i in ids]
    await asyncio.sleep(0.05)
    start.set()
    results = await asyncio.gather(*tasks)
    year = NOW.astimezone(urkunden.BERLIN).year
    assert results.count("refused") == 2
    assert sorted(r for r in results if r != "refused") == [
        f"{year}-{n:04d}" for n in range(1, count - 1)
    ]
    await db.commit()
    serials = list(await db.scalars(select(JoiningCertificate.serial).order_by("serial")))
    assert serials == list(range(1, count - 1))


async def test_reissue_after_a_name_change_supersedes_the_old_one(db: AsyncSession) -> None:
    actor = await organiser(db)
    organisation, old = await accepted_organisation(db, "Stadt Mülheim", "muelheim.example")
    with pytest.raises(InvalidState) as unchanged:
        await urkunden.reissue(db, actor=actor, organisation_id=organisation.id, now=NOW)
    assert unchanged.value.message == messages.CERTIFICATE_NAME_UNCHANGED

    await services.update_organisation(
        db, actor=actor, organisation_id=organisation.id, name="Stadt Mülheim an der Ruhr"
    )
    later = NOW.replace(year=NOW.year + 1)
    new = await urkunden.reissue(db, actor=actor, organisation_id=organisation.id, now=later)

    assert new.number == f"{later.astimezone(urkunden.BERLIN).year}-0001"
    assert new.organisation_name == "Stadt Mülheim an der Ruhr"
    assert new.joined_on == old.joined_on and new.code != old.code
    checked = await urkunden.by_code(db, old.code)
    assert not checked.valid and checked.superseded_at == later
    assert checked.superseded_by is not None and checked.superseded_by.number == new.number
    assert (await urkunden.current(db, organisation.id)) == new
    entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert entries[-1].action == "urkunde_reissued"
    assert entries[-1].before["urkunde"] == old.number
    assert entries[-1].after["urkunde"] == new.number


async def test_reissue_needs_an_organiser_and_an_urkunde(db: AsyncSession) -> None:
    organisation, _ = await accepted_organisation(db, "A", "a.example")
    member = await factories.member(db, organisation)
    with pytest.raises(Forbidden):
        await urkunden.reissue(db, actor=member, organisation_id=organisation.id, now=NOW)
    actor = await organiser(db)
    without = await factories.organisation(db)
    with pytest.raises(InvalidState) as none:
        await urkunden.reissue(db, actor=actor, organisation_id=without.id, now=NOW)
    assert none.value.message == messages.CERTIFICATE_NONE
    with pytest.raises(NotFound):
        await urkunden.reissue(db, actor=actor, organisation_id=987654, now=NOW)


async def test_one_current_urkunde_per_organisation_in_the_database(db: AsyncSession) -> None:
    organisation, certificate = await accepted_organisation(db, "A", "a.example")
    db.add(
        JoiningCertificate(
            year=2099, serial=1, number="2099-0001", code="z" * 22,
            organisation_id=organisation.id, organisation_name="A",
            joined_on=certificate.joined_on, issued_at=NOW,
        )
    )  # fmt: skip
    with pytest.raises(Exception, match="(?i)unique"):
        await db.commit()
    await db.rollback()


async def test_merging_supersedes_the_duplicates_urkunde(db: AsyncSession) -> None:
    actor = await organiser(db)
    keep, kept = await accepted_organisation(db, "A", "a.example")
    remove, removed = await accepted_organisation(db, "B", "b.example")
    await services.merge_organisations(
        db, actor=actor, keep_id=keep.id, remove_id=remove.id, now=NOW
    )
    assert (await urkunden.current(db, keep.id)) == kept
    gone = await urkunden.by_code(db, removed.code)
    assert not gone.valid and gone.superseded_by is None and gone.organisation_id == keep.id


async def test_coordinators_and_organisers_read_the_urkunde(db: AsyncSession) -> None:
    organisation, certificate = await accepted_organisation(db, "A", "a.example")
    other, _ = await accepted_organisation(db, "B", "b.example")
    coordinator = await factories.member(db, organisation, role="coordinator")
    others = await factories.member(db, other, role="coordinator")
    member = await factories.member(db, organisation)
    actor = await organiser(db)
    for viewer in (coordinator, actor):
        assert (await urkunden.of_organisation(db, organisation.id, viewer)).id == certificate.id
        found = await urkunden.for_download(db, certificate.number, viewer, signed_for=None)
        assert found.id == certificate.id
    for viewer in (others, member):
        with pytest.raises(Forbidden):
            await urkunden.of_organisation(db, organisation.id, viewer)
        with pytest.raises(NotFound):
            await urkunden.for_download(db, certificate.number, viewer, signed_for=None)
    with pytest.raises(NotFound):
        await urkunden.for_download(db, certificate.number, None, signed_for=None)
    with pytest.raises(NotFound):
        await urkunden.for_download(db, certificate.number, None, signed_for="2000-0001")
    assert (
        await urkunden.for_download(db, certificate.number, None, signed_for=certificate.number)
    ).id == certificate.id
    without = await factories.organisation(db)
    with pytest.raises(NotFound):
        await urkunden.of_organisation(db, without.id, actor)


def test_download_links_are_signed_and_expire() -> None:
    serializer = urkunden.download_serializer("k" * 40)
    certificate = JoiningCertificate(number="2027-0042")
    token = urkunden.download_token(serializer, certificate)
    assert urkunden.read_download_token(serializer, token) == "2027-0042"
    assert urkunden.read_download_token(urkunden.download_serializer("j" * 40), token) is None
    assert urkunden.read_download_token(serializer, token + "x") is None
    assert urkunden.read_download_token(serializer, "") is None
    assert urkunden.read_download_token(serializer, serializer.dumps(["2027-0042"])) is None
    with time_machine.travel(datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)):
        assert urkunden.read_download_token(serializer, token) is None


@pytest.mark.parametrize(
    "code", ["", "kurz", "x" * 41, "ü" * 22, "y" * 22, "a\x00" + "b" * 20, "2027-\x00042"]
)
async def test_unknown_codes_and_numbers_are_404(db: AsyncSession, code: str) -> None:
    """Also one with a NUL byte, which PostgreSQL refuses in text: 404, not a 500."""
    with pytest.raises(NotFound):
        await urkunden.by_code(db, code)
    with pytest.raises(NotFound):
        await urkunden.by_number(db, code or "2027-0001")
