from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import utcnow
from booking.core.errors import Forbidden, NotFound, ValidationFailed
from booking.mail.models import OutboxMessage
from booking.members import services, tokens
from booking.members.models import ApiToken, Member
from booking.organisations.models import Organisation
from tests import factories


async def test_sign_in_waits_for_another_writer_instead_of_failing(
    tmp_path: Path, sqlite_url: str
) -> None:
    from booking.core.db import session_factory
    from tests.conftest import prepared_engine

    engine = await prepared_engine(sqlite_url)
    try:
        async with session_factory(engine)() as db:
            await factories.organisation(db, domain="amt.example")
            # the request has read already (its signed-in member, say) before it writes
            await db.scalar(select(func.count()).select_from(OutboxMessage))
            other = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO outbox (recipient, template, context, created_at, attempts,"
                " next_attempt_at, last_error) VALUES ('x@amt.example', 'sign_in_link',"
                " '{}', '2026-01-01', 0, '2026-01-01', '')"
            )
            release = asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
            await services.request_sign_in(
                db,
                email="p@amt.example",
                serializer=services.sign_in_serializer("k" * 32),
                base_url="http://test",
            )
            release.cancel()
            other.close()
            count = await db.scalar(select(func.count()).select_from(OutboxMessage))
            assert count == 2
    finally:
        await engine.dispose()


async def test_rejected_addresses_get_no_link(db: AsyncSession) -> None:
    await factories.member(db, status="rejected", email="weg@amt.example")
    await services.request_sign_in(
        db,
        email="weg@amt.example",
        serializer=services.sign_in_serializer("k" * 32),
        base_url="http://test",
    )
    assert await db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_pending_member_must_name_their_organisation(db: AsyncSession) -> None:
    pending = await factories.member(db, status="pending", email="neu@privat.example")
    with pytest.raises(ValidationFailed) as refused:
        await services.update_profile(
            db, member=pending, first_name="A", last_name="B", function="", organisation_name=" "
        )
    assert set(refused.value.fields) == {"organisation_name"}
    saved = await services.update_profile(
        db, member=pending, first_name="A", last_name="B", function="", organisation_name="Amt X"
    )
    assert saved.organisation_name_given == "Amt X"
    active = await factories.member(db)
    await services.update_profile(db, member=active, first_name="C", last_name="D", function="")


async def test_import_reads_the_members_once_and_counts_repeated_rows_as_updates(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    org = await factories.organisation(db)
    existing = await factories.member(db, org)
    rows = [
        services.ImportRow(f"neu{n}@org.example", "Vor", f"Name{n}", org.name) for n in range(30)
    ]
    rows += [
        services.ImportRow(existing.email.upper(), "Neu", "Name", org.name),
        services.ImportRow("neu0@org.example", "Zweiter", "Eintrag", org.name),
    ]
    reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM members" in statement:
            reads.append(statement)

    sa_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        report = await services.import_members(db, rows)
    finally:
        sa_event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert (report.created, report.updated, report.errors) == (30, 2, [])
    assert len(reads) == 1
    await db.commit()
    first = await services.member_by_email(db, "neu0@org.example")
    assert first is not None and (first.first_name, first.last_name) == ("Zweiter", "Eintrag")
    total = await db.scalar(select(func.count()).select_from(Member))
    assert total == 31  # the one there before and 30 new: a repeated row adds nobody


async def test_tokens_are_issued_for_all_addresses_or_for_none(db: AsyncSession) -> None:
    known = await factories.member(db)
    with pytest.raises(NotFound, match="niemand@org.example"):
        await tokens.issue_api_tokens(db, emails=[known.email, "niemand@org.example"], now=utcnow())
    assert await db.scalar(select(func.count()).select_from(ApiToken)) == 0
    issued = await tokens.issue_api_tokens(
        db, emails=[known.email, known.email.upper()], now=utcnow()
    )
    assert len({i.token for i in issued}) == 2
    assert await db.scalar(select(func.count()).select_from(ApiToken)) == 2


async def test_import_takes_only_single_mailboxes_normalised(db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="stadt-muenster.example")
    rows = [
        services.ImportRow("x,attacker@stadt-muenster.example", "A", "B", org.name, line=2),
        services.ImportRow('a"b@stadt-muenster.example', "A", "B", org.name, line=3),
        services.ImportRow("<m@stadt-muenster.example", "A", "B", org.name, line=4),
        services.ImportRow("a;b@stadt-muenster.example", "A", "B", org.name, line=5),
        services.ImportRow(" Gut.Person@Stadt-Muenster.Example ", "A", "B", org.name, line=6),
        services.ImportRow("nul@stadt-muenster.example", "A\x00", "B", org.name, line=7),
    ]
    report = await services.import_members(db, rows)
    assert report.created == 1
    assert [error.split(":")[0] for error in report.errors] == [
        "Zeile 2",
        "Zeile 3",
        "Zeile 4",
        "Zeile 5",
        "Zeile 7",
    ]
    assert "Steuerzeichen" in report.errors[-1]
    await db.commit()
    assert list(await db.scalars(select(Member.email))) == ["gut.person@stadt-muenster.example"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Max.Muster@Stadt-Muenster.Example", "max.muster@stadt-muenster.example"),
        ("  p@amt.example\n", "p@amt.example"),
        ("x,attacker@stadt-muenster.example", None),
        ("p@amt.example,q@amt.example", None),
        ("P <p@amt.example>", None),
        ('"p q"@amt.example', None),
        ("p@[192.0.2.1]", None),
        ("pä@amt.example", None),
        ("p@amt", None),
        ("p\x00@amt.example", None),
        ("", None),
    ],
)
def test_valid_email_is_one_mailbox_in_normal_form(text: str, expected: str | None) -> None:
    assert services.valid_email(text) == expected


