"""Group commit for bookings: concurrent requests of one process share a write transaction.

Every booking holds the event's lock while it counts and inserts, so bookings of one event
happen one after another — at the moment a popular training opens, hundreds wait in line.
The requests that arrive while a transaction runs are decided together in the next one
(:func:`booking.bookings.services.book_many`), in arrival order, with the same rules and the same
lock; a failed round is decided again request by request (:class:`booking.core.batching.Batcher`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

if TYPE_CHECKING:
    from starlette.requests import Request

from booking.bookings.services import BookingRequest, BookingResult, book_many
from booking.core.batching import Batcher
from booking.core.errors import Busy
from booking.members.models import Member
from booking.members.services import members_for_api_tokens


class BookingQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._bookings: Batcher[BookingRequest, BookingResult] = Batcher(self._book)
        self._tokens: Batcher[str, Member | None] = Batcher(self._members)

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
        async with self._sessions() as session:
            return list(await members_for_api_tokens(session, tokens))


def booking_queue(request: Request) -> BookingQueue:
    """The app's queue (booking/app.py keeps it on ``app.state.bookings``)."""
    queue: BookingQueue = request.app.state.bookings
    return queue
