from __future__ import annotations

import asyncio

import pytest

from booking.core.batching import Batcher


async def test_calls_arriving_together_share_one_round() -> None:
    rounds: list[list[int]] = []
    started = asyncio.Event()

    async def handle(keys: list[int]) -> list[int | BaseException]:
        rounds.append(keys)
        started.set()
        await asyncio.sleep(0.01)
        return [k * 10 for k in keys]

    batcher: Batcher[int, int] = Batcher(handle)
    early = [asyncio.create_task(batcher(k)) for k in range(10)]
    await started.wait()  # the first round is running: later calls wait for the next one
    late = [asyncio.create_task(batcher(k)) for k in range(10, 50)]
    results = await asyncio.gather(*early, *late)
    assert results == [k * 10 for k in range(50)]
    assert rounds == [list(range(10)), list(range(10, 50))]


async def test_outcomes_that_are_exceptions_are_raised_to_their_caller_only() -> None:
    async def handle(keys: list[int]) -> list[int | BaseException]:
        return [ValueError(k) if k % 2 else k for k in keys]

    batcher: Batcher[int, int] = Batcher(handle)
    results = await asyncio.gather(*(batcher(k) for k in range(6)), return_exceptions=True)
    assert [r if isinstance(r, int) else "error" for r in results] == [
        0,
        "error",
        2,
        "error",
        4,
        "error",
    ]


async def test_a_failing_round_is_retried_key_by_key() -> None:
    async def handle(keys: list[int]) -> list[int | BaseException]:
        await asyncio.sleep(0)
        if 3 in keys:
            raise RuntimeError("boom")
        return list(keys)

    batcher: Batcher[int, int] = Batcher(handle)
    results = await asyncio.gather(*(batcher(k) for k in range(6)), return_exceptions=True)
    assert results[:3] == [0, 1, 2] and results[4:] == [4, 5]
    assert isinstance(results[3], RuntimeError)


async def test_a_caller_that_goes_away_does_not_break_the_round() -> None:
    async def handle(keys: list[int]) -> list[int | BaseException]:
        await asyncio.sleep(0.02)
        return list(keys)

    batcher: Batcher[int, int] = Batcher(handle)
    first = asyncio.create_task(batcher(1))
    leaving = asyncio.create_task(batcher(2))
    staying = asyncio.create_task(batcher(3))
    await asyncio.sleep(0.005)
    leaving.cancel()
    assert await first == 1 and await staying == 3
    with pytest.raises(asyncio.CancelledError):
        await leaving
