"""Subscribing with double opt-in, on both databases: the confirmation mail (a signed link,
no newsletter content), the consent record, the link's expiry and single use, the same
answer for subscribed addresses, one click for members, unsubscribing by the signed link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from booking.core.db import session_factory
from booking.core.errors import Forbidden, InvalidState, ValidationFailed
from booking.jobs.retention import delete_newsletter_subscriptions
from booking.mail.models import OutboxMessage
from booking.mail.services import outbox_row
from booking.newsletter import messages, services
from booking.newsletter.models import Subscription
from booking.settings import Retention
from tests import factories
from tests.factories import NOW

SECRET = "s" * 40
BASE = "https://buchung.example"


def serializer() -> URLSafeTimedSerializer:
    return services.confirm_serializer(SECRET)


async def ask(db: AsyncSession, email: str, consent: bool = True) -> None:
    """A request at NOW (the link is signed with that time)."""
    with time_machine.travel(NOW, tick=False):
        await services.request_subscription(
            db, email=email, consent=consent, serializer=serializer(), base_url=BASE, now=NOW
        )


async def mails(db: AsyncSession, template: str = "newsletter_confirm") -> list[OutboxMessage]:
    await db.commit()
    return list(
        await db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


def token_of(message: OutboxMessage) -> str:
    link = str(message.context["link"])
    assert link.startswith(f"{BASE}/newsletter/bestaetigen?token=")
    return link.partition("token=")[2]


@pytest.fixture
async def domain(db: AsyncSession) -> str:
    await factories.organisation(db, domain="kreis-borken.example")
    return "kreis-borken.example"


async def test_a_request_mails_a_link_and_the_confirmation_records_the_consent(
    db: AsyncSession, domain: str
) -> None:
    await ask(db, "  Lucja.Kowalska@Kreis-Borken.example ")
    [mail] = await mails(db)
    assert mail.recipient == "lucja.kowalska@kreis-borken.example"
    assert set(mail.context) == {"link"}  # no newsletter content in the confirmation
    [pending] = list(await db.scalars(select(Subscription)))
    assert (pending.status, pending.confirmed_at) == ("pending", None)
    assert (pending.requested_at, pending.consent_version) == (NOW, messages.CONSENT_VERSION)
    assert messages.CONSENT_VERSION in messages.CONSENT_TEXTS

    later = NOW + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        confirmed = await services.confirm(
            db, token=token_of(mail), serializer=serializer(), now=later
        )
    assert confirmed.status == "confirmed"
    assert (confirmed.requested_at, confirmed.confirmed_at) == (NOW, later)
    assert (confirmed.source, confirmed.consent_version) == ("form", "2026-12")


async def test_the_link_works_once_and_expires_after_48_hours(
    db: AsyncSession, domain: str
) -> None:
    await ask(db, "a@kreis-borken.example")
    await ask(db, "b@kreis-borken.example")
    first, second = await mails(db)
    with time_machine.travel(NOW + timedelta(hours=47), tick=False):
        await services.confirm(db, token=token_of(first), serializer=serializer(), now=NOW)
        with pytest.raises(InvalidState, match="bereits bestätigt"):
            await services.confirm(db, token=token_of(first), serializer=serializer(), now=NOW)
    with (
        time_machine.travel(NOW + timedelta(hours=48, seconds=2), tick=False),
        pytest.raises(ValidationFailed, match="abgelaufen"),
    ):
        await services.confirm(db, token=token_of(second), serializer=serializer(), now=NOW)
    await db.commit()
    statuses = dict((await db.execute(select(Subscription.email, Subscription.status))).all())
    assert statuses == {"a@kreis-borken.example": "confirmed", "b@kreis-borken.example": "pending"}


@pytest.mark.parametrize(
    "token",
    ["", "x" * 1001, "abc.def.ghi", "\x00", None],
)
async def test_a_forged_or_broken_link_confirms_nothing(
    db: AsyncSession, domain: str, token: str | None
) -> None:
    await ask(db, "a@kreis-borken.example")
    if token is None:  # the real subscription and nonce, signed with another key
        asked = await services.subscription_of(db, "a@kreis-borken.example")
        assert asked is not None
        token = URLSafeTimedSerializer("t" * 40, salt=services.CONFIRM_SALT).dumps(
            {"subscription": asked.id, "nonce": asked.confirm_nonce}
        )
    with pytest.raises(ValidationFailed, match="ungültig"):
        await services.confirm(db, token=token, serializer=serializer(), now=NOW)


async def test_only_the_latest_link_confirms(db: AsyncSession, domain: str) -> None:
    await ask(db, "a@kreis-borken.example")
    await ask(db, "a@kreis-borken.example")
    old, new = await mails(db)
    with pytest.raises(ValidationFailed):
        await services.confirm(db, token=token_of(old), serializer=serializer(), now=NOW)
    await services.confirm(db, token=token_of(new), serializer=serializer(), now=NOW)


async def test_a_confirmed_address_asking_again_gets_no_mail_and_the_same_answer(
    db: AsyncSession, domain: str
) -> None:
    await ask(db, "a@kreis-borken.example")
    [mail] = await mails(db)
    await services.confirm(db, token=token_of(mail), serializer=serializer(), now=NOW)
    await ask(db, "A@kreis-borken.example")  # returns like any other request
    assert len(await mails(db)) == 1


@pytest.mark.parametrize(
    ("email", "consent", "field", "message"),
    [
        ("a@anderswo.example", True, "email", messages.EMAIL_NOT_OFFICIAL),
        ("kein-mail", True, "email", messages.EMAIL_INVALID),
        ("a\x00b@kreis-borken.example", True, "email", messages.EMAIL_INVALID),
        ("Erika <a@kreis-borken.example>", True, "email", messages.EMAIL_INVALID),
        ("a@kreis-borken.example", False, "consent", messages.CONSENT_REQUIRED),
    ],
)
async def test_refused_requests_write_nothing(
    db: AsyncSession, domain: str, email: str, consent: bool, field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await ask(db, email, consent)
    assert refused.value.fields == {field: message}
    with pytest.raises(ValidationFailed) as both:
        await ask(db, "a@anderswo.example", consent=False)
    assert set(both.value.fields) == {"email", "consent"}
    await db.commit()
    assert await db.scalar(select(func.count(Subscription.id))) == 0
    assert await mails(db) == []


async def test_a_member_subscribes_with_one_click_without_a_mail(db: AsyncSession) -> None:
    member = await factories.member(db)
    subscription = await services.subscribe_member(db, member=member, now=NOW)
    assert (subscription.status, subscription.source) == ("confirmed", "profile")
    assert subscription.requested_at == subscription.confirmed_at == NOW
    assert await mails(db) == []
    again = await services.subscribe_member(db, member=member, now=NOW + timedelta(days=1))
    assert again.confirmed_at == NOW


async def test_a_member_waiting_for_approval_cannot_use_the_one_click(db: AsyncSession) -> None:
    member = await factories.member(db, status="pending")
    with pytest.raises(Forbidden):
        await services.subscribe_member(db, member=member, now=NOW)


async def test_the_unsubscribe_link_ends_the_subscription_and_withdraws_queued_issues(
    db: AsyncSession,
) -> None:
    member = await factories.member(db)
    subscription = await services.subscribe_member(db, member=member, now=NOW)
    db.add(OutboxMessage(**outbox_row(member.email, "newsletter_issue", newsletter_issue_id=1)))
    db.add(OutboxMessage(**outbox_row(member.email, "sign_in_link", link="x")))
    await db.commit()
    url = services.unsubscribe_url(BASE, SECRET, subscription)
    token = url.rpartition("/")[2]
    unsubscribe = services.unsubscribe_serializer(SECRET)
    later = NOW + timedelta(days=400)  # an old issue's link still works
    ended = await services.unsubscribe_by_token(db, token=token, serializer=unsubscribe, now=later)
    assert (ended.status, ended.unsubscribed_at) == ("unsubscribed", later)
    again = await services.unsubscribe_by_token(db, token=token, serializer=unsubscribe, now=NOW)
    assert again.unsubscribed_at == later
    assert [m.template for m in await mails(db, "sign_in_link")] == ["sign_in_link"]
    assert await mails(db, "newsletter_issue") == []

    # subscribing again makes a new link; the old one cannot end the new subscription
    renewed = await services.subscribe_member(db, member=member, now=later)
    with pytest.raises(ValidationFailed, match="Abmeldelink ist ungültig"):
        await services.unsubscribe_by_token(db, token=token, serializer=unsubscribe, now=later)
    assert renewed.status == "confirmed"


@pytest.mark.parametrize("token", ["", "abc", "x" * 1001, "WzEsImsiXQ.forged", None])
async def test_a_forged_unsubscribe_link_changes_nothing(
    db: AsyncSession, token: str | None
) -> None:
    member = await factories.member(db)
    subscription = await services.subscribe_member(db, member=member, now=NOW)
    if token is None:  # the real subscription and key, signed with another secret
        token = services.unsubscribe_serializer("t" * 40).dumps(
            [subscription.id, subscription.unsubscribe_key]
        )
    with pytest.raises(ValidationFailed):
        await services.unsubscribe_by_token(
            db, token=token, serializer=services.unsubscribe_serializer(SECRET), now=NOW
        )
    assert (await services.subscription_of(db, member.email)).status == "confirmed"  # type: ignore[union-attr]


async def test_retention_deletes_unconfirmed_sign_ups_and_old_consent_records(
    db: AsyncSession, engine: AsyncEngine
) -> None:
    rows = {
        "alt-offen@x.example": ("pending", NOW - timedelta(days=8), None),
        "neu-offen@x.example": ("pending", NOW - timedelta(days=6), None),
        "aktiv@x.example": ("confirmed", NOW - timedelta(days=4000), None),
        "lange-weg@x.example": ("unsubscribed", NOW, NOW - timedelta(days=3 * 366)),
        "kuerzlich-weg@x.example": ("unsubscribed", NOW, NOW - timedelta(days=700)),
    }
    db.add_all(
        Subscription(
            email=email, status=status, source="form", consent_version="2026-12",
            requested_at=requested, unsubscribed_at=gone, confirm_nonce="n", unsubscribe_key="k",
        )
        for email, (status, requested, gone) in rows.items()
    )  # fmt: skip
    await db.commit()
    deleted = await delete_newsletter_subscriptions(session_factory(engine), NOW, Retention())
    assert deleted == 2
    await db.commit()
    assert set(await db.scalars(select(Subscription.email))) == {
        "neu-offen@x.example", "aktiv@x.example", "kuerzlich-weg@x.example",
    }  # fmt: skip
