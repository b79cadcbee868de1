"""Subscribing to the newsletter with double opt-in, confirming, unsubscribing.

Anyone with an official address (its domain belongs to a member organisation, as at the
sign-in) asks for the newsletter on the public form and gets a confirmation mail with a
signed link that holds 48 hours; only the confirmation puts the address on the list. The
form answers the same whether or not the address is subscribed. A signed-in member has
proven their address by the sign-in link, so their one click on the profile subscribes at
once (the consent is recorded with the source ``profile``).

Every issue carries a signed unsubscribe link (no expiry: an old issue's link still works);
using it, or the profile's button, ends the subscription at once.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.core.errors import Forbidden, InvalidState, ValidationFailed
from booking.core.transactions import write_transaction
from booking.mail.models import OutboxMessage
from booking.mail.services import enqueue
from booking.members.models import Member
from booking.members.services import email_domain, valid_email
from booking.newsletter import messages
from booking.newsletter.models import Delivery, Subscription, SubscriptionStatus
from booking.organisations.queries import domain_owner

CONFIRM_SALT = "newsletter-confirm"
CONFIRM_MAX_AGE = 48 * 3600
"""The confirmation link holds 48 hours."""
UNSUBSCRIBE_SALT = "newsletter-unsubscribe"
TOKEN_MAX = 1000
ISSUE_TEMPLATE = "newsletter_issue"


def confirm_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT)


def unsubscribe_serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(base_url: str, secret_key: str, subscription: Subscription) -> str:
    token = unsubscribe_serializer(secret_key).dumps(
        [subscription.id, subscription.unsubscribe_key]
    )
    return f"{base_url}/newsletter/abmelden/{token}"


def _key() -> str:
    return secrets.token_urlsafe(16)


async def official_address(session: AsyncSession, email: str) -> str:
    """The address in normal form, if it is one mailbox at a member organisation's domain."""
    checked = valid_email(email)
    if checked is None:
        raise ValidationFailed(messages.EMAIL_INVALID, {"email": messages.EMAIL_INVALID})
    if await domain_owner(session, email_domain(checked)) is None:
        raise ValidationFailed(messages.EMAIL_NOT_OFFICIAL, {"email": messages.EMAIL_NOT_OFFICIAL})
    return checked


