"""Coalescing concurrent calls: while one call of ``handle`` runs, the calls that arrive wait
and go together into the next one. On SQLite every statement costs a hand-over to a worker
thread, and writes queue for one lock; doing the work of many requests in one round of
statements keeps the moment a popular training opens a non-event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("booking.core.batching")


class Batcher[K, V]:
    """``await batcher(key)`` returns the value ``handle`` gave for ``key``, or raises the
    exception it gave. ``handle`` gets a list of keys and returns one outcome per key; if it
    raises instead, every key of that round is tried again on its own, so that one bad key
    does not fail the others."""

    def __init__(
        self,
        handle: Callable[[list[K]], Awaitable[list[V | BaseException]]],
        max_batch: int = 1000,
    ) -> None:
        self._handle = handle
        self._max_batch = max_batch
        self._pending: list[tuple[K, asyncio.Future[V]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def __call__(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        self._pending.append((key, future))
        if self._worker is None or self._worker.done():
            self._worker = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            outcomes = await self._run([key for key, _ in batch])
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the caller went away
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _run(self, keys: list[K]) -> list[V | BaseException]:
        try:
            outcomes = await self._handle(keys)
        except Exception as exc:
            if len(keys) == 1:
                return [exc]
            log.warning("a batch of %d failed; trying them one by one", len(keys))
            return [outcome for key in keys for outcome in await self._run([key])]
        if len(outcomes) != len(keys):
            raise RuntimeError("a batch handler must give one outcome per key")
        return outcomes
