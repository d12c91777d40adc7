"""Work in flight during a block is always awaited, however the block ends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from mentorship_kit.overlap import in_flight


async def _failing_block(work: Awaitable[None], seen: list[asyncio.Future[None]]) -> None:
    async with in_flight(work) as future:
        seen.append(future)
        msg = "building failed"
        raise ValueError(msg)


async def test_the_work_starts_before_the_block_and_its_result_is_there_after() -> None:
    steps: list[str] = []

    async def work() -> int:
        steps.append("sent")
        await asyncio.sleep(0.01)
        steps.append("done")
        return 7

    async with in_flight(work()) as future:
        steps.append("block")
    assert steps == ["sent", "block", "done"]
    assert future.result() == 7


async def test_a_block_that_raises_still_awaits_the_work_and_raises_its_own_error() -> None:
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.01)
        finished.set()

    seen: list[asyncio.Future[None]] = []
    with pytest.raises(ValueError, match="building failed"):
        await _failing_block(work(), seen)
    [future] = seen
    assert finished.is_set()
    assert future.done()
    assert not future.cancelled()


async def test_when_both_fail_the_block_s_error_is_raised_and_the_work_s_retrieved() -> None:
    async def work() -> None:
        await asyncio.sleep(0)
        msg = "write failed"
        raise RuntimeError(msg)

    seen: list[asyncio.Future[None]] = []
    with pytest.raises(ValueError, match="building failed"):
        await _failing_block(work(), seen)
    [future] = seen
    assert isinstance(future.exception(), RuntimeError)


async def test_the_work_s_error_is_raised_when_the_block_succeeds() -> None:
    async def work() -> None:
        await asyncio.sleep(0)
        msg = "write failed"
        raise RuntimeError(msg)

    with pytest.raises(RuntimeError, match="write failed"):
        async with in_flight(work()):
            pass