async def waiting_people(db: AsyncSession, count: int) -> list[Member]:
    """``count`` people waiting for approval, signed up in threes at the same moment (so
    that the order needs the id as well), in the order the list must show them."""
    start = utcnow().replace(microsecond=0) - timedelta(days=30)
    people = [
        Member(
            email=f"wartend{n}@privat{n}.example",
            status="pending",
            created_at=start + timedelta(minutes=n // 3),
        )
        for n in range(count)
    ]
    db.add_all(reversed(people))  # ids in the opposite order of the names
    db.add(Member(email="aktiv@amt.example", status="active"))
    await db.commit()
    return sorted(people, key=lambda m: (m.created_at, m.id))


async def test_the_pending_list_pages_through_everyone_once_oldest_first(
    db: AsyncSession,
) -> None:
    expected = await waiting_people(db, 45)
    organiser = await factories.member(db, role="organiser")
    seen: list[int] = []
    cursor = None
    sizes = []
    while True:
        page = await services.pending_members(db, organiser, cursor=cursor)
        assert page.total == 45
        seen += [m.id for m in page.items]
        sizes.append(len(page.items))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sizes == [20, 20, 5]
    assert seen == [m.id for m in expected]
    with pytest.raises(ValidationFailed, match="Blätter-Verweis"):
        await services.pending_members(db, organiser, cursor="WzEsMl0")  # [1,2]
    with pytest.raises(Forbidden):
        await services.pending_members(db, await factories.member(db))


async def test_approval_names_the_organisation_by_name_or_domain(db: AsyncSession) -> None:
    org = await factories.organisation(db, domain="kreis-borken.example")
    organiser = await factories.member(db, role="organiser")
    first, second = await waiting_people(db, 2)
    now = utcnow()
    done = await services.approve(
        db, member_id=first.id, organisation=f" {org.name.upper()} ", actor=organiser, now=now
    )
    assert (done.status, done.organisation_id, done.approved_at) == ("active", org.id, now)
    done = await services.approve(
        db, member_id=second.id, organisation="@Kreis-Borken.example", actor=organiser, now=now
    )
    assert (done.status, done.organisation_id) == ("active", org.id)


async def test_an_unknown_organisation_refuses_the_approval_and_changes_nothing(
    db: AsyncSession,
) -> None:
    by_domain = await factories.organisation(db, domain="stadt-muenster.example")
    near = Organisation(name="Stadt Münster", sector="verwaltung", region="Münster")
    db.add(near)
    organiser = await factories.member(db, role="organiser")
    [person] = await waiting_people(db, 1)
    for text, expected in [
        ("Stadtverwaltung Münster", f"Ähnlich sind: „{by_domain.name}“, „Stadt Münster“."),
        ("Nirgendwo", "Fehlt sie, legen Sie sie mit „Organisation fehlt?“ neu an."),
        (" ", "Bitte geben Sie den Namen der Organisation"),
        ("a\x00b", "Steuerzeichen"),
        ("x" * 255, "Höchstens 254 Zeichen."),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            await services.approve(
                db, member_id=person.id, organisation=text, actor=organiser, now=utcnow()
            )
        assert expected in refused.value.fields["organisation"], text
    await db.commit()
    db.expire_all()
    again = await db.get(Member, person.id)
    assert again is not None and (again.status, again.organisation_id) == ("pending", None)
    mails = await db.scalar(select(func.count()).select_from(OutboxMessage))
    assert mails == 0
