"""The outbox relay: publishes committed events, in order, and marks them published.

Among a service's replicas only the holder of a lease publishes, so records leave in the
order they were written; if the holder dies, another replica takes over when the lease
expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Protocol
from uuid import uuid4

from pymongo.errors import DuplicateKeyError

from mentorship_contracts.types import utc_now
from mentorship_kit.failpoints import Failpoints
from mentorship_kit.kafka import OutgoingRecord, UnpublishableRecordError
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database
from mentorship_kit.outbox import Outbox, OutboxRecord

LEASE_COLLECTION = "outbox_lease"
BACKLOG_REFRESH_S = 5.0

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    """Sends records to Kafka, raising unless all were acknowledged."""

    async def publish(self, records: list[OutgoingRecord]) -> None: ...  # noqa: D102


class PublishingLease:
    """A lease document that lets one relay at a time publish."""

    def __init__(self, database: Database, duration: timedelta) -> None:
        self._collection: Collection = database[LEASE_COLLECTION]
        self._duration = duration
        self.owner = uuid4().hex

    async def acquire(self) -> bool:
        """Take or renew the lease; False while another live relay holds it."""
        now = utc_now()
        try:
            await self._collection.update_one(
                {"_id": "relay", "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + self._duration}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    async def release(self) -> None:
        """Give the lease up so another replica need not wait for it to expire."""
        await self._collection.delete_one({"_id": "relay", "owner": self.owner})


class OutboxRelay:
    """Moves events from the outbox to Kafka."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: Publisher,
        lease: PublishingLease,
        *,
        metrics: Metrics,
        batch_size: int,
        poll_interval_s: float,
        failpoints: Failpoints,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._lease = lease
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._failpoints = failpoints
        self._backlog_checked_at = 0.0

    async def publish_pending(self) -> int:
        """Publish one round of pending batches; returns how many events went out."""
        batches = await self._outbox.pending(self._batch_size)
        if not batches:
            return 0
        records = [(batch.batch_id, record) for batch in batches for record in batch.records]
        self._failpoints.hit("outbox.before_publish")
        failures = await self._publish_all(records)
        self._failpoints.hit("outbox.after_publish")
        await self._outbox.mark_published(
            [batch.batch_id for batch in batches], utc_now(), failures
        )
        failed = {failure["event_id"] for failure in failures}
        published = [record for _, record in records if record.event_id not in failed]
        for record in published:
            self._metrics.messages_published.labels(record.topic, record.event_type).inc()
        return len(published)

    async def _publish_all(self, records: list[tuple[str, OutboxRecord]]) -> list[dict[str, str]]:
        """Publish in order, setting aside records Kafka will never accept."""
        failures: list[dict[str, str]] = []
        remaining = records
        while remaining:
            try:
                await self._publisher.publish(
                    [OutgoingRecord(r.topic, r.key, r.value, r.headers) for _, r in remaining]
                )
                break
            except UnpublishableRecordError as error:
                batch_id, bad = remaining[error.index]
                logger.exception(
                    "outbox record can never be published; set aside",
                    extra={"event_id": bad.event_id, "event_type": bad.event_type},
                )
                self._metrics.publish_errors.inc()
                failures.append(
                    {"batch_id": batch_id, "event_id": bad.event_id, "error": error.reason}
                )
                remaining = remaining[error.index + 1 :]
        return failures

    async def run(self) -> None:
        """Publish until cancelled; errors are logged and retried with backoff."""
        backoff = self._poll_interval_s
        try:
            while True:
                try:
                    leader = await self._lease.acquire()
                    self._metrics.outbox_relay_leader.set(1 if leader else 0)
                    published = await self.publish_pending() if leader else 0
                    await self._refresh_backlog()
                    backoff = self._poll_interval_s
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    self._metrics.publish_errors.inc()
                    logger.warning("outbox relay failed, retrying", exc_info=error)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 30.0)
                    continue
                if published < self._batch_size:
                    await self._outbox.wait_for_work(self._poll_interval_s)
        finally:
            self._metrics.outbox_relay_leader.set(0)

    async def _refresh_backlog(self) -> None:
        if time.monotonic() - self._backlog_checked_at < BACKLOG_REFRESH_S:
            return
        self._backlog_checked_at = time.monotonic()
        count, oldest = await self._outbox.backlog()
        self._metrics.outbox_pending.set(count)
        age = (utc_now() - oldest).total_seconds() if oldest else 0.0
        self._metrics.outbox_oldest_pending_age.set(max(age, 0.0))
