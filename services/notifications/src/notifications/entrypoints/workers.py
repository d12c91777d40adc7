"""Background loops: the sender, the scheduled occasions and the gauges."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from notifications.usecases.dispatch import Dispatcher
from notifications.usecases.scheduled import Scheduled

logger = logging.getLogger(__name__)
GAUGE_INTERVAL_S = 15.0


def sender(dispatcher: Dispatcher, poll_s: float):  # type: ignore[no-untyped-def]
    """The loop that sends due deliveries."""

    async def loop() -> None:
        await dispatcher.run(poll_s)

    return loop


def occasions(  # type: ignore[no-untyped-def]
    scheduled: Scheduled,
    poll_s: float,
    caught_up: Callable[[], Awaitable[None]],
    catch_up_limit_s: float,
):
    """The loop that gathers digests and announces survey openings and health digests.

    Each round waits until the consumer has caught up (``caught_up``: it returns the next
    time the consumer finds nothing more to read on its partitions): the programs' managers
    and chat channels are projected from events, and a round run while a backlog is applied
    (at start-up, after an outage or a rebalance) would send the week's health digest to
    the managers known so far, once. The first round also waits a poll, as before: another
    replica may still be applying its own partitions (what is due is due for the day or the
    week, so a poll's delay changes nothing else).

    A consumer that does not catch up within ``catch_up_limit_s`` (Kafka unreachable, a
    stream of events that never leaves it quiet) does not hold the round back for good: it
    runs on what is projected so far, with a warning, rather than skip a day's digests or a
    week's health digest.
    """

    async def loop() -> None:
        while True:
            await asyncio.sleep(poll_s)
            try:
                await asyncio.wait_for(caught_up(), catch_up_limit_s)
            except TimeoutError:
                logger.warning(
                    "the consumer has not caught up: occasions looked for anyway",
                    extra={"waited_s": catch_up_limit_s},
                )
            await scheduled.digests()
            await scheduled.survey_openings()
            await scheduled.health_digests()

    return loop


def closing(*clients: Any):  # type: ignore[no-untyped-def]
    """A loop that only waits, and closes the clients (SMTP, HTTP) when the service stops."""

    async def loop() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            for client in clients:
                await client.close()

    return loop


def gauges(dispatcher: Dispatcher):  # type: ignore[no-untyped-def]
    """The loop that refreshes the backlog gauges."""

    async def loop() -> None:
        while True:
            await dispatcher.refresh_gauges()
            await asyncio.sleep(GAUGE_INTERVAL_S)

    return loop
