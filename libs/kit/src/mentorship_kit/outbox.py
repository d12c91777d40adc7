"""The transactional outbox: events are written in the same transaction as the state.

A service never publishes to Kafka directly. `Transactor.run` commits the state change and
the events it emitted together; the `OutboxRelay` then publishes them and marks them
published. A crash between commit and publish loses nothing: the relay finds the events
on restart. A crash between publish and mark publishes again, which subscribers absorb by
deduplicating on the envelope's ``event_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bson import Binary
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession

from mentorship_contracts import Envelope, IntegrationEvent, encode, seal
from mentorship_contracts.types import utc_now
from mentorship_kit import context
from mentorship_kit.mongo import Collection, Database, Document, Indexes, MongoClient

OUTBOX_COLLECTION = "outbox"
PENDING, PUBLISHED, UNPUBLISHABLE = "pending", "published", "unpublishable"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An event waiting to be published, as stored in the outbox collection."""

    event_id: str
    topic: str
    key: str
    value: bytes
    headers: dict[str, str]
    event_type: str
    created_at: datetime

    @classmethod
    def from_envelope(cls, envelope: Envelope[Any]) -> OutboxRecord:
        """Serialise ``envelope`` once, at write time."""
        encoded = encode(envelope)
        return cls(
            event_id=encoded.event_id,
            topic=encoded.topic.name,
            key=encoded.key,
            value=encoded.value,
            headers=encoded.headers,
            event_type=encoded.event_type,
            created_at=envelope.occurred_at,
        )

    def to_document(self) -> Document:
        """The record as stored (unpublished)."""
        return {
            "_id": self.event_id,
            "topic": self.topic,
            "key": self.key,
            "value": Binary(self.value),
            "headers": self.headers,
            "event_type": self.event_type,
            "created_at": self.created_at,
            "status": PENDING,
            "published_at": None,
        }

    @classmethod
    def from_document(cls, document: Document) -> OutboxRecord:
        """Read a stored record back."""
        return cls(
            event_id=document["_id"],
            topic=document["topic"],
            key=document["key"],
            value=bytes(document["value"]),
            headers=dict(document["headers"]),
            event_type=document["event_type"],
            created_at=document["created_at"],
        )


class Outbox:
    """The outbox collection of one service's database."""

    def __init__(self, database: Database, *, retention: timedelta) -> None:
        self.collection: Collection = database[OUTBOX_COLLECTION]
        self._retention = retention
        self._wakeup = asyncio.Event()

    def indexes(self) -> Indexes:
        """Pending events in publishing order; published ones expire after the retention."""
        return Indexes(
            OUTBOX_COLLECTION,
            (
                IndexModel(
                    [("status", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                    name="status_in_order",
                ),
                IndexModel(
                    [("published_at", ASCENDING)],
                    name="published_expiry",
                    expireAfterSeconds=int(self._retention.total_seconds()),
                    partialFilterExpression={"published_at": {"$type": "date"}},
                ),
            ),
        )

    async def stage(self, envelopes: Sequence[Envelope[Any]], session: AsyncClientSession) -> None:
        """Write ``envelopes`` as part of the session's transaction."""
        if envelopes:
            documents = [OutboxRecord.from_envelope(item).to_document() for item in envelopes]
            await self.collection.insert_many(documents, session=session, ordered=True)

    async def pending(self, limit: int) -> list[OutboxRecord]:
        """The oldest unpublished records, in the order they were written."""
        cursor = (
            self.collection.find({"status": PENDING})
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [OutboxRecord.from_document(document) async for document in cursor]

    async def mark_published(self, event_ids: Sequence[str], at: datetime) -> None:
        """Record that ``event_ids`` reached Kafka."""
        await self.collection.update_many(
            {"_id": {"$in": list(event_ids)}},
            {"$set": {"status": PUBLISHED, "published_at": at}},
        )

    async def mark_unpublishable(self, event_id: str, error: str) -> None:
        """Set aside a record Kafka will never accept, so it does not block the rest."""
        await self.collection.update_one(
            {"_id": event_id}, {"$set": {"status": UNPUBLISHABLE, "error": error}}
        )

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many records wait, and when the oldest was written."""
        count = await self.collection.count_documents({"status": PENDING})
        oldest = await self.collection.find_one(
            {"status": PENDING}, sort=[("created_at", ASCENDING)], projection={"created_at": 1}
        )
        return count, (oldest["created_at"] if oldest else None)

    def notify(self) -> None:
        """Wake the relay: something was just committed."""
        self._wakeup.set()

    async def wait_for_work(self, seconds: float) -> None:
        """Return when notified or after ``seconds``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        self._wakeup.clear()


class Transaction:
    """One attempt of a MongoDB transaction and the events it emits.

    Pass ``session`` to every read and write that belongs to the transaction.
    """

    def __init__(self, session: AsyncClientSession, source: str) -> None:
        self.session = session
        self._source = source
        self._events: list[Envelope[IntegrationEvent]] = []
        self.now = utc_now()
        """One clock reading per attempt, for timestamps written in it."""

    def emit(self, event: IntegrationEvent) -> Envelope[IntegrationEvent]:
        """Publish ``event`` if, and only if, this transaction commits."""
        envelope = seal(
            event,
            source=self._source,
            correlation_id=context.correlation_id.get(),
            causation_id=context.causation_id.get(),
        )
        self._events.append(envelope)
        return envelope

    @property
    def events(self) -> tuple[Envelope[IntegrationEvent], ...]:
        """The events emitted so far."""
        return tuple(self._events)


class Transactor:
    """Runs units of work as MongoDB transactions that stage their events in the outbox."""

    def __init__(self, client: MongoClient, outbox: Outbox, *, source: str) -> None:
        self._client = client
        self._outbox = outbox
        self._source = source

    async def run(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in a transaction, retrying it on transient errors.

        ``work`` may run more than once: keep its side effects inside the transaction.
        """
        emitted = False

        async def attempt(session: AsyncClientSession) -> T:
            nonlocal emitted
            transaction = Transaction(session, self._source)
            result = await work(transaction)
            await self._outbox.stage(transaction.events, session)
            emitted = bool(transaction.events)
            return result

        async with self._client.start_session() as session:
            result = await session.with_transaction(attempt)
        if emitted:
            self._outbox.notify()
        return result
