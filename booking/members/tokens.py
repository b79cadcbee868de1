"""API tokens: issued with a lifetime, stored only as a hash, listed, revoked, and looked up
in batches (booking/bookings/queue.py) with their last use noted at most once a minute."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from booking.core.errors import NotFound, ValidationFailed
from booking.core.text import has_control_characters
from booking.core.transactions import write_transaction
from booking.members import messages
from booking.members.models import ApiToken, Member
from booking.members.services import _known_members


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
TOKEN_USE_INTERVAL = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token: no write for every request."""


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    expires_at: datetime


async def issue_api_tokens(
    session: AsyncSession,
    *,
    emails: Sequence[str],
    now: datetime,
    days: int = TOKEN_DAYS,
    name: str = "",
) -> list[IssuedToken]:
    """One new API token per address, in order, in one transaction: none at all when an
    address is unknown. Each is valid for ``days`` days; only its hash is stored."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationFailed(messages.TOKEN_DAYS.format(most=MAX_TOKEN_DAYS))
    if len(name) > 100 or has_control_characters(name):
        raise ValidationFailed(messages.TOKEN_NAME)
    async with write_transaction(session):
        members = await _known_members(session, emails)
        tokens = ["sid_" + secrets.token_urlsafe(32) for _ in members]
        expires_at = now + timedelta(days=days)
        rows = [
            ApiToken(
                member_id=m.id,
                token_hash=hash_token(t),
                name=name.strip(),
                created_at=now,
                expires_at=expires_at,
            )
            for m, t in zip(members, tokens, strict=True)
        ]
        session.add_all(rows)
        await session.flush()
    return [
        IssuedToken(id=row.id, token=token, expires_at=expires_at)
        for row, token in zip(rows, tokens, strict=True)
    ]


async def api_tokens_of(session: AsyncSession, member_id: int) -> list[ApiToken]:
    """A member's tokens, newest first, revoked ones included (for the list)."""
    return list(
        await session.scalars(
            select(ApiToken)
            .where(ApiToken.member_id == member_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


async def api_tokens_for_email(session: AsyncSession, email: str) -> list[ApiToken]:
    [member] = await _known_members(session, [email])
    return await api_tokens_of(session, member.id)


async def revoke_api_token(
    session: AsyncSession, *, token_id: int, now: datetime, actor: Member | None = None
) -> ApiToken:
    """Revoke a token at once. A member may revoke only their own (``actor``; None: the
    operator on the command line). Revoking twice changes nothing."""
    async with write_transaction(session):
        token = await session.get(ApiToken, token_id)
        if token is None or (actor is not None and token.member_id != actor.id):
            raise NotFound(messages.TOKEN_UNKNOWN)
        if token.revoked_at is None:
            token.revoked_at = now
    return token


@dataclass(frozen=True)
class TokenHolder:
    member: Member
    token_id: int
    last_used_at: datetime | None

    def use_due(self, now: datetime) -> bool:
        """The time of use is worth writing (not written in the last minute)."""
        return self.last_used_at is None or now - self.last_used_at >= TOKEN_USE_INTERVAL


async def holders_of_api_tokens(
    session: AsyncSession, tokens: Sequence[str], *, now: datetime
) -> list[TokenHolder | None]:
    """The active member of each token (None for unknown, expired or revoked ones), in one
    query. Reads only: the time of use is written by :func:`note_api_token_use`."""
    hashes = {
        token: hash_token(token)
        for token in tokens
        if token.startswith("sid_") and len(token) <= 100
    }
    found: dict[str, TokenHolder] = {}
    if hashes:
        rows = await session.execute(
            select(ApiToken.token_hash, ApiToken.id, ApiToken.last_used_at, Member)
            .join(Member, ApiToken.member_id == Member.id)
            .where(
                ApiToken.token_hash.in_(set(hashes.values())),
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
                Member.status == "active",
            )
            .options(joinedload(Member.organisation))
        )
        found = {
            token_hash: TokenHolder(member, token_id, last_used_at)
            for token_hash, token_id, last_used_at, member in rows
        }
        await session.commit()  # release the connection; the members stay loaded
    return [found.get(hashes.get(token, "")) for token in tokens]


async def note_api_token_use(
    session: AsyncSession, token_ids: Iterable[int], *, now: datetime
) -> None:
    """Note that these tokens were used (at ``now``), in one statement."""
    ids = sorted(set(token_ids))
    if ids:
        async with write_transaction(session):
            await session.execute(
                update(ApiToken).where(ApiToken.id.in_(ids)).values(last_used_at=now)
            )
