"""Letting the database work on one request while the service builds the next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

logger = logging.getLogger(__name__)


@asynccontextmanager
async def in_flight[T](work: Awaitable[T]) -> AsyncIterator[asyncio.Future[T]]:
    """Start ``work`` (a write, say) and run the block while it goes on; never leave it behind.

    ``work`` is started and given one pass of the event loop (its request is sent) before the
    block runs, so the database works on it while the block uses the CPU. Leaving the block
    awaits ``work``, however the block ends: normally, ``work``'s error (if any) is raised;
    when the block raises, ``work`` still runs to its end (it is not cancelled half-sent) and
    the block's error is raised, ``work``'s logged. The yielded future may be awaited in the
    block for its result.
    """
    future = asyncio.ensure_future(work)
    await asyncio.sleep(0)
    try:
        yield future
    except BaseException:
        done = await asyncio.gather(future, return_exceptions=True)
        if isinstance(done[0], Exception):
            logger.warning("work in flight failed after its block did", exc_info=done[0])
        raise
    await future
