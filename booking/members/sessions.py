"""The web sessions' table behind :class:`booking.core.sessions.ServerSessions`, and ending
every session of a member ("Überall abmelden")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.core.sessions import IDLE_TIMEOUT, SessionStore, SessionWrite, StoredSession
from booking.core.transactions import write_transaction
from booking.members.models import WebSession


def session_store(sessions: async_sessionmaker[AsyncSession]) -> SessionStore:
    """The store the middleware loads and writes sessions through, each call in a short
    database session of its own."""

    async def load(id_hash: str) -> StoredSession | None:
        async with sessions() as session:
            row = await session.get(WebSession, id_hash)
            if row is None:
                return None
            return StoredSession(
                member_id=row.member_id,
                data=dict(row.data or {}),
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                expires_at=row.expires_at,
            )

    async def save(write: SessionWrite) -> None:
        if not write.delete and write.record is None:
            return
        async with sessions() as session:
            try:
                async with write_transaction(session):
                    await apply_session_write(session, write)
            except IntegrityError:
                # Two first requests of one new session at once: the other one wrote it.
                pass

    return SessionStore(load=load, save=save)


async def apply_session_write(session: AsyncSession, write: SessionWrite) -> None:
    if write.delete:
        await session.execute(delete(WebSession).where(WebSession.id_hash.in_(write.delete)))
    if write.id_hash is None or write.record is None:
        return
    record = write.record
    if write.only_touch:
        await session.execute(
            update(WebSession)
            .where(WebSession.id_hash == write.id_hash)
            .values(last_seen_at=record.last_seen_at)
        )
        return
    row = await session.get(WebSession, write.id_hash)
    if row is None:
        if record.member_id is not None:
            # A sign-in (a few a day per member) clears away sessions that ended by time.
            await delete_ended_sessions(session, now=record.created_at)
        row = WebSession(id_hash=write.id_hash)
        session.add(row)
    row.member_id = record.member_id
    row.data = record.data
    row.created_at = record.created_at
    row.last_seen_at = record.last_seen_at
    row.expires_at = record.expires_at


async def end_all_sessions(session: AsyncSession, *, member_id: int) -> int:
    """Sign a member out on every device; returns how many sessions ended."""
    async with write_transaction(session):
        result = await session.execute(delete(WebSession).where(WebSession.member_id == member_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_ended_sessions(session: AsyncSession, *, now: datetime) -> None:
    """Remove the rows of sessions past their absolute lifetime or idle timeout."""
    await session.execute(
        delete(WebSession).where(
            (WebSession.expires_at <= now) | (WebSession.last_seen_at <= now - IDLE_TIMEOUT)
        )
    )
