"""The retention job: each rule just before and just after its deadline, on every database;
running it again changes nothing; the job's summary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.bookings.models import Booking
from booking.core.db import session_factory
from booking.jobs import retention
from booking.jobs.retention import STEPS, apply, months_before, privacy_retention
from booking.jobs.scheduler import JobContext
from booking.mail.models import OutboxMessage
from booking.members.models import Member, SignInLinkUse, WebSession
from booking.organisations.models import JoiningApplication
from booking.privacy.models import AuditEntry
from booking.privacy.rules import rule_names
from booking.settings import Retention
from courses.certificates.models import Certificate
from materials.models import MaterialOrder
from tests import factories

NOW = datetime(2026, 3, 31, 3, 30, tzinfo=UTC)
RULES = Retention()
SECOND = timedelta(seconds=1)

Step = Callable[..., Awaitable[int]]


async def run(engine: AsyncEngine, step: Step, now: datetime, rules: Retention = RULES) -> int:
    return await step(session_factory(engine), now, rules)


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    await db.commit()  # a fresh snapshot: the steps wrote through sessions of their own
    return await db.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def fresh(db: AsyncSession, query: Any) -> list[Any]:
    await db.commit()
    return list(await db.scalars(query))


def test_every_step_applies_a_named_rule() -> None:
    names = [name for name, _ in STEPS]
    assert len(set(names)) == len(names)
    assert set(names) <= rule_names()


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(NOW, 1) == datetime(2026, 2, 28, 3, 30, tzinfo=UTC)
    assert months_before(NOW, 24) == datetime(2024, 3, 31, 3, 30, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )
    assert months_before(NOW, 120) == datetime(2016, 3, 31, 3, 30, tzinfo=UTC)


def mail(at: datetime, *, failed: bool = False) -> OutboxMessage:
    return OutboxMessage(
        recipient="erika.muster@stadt-muenster.example",
        template="sign_in_link",
        context={"link": "http://testserver/anmelden/link?token=geheim"},
        created_at=at - timedelta(minutes=5),
        sent_at=None if failed else at,
        failed_at=at if failed else None,
    )


async def test_sent_mail_and_dead_letters_go_after_their_days(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    deadline = NOW - timedelta(days=RULES.sent_mail_days)
    db.add_all(
        [
            mail(deadline + SECOND),
            mail(deadline + SECOND, failed=True),
            mail(deadline),
            mail(deadline - timedelta(days=3), failed=True),
            OutboxMessage(recipient="wartet@amt.example", template="sign_in_link", context={}),
        ]
    )
    await db.commit()
    assert (
        await run(engine, retention.delete_sent_mail, NOW - SECOND) == 1
    )  # only the old dead letter
    assert await run(engine, retention.delete_sent_mail, NOW) == 1
    assert await count(db, OutboxMessage) == 3
    assert await run(engine, retention.delete_sent_mail, NOW) == 0
    assert await run(engine, retention.delete_sent_mail, NOW + SECOND) == 2
    remaining = await fresh(db, select(OutboxMessage.recipient))
    assert remaining == ["wartet@amt.example"]  # unsent mail is never touched


async def test_a_shorter_period_from_the_settings_is_applied(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    db.add(mail(NOW - timedelta(days=8)))
    await db.commit()
    assert await run(engine, retention.delete_sent_mail, NOW) == 0
    assert await run(engine, retention.delete_sent_mail, NOW, Retention(sent_mail_days=7)) == 1


async def test_used_sign_in_links_go_once_the_link_has_expired(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    used = NOW - timedelta(minutes=20)
    db.add_all([SignInLinkUse(nonce="alt", used_at=used), SignInLinkUse(nonce="neu", used_at=NOW)])
    await db.commit()
    assert await run(engine, retention.delete_used_sign_in_links, NOW - SECOND) == 0
    assert await run(engine, retention.delete_used_sign_in_links, NOW) == 1
    assert await fresh(db, select(SignInLinkUse.nonce)) == ["neu"]


async def test_ended_web_sessions_go_at_once(db: AsyncSession, engine: AsyncEngine) -> None:
    person = await factories.member(db)
    db.add_all(
        [
            WebSession(
                id_hash="a" * 64,
                member_id=person.id,
                created_at=NOW - timedelta(hours=7),
                last_seen_at=NOW - SECOND,
                expires_at=NOW + timedelta(hours=1),
            ),  # fmt: skip
            WebSession(
                id_hash="b" * 64,
                member_id=person.id,
                created_at=NOW - timedelta(hours=8),
                last_seen_at=NOW - timedelta(minutes=1),
                expires_at=NOW,
            ),  # fmt: skip
            WebSession(
                id_hash="c" * 64,
                member_id=None,
                created_at=NOW - timedelta(hours=3),
                last_seen_at=NOW - timedelta(hours=2),
                expires_at=NOW + timedelta(hours=5),
            ),  # fmt: skip
        ]
    )
    await db.commit()
    assert await run(engine, retention.delete_ended_sessions, NOW - timedelta(minutes=2)) == 0
    assert await run(engine, retention.delete_ended_sessions, NOW) == 2
    assert await fresh(db, select(WebSession.id_hash)) == ["a" * 64]


async def test_pending_and_rejected_accounts_go_after_their_days(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    deadline = NOW - timedelta(days=RULES.pending_account_days)
    for email, status, created in [
        ("wartet@neu.example", "pending", deadline),
        ("abgelehnt@neu.example", "rejected", deadline),
        ("frisch@neu.example", "pending", deadline + SECOND),
        ("aktiv@neu.example", "active", deadline - timedelta(days=400)),
    ]:
        db.add(Member(email=email, status=status, created_at=created))
    await db.commit()
    waiting = await db.scalar(select(Member).where(Member.email == "wartet@neu.example"))
    assert waiting is not None
    db.add(WebSession(id_hash="d" * 64, member_id=waiting.id, expires_at=NOW + timedelta(hours=1)))
    await db.commit()
    assert await run(engine, retention.delete_pending_accounts, NOW - SECOND) == 0
    assert await run(engine, retention.delete_pending_accounts, NOW) == 2
    assert await count(db, WebSession) == 0  # went with the account
    emails = set(await fresh(db, select(Member.email)))
    assert emails == {"frisch@neu.example", "aktiv@neu.example"}
    assert await run(engine, retention.delete_pending_accounts, NOW + SECOND) == 1


def certificate(number: str, issued_at: datetime) -> Certificate:
    return Certificate(
        number=number, code=number.lower(), participant_name="Erika Muster",
        course_title="BIUS I", dates="12.03.2016", units_attended=8, units_offered=8,
        issued_at=issued_at,
    )  # fmt: skip


async def test_the_certificate_register_goes_after_its_years(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    deadline = months_before(NOW, 12 * RULES.certificate_years)
    db.add_all(
        [
            certificate("SID-2016-000001", deadline),
            certificate("SID-2016-000002", deadline + SECOND),
        ]
    )
    await db.commit()
    assert await run(engine, retention.delete_old_certificates, NOW - SECOND) == 0
    assert await run(engine, retention.delete_old_certificates, NOW) == 1
    assert await fresh(db, select(Certificate.number)) == ["SID-2016-000002"]


async def test_audit_entries_go_after_their_months(db: AsyncSession, engine: AsyncEngine) -> None:
    deadline = months_before(NOW, RULES.audit_months)
    db.add_all(
        [
            AuditEntry(created_at=deadline, action="role_granted", after={"role": "trainer"}),
            AuditEntry(created_at=deadline + SECOND, action="role_granted"),
        ]
    )
    await db.commit()
    assert await run(engine, retention.delete_old_audit_entries, NOW - SECOND) == 0
    assert await run(engine, retention.delete_old_audit_entries, NOW) == 1
    assert await count(db, AuditEntry) == 1


def application(status: str, created_at: datetime, decided_at: datetime | None = None) -> Any:
    return JoiningApplication(
        name=f"Amt {status} {created_at.isoformat()}", sector="verwaltung", region="Münster",
        street="Domplatz 1", postal_code="48143", city="Münster", head_name="Dr. Leitung",
        head_function="Leitung", contact_first_name="Erika", contact_last_name="Muster",
        contact_email="erika@amt.example", domains=["amt.example"], status=status,
        confirm_nonce=f"n{status}{created_at.timestamp()}", created_at=created_at,
        decided_at=decided_at,
    )  # fmt: skip


async def test_unconfirmed_and_declined_applications_go_after_their_days(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    deadline = NOW - timedelta(days=RULES.application_days)
    old = deadline - timedelta(days=100)
    db.add_all(
        [
            application("unconfirmed", deadline),
            application("declined", old, decided_at=deadline),
            application("declined", old, decided_at=deadline + SECOND),
            application("confirmed", old),  # in the organisers' queue: stays
            application("asked", old),
        ]
    )
    await db.commit()
    assert await run(engine, retention.delete_stale_applications, NOW - SECOND) == 0
    assert await run(engine, retention.delete_stale_applications, NOW) == 2
    statuses = sorted(await fresh(db, select(JoiningApplication.status)))
    assert statuses == ["asked", "confirmed", "declined"]


async def test_closed_orders_lose_their_contact_after_their_months(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    person = await factories.member(db)
    deadline = months_before(NOW, RULES.order_months)
    for status, changed in [
        ("shipped", deadline),
        ("cancelled", deadline),
        ("rejected", deadline + SECOND),
        ("approved", deadline - timedelta(days=100)),
    ]:
        db.add(
            MaterialOrder(
                member_id=person.id, organisation_id=person.organisation_id, year=2024,
                status=status, delivery_address="Domplatz 1\n48143 Münster",
                contact="Erika Muster, 0251 123", note="Bitte an Zimmer 12", changed_at=changed,
            )
        )  # fmt: skip
    await db.commit()
    assert await run(engine, retention.empty_closed_order_contacts, NOW - SECOND) == 0
    assert await run(engine, retention.empty_closed_order_contacts, NOW) == 2
    assert await run(engine, retention.empty_closed_order_contacts, NOW) == 0
    await db.commit()
    rows = (
        await db.execute(
            select(MaterialOrder.status, MaterialOrder.contact, MaterialOrder.note).order_by(
                MaterialOrder.id
            )
        )
    ).all()
    assert [tuple(r) for r in rows] == [
        ("shipped", "", ""),
        ("cancelled", "", ""),
        ("rejected", "Erika Muster, 0251 123", "Bitte an Zimmer 12"),
        ("approved", "Erika Muster, 0251 123", "Bitte an Zimmer 12"),
    ]
    assert await count(db, MaterialOrder) == 4


async def test_many_rows_go_in_batches_and_a_second_run_finds_nothing(
    db: AsyncSession, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 3)
    db.add_all([mail(NOW - timedelta(days=200)) for _ in range(10)])
    await db.commit()
    done = await apply(session_factory(engine), NOW, RULES)
    assert done["sent_mail"] == 10 and sum(done.values()) == 10
    assert set((await apply(session_factory(engine), NOW, RULES)).values()) == {0}


async def test_the_job_summary_names_the_steps_without_data(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    db.add_all(
        [
            mail(NOW - timedelta(days=200)),
            SignInLinkUse(nonce="x", used_at=NOW - timedelta(hours=1)),
        ]
    )
    await db.commit()
    context = JobContext(sessions=session_factory(engine), now=NOW, due_at=NOW)
    summary = await privacy_retention(context)
    assert summary.startswith("2 Datensatz/Datensätze nach Ablauf der Aufbewahrungsfrist")
    assert "sent_mail 1, sign_in 1, sessions 0" in summary
    assert "@" not in summary


async def test_the_placeholder_of_erased_people_is_never_deleted(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    """It is "rejected" like an old refused account; deleting it would take every anonymised
    booking with it (ON DELETE CASCADE) and the figures with them."""
    event = await factories.event(db, starts_in=timedelta(days=-800))
    person = await factories.member(db)
    booking = (await factories.participants(db, event, 1))[0]
    booking.member_id = person.id
    await db.commit()
    rules = Retention()
    sessions = session_factory(engine)
    later = datetime.now(UTC) + timedelta(days=400)
    assert await retention.anonymise_due_bookings(sessions, later, rules) == 1
    assert await retention.delete_pending_accounts(sessions, later, rules) == 0
    await db.commit()
    placeholder = await db.scalar(select(Member).where(Member.email == retention.PLACEHOLDER_EMAIL))
    assert placeholder is not None and placeholder.status == "rejected"
    assert await db.scalar(select(func.count()).select_from(Booking)) == 1
