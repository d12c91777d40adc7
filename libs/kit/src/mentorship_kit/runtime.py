"""A service process's moving parts besides its domain, started and stopped together.

`ServiceRuntime` owns the MongoDB client, the Kafka broker, the outbox and its relay, the
consumer group (when the service registered handlers) and any background loops the
service adds. The HTTP app (`mentorship_kit.http`) starts it in its lifespan.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from mentorship_kit.consumer import EventConsumer, EventHandlers, Idempotence
from mentorship_kit.deadletters import DeadLetters
from mentorship_kit.failpoints import Failpoints
from mentorship_kit.kafka import RecordPublisher, create_broker
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Indexes, create_client, ensure_indexes, ping
from mentorship_kit.outbox import Outbox, Transactor
from mentorship_kit.relay import OutboxRelay, PublishingLease
from mentorship_kit.settings import ServiceSettings

READINESS_TIMEOUT_S = 2.0
RESTART_DELAY_S = 1.0
STOP_LOOPS_TIMEOUT_S = 5.0
"""How long the loops (relay, consumer, the service's) get to finish once cancelled."""
STOP_CLIENT_TIMEOUT_S = 4.0
"""How long closing each client (lease release, Kafka, MongoDB) may take at shutdown."""

logger = logging.getLogger(__name__)

BackgroundLoop = Callable[[], Awaitable[None]]


class ServiceRuntime:
    """Clients, relay, consumers and background loops of one service process."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        version: str = "0.1.0",
        idempotence: Idempotence = Idempotence.EVENT_ID,
    ) -> None:
        """``idempotence``: how the consumer group makes redelivery change nothing."""
        self.settings = settings
        self._idempotence = idempotence
        self.metrics = Metrics(settings.service_name, version)
        self.failpoints = Failpoints(settings.failpoints)
        self.mongo = create_client(
            settings.mongodb_url,
            app_name=settings.service_name,
            timeout_ms=settings.mongodb_timeout_ms,
        )
        self.database = self.mongo[settings.mongodb_database]
        self.broker = create_broker(settings, logging.getLogger(f"{settings.service_name}.kafka"))
        self.outbox = Outbox(
            self.database, retention=timedelta(hours=settings.outbox_retention_hours)
        )
        self.transactor = Transactor(
            self.mongo, self.outbox, source=settings.service_name, metrics=self.metrics
        )
        self.handlers = EventHandlers()
        """Register event handlers here before the runtime starts."""
        self._lease = PublishingLease(self.database, timedelta(seconds=settings.outbox_lease_s))
        self._indexes: list[Indexes] = [self.outbox.indexes(), EventConsumer.indexes()]
        self._loops: dict[str, BackgroundLoop] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.dead_letters = DeadLetters(settings, self.metrics)
        self.consumer: EventConsumer | None = None
        """The consumer group member, once started (when handlers were registered)."""

    def add_indexes(self, *declarations: Indexes) -> None:
        """Indexes to create at start-up."""
        self._indexes.extend(declarations)

    def add_background_loop(self, name: str, loop: BackgroundLoop) -> None:
        """A coroutine to run for the life of the process; restarted if it crashes."""
        self._loops[name] = loop

    async def start(self) -> None:
        """Create indexes, connect to Kafka, start consuming, relaying and the loops."""
        await ensure_indexes(self.database, self._indexes)
        await self.broker.start()
        loops: dict[str, BackgroundLoop] = {}
        if self.handlers:
            await self.dead_letters.start()
            self.consumer = EventConsumer(
                handlers=self.handlers,
                transactor=self.transactor,
                database=self.database,
                dead_letters=self.dead_letters,
                metrics=self.metrics,
                settings=self.settings,
                failpoints=self.failpoints,
                idempotence=self._idempotence,
            )
            health = self.consumer.health
            self.metrics.consumer_ready.set_function(lambda: 1.0 if health.ready else 0.0)
            loops["event-consumer"] = self.consumer.run
            loops["marker-maintenance"] = self.consumer.markers.run
        relay = OutboxRelay(
            self.outbox,
            RecordPublisher(self.broker, self.settings),
            self._lease,
            metrics=self.metrics,
            batch_size=self.settings.outbox_batch_size,
            poll_interval_s=self.settings.outbox_poll_interval_s,
            failpoints=self.failpoints,
        )
        self._loops = {"outbox-relay": relay.run, **loops, **self._loops}
        self._tasks = [
            asyncio.create_task(self._supervise(name, loop), name=name)
            for name, loop in self._loops.items()
        ]
        logger.info("service started", extra={"consumer_topics": len(self.handlers.topics())})

    async def stop(self) -> None:
        """Stop the loops, hand the relay lease over, close Kafka and MongoDB: bounded in time.

        Each step has its own time limit, so a broker or database that is gone cannot hold
        the process: what is left unfinished (a batch, a relay round) was never committed
        and is resumed by the next process.
        """
        started = time.monotonic()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=STOP_LOOPS_TIMEOUT_S)
            for task in pending:
                logger.warning(
                    "loop did not stop in time; abandoned", extra={"loop": task.get_name()}
                )
        self._tasks = []
        await _bounded("release the publishing lease", self._lease.release())
        await _bounded("close the dead-letter producer", self.dead_letters.stop())
        await _bounded("close the Kafka broker", self.broker.stop())
        await _bounded("close MongoDB", self.mongo.close())
        logger.info("service stopped", extra={"seconds": round(time.monotonic() - started, 2)})

    async def readiness(self) -> dict[str, bool]:
        """Whether MongoDB and Kafka answer now, and the consumer (if any) is healthy."""
        checks = {
            "mongodb": await self._mongo_reachable(),
            "kafka": await self.broker.ping(timeout=READINESS_TIMEOUT_S),
        }
        if self.consumer is not None:
            checks["consumer"] = self.consumer.health.ready
        return checks

    async def consumer_caught_up(self) -> None:
        """Return the next time the consumer finds itself caught up (at once if none).

        For background loops that decide from what the events projected: each call waits
        for a finding made after it (`ConsumerHealth.wait_caught_up`), so after a start-up
        or an outage the backlog is applied first. Only this member's partitions count:
        another replica may still be applying its own.

        Raises:
            RuntimeError: called before `start` in a service that consumes events.
        """
        if self.consumer is None:
            if self.handlers:
                msg = "the consumer starts with the runtime: call this from a background loop"
                raise RuntimeError(msg)
            return
        await self.consumer.health.wait_caught_up()

    def consumer_state(self) -> dict[str, object] | None:
        """The consumer's health in detail (None when the service consumes nothing)."""
        return self.consumer.health.describe() if self.consumer is not None else None

    async def _mongo_reachable(self) -> bool:
        try:
            async with asyncio.timeout(READINESS_TIMEOUT_S):
                await ping(self.mongo)
        except Exception:  # noqa: BLE001 - any failure means not ready
            return False
        else:
            return True

    async def _supervise(self, name: str, loop: BackgroundLoop) -> None:
        while True:
            try:
                await loop()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("background loop crashed; restarting", extra={"loop": name})
                await asyncio.sleep(RESTART_DELAY_S)
            else:
                return


async def _bounded(what: str, step: Awaitable[object]) -> None:
    """Run one shutdown step; give up on it after `STOP_CLIENT_TIMEOUT_S`."""
    try:
        await asyncio.wait_for(step, STOP_CLIENT_TIMEOUT_S)
    except TimeoutError:
        logger.warning("shutdown step timed out; skipped", extra={"step": what})
    except Exception:
        logger.exception("shutdown step failed; skipped", extra={"step": what})
