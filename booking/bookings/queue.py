"""Group commit for bookings: concurrent requests of one process share a write transaction.

Every booking holds the event's lock while it counts and inserts, so bookings of one event
happen one after another — at the moment a popular training opens, hundreds wait in line.
The requests that arrive while a transaction runs are decided together in the next one
(:func:`booking.bookings.services.book_many`), in arrival order, with the same rules and the same
lock; a failed round is decided again request by request (:class:`booking.core.batching.Batcher`).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from starlette.requests import Request

from booking.bookings.services import BookingRequest, BookingResult, book_many
from booking.core.batching import Batcher
from booking.core.db import utcnow
from booking.core.errors import Busy
from booking.members.models import Member
from booking.members.tokens import (
    TOKEN_USE_INTERVAL,
    holders_of_api_tokens,
    note_api_token_use,
)


class BookingQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._bookings: Batcher[BookingRequest, BookingResult] = Batcher(self._book)
        self._tokens: Batcher[str, Member | None] = Batcher(self._members)
        self._used: set[int] = set()
        """Tokens used since the times of use were last written."""
        self._used_written: datetime | None = None

    async def book(self, *, event_id: int, member_id: int, now: datetime) -> BookingResult:
        """Like :func:`booking.bookings.services.book`: the result, or the domain error raised."""
        return await self._bookings(BookingRequest(event_id, member_id, now))

    async def member_for_token(self, token: str) -> Member | None:
        """The active member an API token belongs to; lookups arriving together share a query."""
        return await self._tokens(token)

    async def _book(self, requests: list[BookingRequest]) -> list[BookingResult | BaseException]:
        try:
            async with self._sessions() as session:
                return list(await book_many(session, requests))
        except Busy as exc:
            return [exc] * len(requests)

    async def _members(self, tokens: list[str]) -> list[Member | None | BaseException]:
        now = utcnow()
        async with self._sessions() as session:
            holders = await holders_of_api_tokens(session, tokens, now=now)
            self._used.update(h.token_id for h in holders if h is not None and h.use_due(now))
            if self._used and (
                self._used_written is None or now - self._used_written >= TOKEN_USE_INTERVAL
            ):
                # The times of use of a minute are written together, so that a rush of
                # first requests adds one write, not one per batch.
                used, self._used, self._used_written = self._used, set(), now
                with contextlib.suppress(Busy):  # worth no refused request
                    await note_api_token_use(session, used, now=now)
        return [holder.member if holder else None for holder in holders]


def booking_queue(request: Request) -> BookingQueue:
    """The app's queue (booking/app.py keeps it on ``app.state.bookings``)."""
    queue: BookingQueue = request.app.state.bookings
    return queue