async def request_subscription(
    session: AsyncSession,
    *,
    email: str,
    consent: bool,
    serializer: URLSafeTimedSerializer,
    base_url: str,
    now: datetime,
) -> None:
    """Ask for the newsletter: a pending subscription and a confirmation mail (without any
    newsletter content). An address already confirmed gets nothing; the caller answers the
    same either way."""
    errors: dict[str, str] = {}
    try:
        email = await official_address(session, email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if not consent:
        errors["consent"] = messages.CONSENT_REQUIRED
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    try:
        async with write_transaction(session):
            subscription = await session.scalar(
                select(Subscription).where(Subscription.email == email)
            )
            if subscription is not None and subscription.status == SubscriptionStatus.CONFIRMED:
                return
            nonce = _key()
            if subscription is None:
                subscription = Subscription(email=email, unsubscribe_key=_key())
                session.add(subscription)
            elif subscription.status == SubscriptionStatus.UNSUBSCRIBED:
                subscription.unsubscribe_key = _key()
            subscription.status = SubscriptionStatus.PENDING
            subscription.source = "form"
            subscription.consent_version = messages.CONSENT_VERSION
            subscription.requested_at = now
            subscription.confirmed_at = None
            subscription.unsubscribed_at = None
            subscription.confirm_nonce = nonce
            await session.flush()
            token = serializer.dumps({"subscription": subscription.id, "nonce": nonce})
            enqueue(
                session,
                email,
                "newsletter_confirm",
                link=f"{base_url}/newsletter/bestaetigen?token={token}",
            )
    except IntegrityError:
        return  # the same address asked twice at once: the other request sends the link


def read_confirm_token(token: str, serializer: URLSafeTimedSerializer) -> tuple[int, str]:
    invalid = ValidationFailed(messages.CONFIRM_LINK_INVALID)
    if not token or len(token) > TOKEN_MAX:
        raise invalid
    try:
        data = serializer.loads(token, max_age=CONFIRM_MAX_AGE)
    except (SignatureExpired, BadSignature) as exc:
        raise invalid from exc
    if not isinstance(data, dict):
        raise invalid
    subscription_id, nonce = data.get("subscription"), data.get("nonce")
    if type(subscription_id) is not int or not isinstance(nonce, str) or len(nonce) > 64:
        raise invalid
    return subscription_id, nonce


async def confirm(
    session: AsyncSession, *, token: str, serializer: URLSafeTimedSerializer, now: datetime
) -> Subscription:
    """The address confirms: the subscription starts and the time is recorded. Only the
    latest link works, once (a conditional update: two clicks at once confirm once)."""
    subscription_id, nonce = read_confirm_token(token, serializer)
    async with write_transaction(session):
        result = await session.execute(
            update(Subscription)
            .where(
                Subscription.id == subscription_id,
                Subscription.confirm_nonce == nonce,
                Subscription.status == SubscriptionStatus.PENDING,
            )
            .values(status=SubscriptionStatus.CONFIRMED, confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        subscription = await session.get(Subscription, subscription_id, populate_existing=True)
        if subscription is None or subscription.confirm_nonce != nonce:
            raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
        if not getattr(result, "rowcount", 0):
            if subscription.status == SubscriptionStatus.CONFIRMED:
                raise InvalidState(messages.CONFIRM_LINK_USED)
            raise ValidationFailed(messages.CONFIRM_LINK_INVALID)
    return subscription


def read_unsubscribe_token(token: str, serializer: URLSafeSerializer) -> tuple[int, str]:
    invalid = ValidationFailed(messages.UNSUBSCRIBE_LINK_INVALID)
    if not token or len(token) > TOKEN_MAX:
        raise invalid
    try:
        data = serializer.loads(token)
    except BadSignature as exc:
        raise invalid from exc
    if not isinstance(data, list) or len(data) != 2:
        raise invalid
    subscription_id, key = data
    if type(subscription_id) is not int or not isinstance(key, str) or len(key) > 64:
        raise invalid
    return subscription_id, key


async def _end(session: AsyncSession, subscription: Subscription, now: datetime) -> None:
    """Unsubscribe in the caller's transaction; issue mails not yet taken by the sender are
    withdrawn from the outbox, and with them their deliveries (an issue's progress counts
    a delivery whose outbox row is gone as sent long ago)."""
    if subscription.status != SubscriptionStatus.UNSUBSCRIBED:
        subscription.status = SubscriptionStatus.UNSUBSCRIBED
        subscription.unsubscribed_at = now
    withdrawn = list(
        await session.scalars(
            delete(OutboxMessage)
            .where(
                OutboxMessage.recipient == subscription.email,
                OutboxMessage.template == ISSUE_TEMPLATE,
                OutboxMessage.sent_at.is_(None),
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    if withdrawn:
        await session.execute(delete(Delivery).where(Delivery.message_id.in_(withdrawn)))


async def subscription_of(session: AsyncSession, email: str) -> Subscription | None:
    """The subscription of an address (lower-case), if any: the one lookup by address."""
    return await session.scalar(select(Subscription).where(Subscription.email == email))


async def unsubscribe_by_token(
    session: AsyncSession, *, token: str, serializer: URLSafeSerializer, now: datetime
) -> Subscription:
    """One click (RFC 8058): the subscription of the link ends. Using the link again
    changes nothing and answers the same."""
    subscription_id, key = read_unsubscribe_token(token, serializer)
    async with write_transaction(session):
        subscription = await session.get(Subscription, subscription_id)
        if subscription is None or not secrets.compare_digest(subscription.unsubscribe_key, key):
            raise ValidationFailed(messages.UNSUBSCRIBE_LINK_INVALID)
        await _end(session, subscription, now)
    return subscription


async def subscribe_member(session: AsyncSession, *, member: Member, now: datetime) -> Subscription:
    """A signed-in member subscribes with one click: their address is proven by the sign-in
    link, so no confirmation mail; the consent is recorded as given on the profile."""
    if not member.is_active:
        raise Forbidden(messages.MEMBER_NOT_ACTIVE)
    async with write_transaction(session):
        subscription = await subscription_of(session, member.email)
        if subscription is not None and subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        if subscription is None:
            subscription = Subscription(email=member.email, unsubscribe_key=_key())
            session.add(subscription)
        elif subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            subscription.unsubscribe_key = _key()
        subscription.status = SubscriptionStatus.CONFIRMED
        subscription.source = "profile"
        subscription.consent_version = messages.CONSENT_VERSION
        subscription.requested_at = now
        subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        subscription.confirm_nonce = _key()
    return subscription


async def unsubscribe_email(session: AsyncSession, *, email: str, now: datetime) -> bool:
    """End the subscription of an address (the profile's button; the operator on the command
    line, say after a mail to the List-Unsubscribe mailto address). Whether there was one."""
    async with write_transaction(session):
        subscription = await subscription_of(session, email.strip().lower())
        if subscription is None or subscription.status == SubscriptionStatus.UNSUBSCRIBED:
            return False
        await _end(session, subscription, now)
    return True
