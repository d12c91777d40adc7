"""The transactional outbox: events are written in the same transaction as the state.

A service never publishes to Kafka directly. `Transactor.run` commits the state change and
the events it emitted together; the `OutboxRelay` then publishes them and marks them
published. A crash between commit and publish loses nothing: the relay finds the events
on restart. A crash between publish and mark publishes again, which subscribers absorb by
deduplicating on the envelope's ``event_id``.

The events of one transaction are stored as one outbox document (split only past
`MAX_EVENTS_PER_DOCUMENT`), in the order they were emitted. Publishing then costs one
write per transaction rather than one per event: an import of thousands of registrations
is marked published with a handful of updates.

A document keeps its events packed in one binary field, ``records`` (each event's entry as a
BSON document, one after the other), not as an array of subdocuments: SecantusDB copies,
re-encodes and compares every subdocument of a document it updates, so marking a thousand
events published cost it as much as storing them, while a binary field is copied whole.
Documents written before, with an ``events`` array, are read and published alike. A relay
of that earlier code cannot read a packed document and stops at it (nothing is lost or
reordered) until a replica running this code takes the lease over.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import bson
from bson import Binary
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from mentorship_contracts import Envelope, IntegrationEvent, encode, seal
from mentorship_contracts.types import utc_now
from mentorship_kit import context
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database, Document, Indexes, MongoClient

OUTBOX_COLLECTION = "outbox"
PENDING, PUBLISHED = "pending", "published"
MAX_EVENTS_PER_DOCUMENT = 1000
"""Keeps an outbox document far below MongoDB's 16 MiB limit."""
MAX_DOCUMENTS_PER_FETCH = 100
DUPLICATE_KEY_ATTEMPTS = 3
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One event waiting to be published, serialised once at write time."""

    event_id: str
    topic: str
    key: str
    value: bytes
    headers: dict[str, str]
    event_type: str

    @classmethod
    def from_envelope(cls, envelope: Envelope[Any]) -> OutboxRecord:
        """Serialise ``envelope`` for its topic."""
        encoded = encode(envelope)
        return cls(
            event_id=encoded.event_id,
            topic=encoded.topic.name,
            key=encoded.key,
            value=encoded.value,
            headers=encoded.headers,
            event_type=encoded.event_type,
        )

    def to_entry(self) -> Document:
        """The record as an entry of an outbox document."""
        return {
            "event_id": self.event_id,
            "topic": self.topic,
            "key": self.key,
            "value": Binary(self.value),
            "headers": self.headers,
            "event_type": self.event_type,
        }

    @staticmethod
    def pack(records: Sequence[OutboxRecord]) -> Binary:
        """``records``' entries as one binary value (see the module's docstring)."""
        return Binary(b"".join(bson.encode(record.to_entry()) for record in records))

    @classmethod
    def unpack(cls, document: Document) -> tuple[OutboxRecord, ...]:
        """The records of an outbox document, packed or (as written before) an array."""
        packed = document.get("records")
        entries = bson.decode_all(bytes(packed)) if packed is not None else document["events"]
        return tuple(cls.from_entry(entry) for entry in entries)

    @classmethod
    def from_entry(cls, entry: Document) -> OutboxRecord:
        """Read a stored entry back."""
        return cls(
            event_id=entry["event_id"],
            topic=entry["topic"],
            key=entry["key"],
            value=bytes(entry["value"]),
            headers=dict(entry["headers"]),
            event_type=entry["event_type"],
        )


@dataclass(frozen=True, slots=True)
class OutboxBatch:
    """The events one transaction emitted, in order, and whether they were published."""

    batch_id: str
    created_at: datetime
    records: tuple[OutboxRecord, ...]
    status: str
    failures: tuple[dict[str, str], ...] = ()


class Outbox:
    """The outbox collection of one service's database."""

    def __init__(self, database: Database, *, retention: timedelta) -> None:
        self.collection: Collection = database[OUTBOX_COLLECTION]
        self._retention = retention
        self._wakeup = asyncio.Event()

    def indexes(self) -> Indexes:
        """Pending batches in write order; published ones expire after the retention."""
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

    async def stage(
        self,
        envelopes: Sequence[Envelope[Any]],
        session: AsyncClientSession,
        *,
        records: Sequence[OutboxRecord] = (),
    ) -> None:
        """Write ``envelopes`` as part of the session's transaction, in order.

        ``records``: the first envelopes serialised already (`Transaction.encode_emitted`).
        """
        if not envelopes:
            return
        created_at = envelopes[0].occurred_at
        encoded = [
            *records,
            *(OutboxRecord.from_envelope(item) for item in envelopes[len(records) :]),
        ]
        documents = [
            {
                "_id": _batch_ids.next(),
                "created_at": created_at,
                "status": PENDING,
                "published_at": None,
                "count": len(part),
                "records": OutboxRecord.pack(part),
            }
            for part in _parts(encoded, MAX_EVENTS_PER_DOCUMENT)
        ]
        await self.collection.insert_many(documents, session=session, ordered=True)

    async def pending(self, max_events: int) -> list[OutboxBatch]:
        """The oldest unpublished batches, in write order, up to about ``max_events``.

        Always at least one batch when any is pending, however large. Two reads: how many
        events each of the oldest holds, then the events of those taken (a backlog of large
        documents is not read whole to take one of them).
        """
        cursor = (
            self.collection.find({"status": PENDING}, {"count": 1})
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(MAX_DOCUMENTS_PER_FETCH)
        )
        taken: list[str] = []
        events = 0
        async for head in cursor:
            if taken and events + head["count"] > max_events:
                break
            taken.append(head["_id"])
            events += head["count"]
        if not taken:
            return []
        found = {
            document["_id"]: _batch(document)
            async for document in self.collection.find({"_id": {"$in": taken}})
        }
        return [found[batch_id] for batch_id in taken if batch_id in found]

    async def mark_published(
        self, batch_ids: Sequence[str], at: datetime, failures: Sequence[dict[str, str]] = ()
    ) -> None:
        """Record that the batches reached Kafka (``failures``: events Kafka refused)."""
        await self.collection.update_many(
            {"_id": {"$in": list(batch_ids)}},
            {"$set": {"status": PUBLISHED, "published_at": at}},
        )
        for failure in failures:
            await self.collection.update_one(
                {"_id": failure["batch_id"]},
                {
                    "$push": {
                        "failures": {"event_id": failure["event_id"], "error": failure["error"]}
                    }
                },
            )

    async def batches(self, status: str | None = None) -> list[OutboxBatch]:
        """Every batch (of ``status``), in write order: for inspection and tests."""
        query = {"status": status} if status else {}
        cursor = self.collection.find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [_batch(document) async for document in cursor]

    async def backlog(self) -> tuple[int, datetime | None]:
        """How many events wait, and when the oldest was written."""
        pipeline: list[Document] = [
            {"$match": {"status": PENDING}},
            {
                "$group": {
                    "_id": None,
                    "events": {"$sum": "$count"},
                    "oldest": {"$min": "$created_at"},
                }
            },
        ]
        async for summary in await self.collection.aggregate(pipeline):
            return int(summary["events"]), summary["oldest"]
        return 0, None

    def notify(self) -> None:
        """Wake the relay: something was just committed."""
        self._wakeup.set()

    async def wait_for_work(self, seconds: float) -> None:
        """Return when notified or after ``seconds``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()
        self._wakeup.clear()


def _parts[I](items: Sequence[I], size: int) -> list[Sequence[I]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _batch(document: Document) -> OutboxBatch:
    return OutboxBatch(
        batch_id=document["_id"],
        created_at=document["created_at"],
        records=OutboxRecord.unpack(document),
        status=document["status"],
        failures=tuple(document.get("failures", ())),
    )


class _BatchIds:
    """Batch ids that sort in the order this process staged them.

    Batches are published in (``created_at``, ``_id``) order; ``created_at`` has only
    millisecond precision in MongoDB, so the id breaks ties: nanoseconds since the epoch
    (never repeating or going back within the process) and a random suffix across replicas.
    """

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        self._last = max(self._last + 1, time.time_ns())
        return f"{self._last:020d}-{uuid4().hex[:12]}"


_batch_ids = _BatchIds()


class Transaction:
    """One attempt of a MongoDB transaction and the events it emits.

    Pass ``session`` to every read and write that belongs to the transaction.
    """

    def __init__(self, session: AsyncClientSession, source: str) -> None:
        self.session = session
        self._source = source
        self._events: list[Envelope[IntegrationEvent]] = []
        self._records: list[OutboxRecord] = []
        """The first events serialised for the outbox already (`encode_emitted`)."""
        self._before_commit: list[Callable[[], Awaitable[None]]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.scratch: dict[str, Any] = {}
        """Per-attempt state handlers share (e.g. writes buffered until `before_commit`)."""
        self.now = utc_now()
        """One clock reading per attempt, for timestamps written in it."""
        self.applied_before: set[str] = set()
        """Event ids a handler found already applied (see `already_applied`)."""

    def before_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` inside the transaction once the work is done, before it commits.

        Handlers of a batch of events use it to flush one bulk write instead of one write
        per event.
        """
        self._before_commit.append(callback)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this attempt has committed (never if it aborts).

        For effects outside the database that must not run ahead of it, such as counting
        what the transaction stored.
        """
        self._after_commit.append(callback)

    def already_applied(self, event_id: object) -> None:
        """Tell the consumer that the event ``event_id`` had been applied before this attempt.

        For handlers that are idempotent themselves (`Idempotence.OFFSETS`), whose state
        shows an event published twice (the same id at two offsets): the consumer counts it
        as a duplicate, as a marker would have. May be called from a ``before_commit`` flush.
        """
        self.applied_before.add(str(event_id))

    async def finish(self) -> None:
        """Run the ``before_commit`` callbacks, in registration order."""
        for callback in self._before_commit:
            await callback()

    def committed(self) -> None:
        """Run the ``after_commit`` callbacks, in registration order."""
        for callback in self._after_commit:
            callback()

    def emit(
        self, event: IntegrationEvent, *, event_id: UUID | None = None
    ) -> Envelope[IntegrationEvent]:
        """Publish ``event`` if, and only if, this transaction commits.

        ``event_id`` makes the event's id deterministic (see `mentorship_contracts.wrap`).
        """
        envelope = seal(
            event,
            source=self._source,
            correlation_id=context.correlation_id.get(),
            causation_id=context.causation_id.get(),
            event_id=event_id,
        )
        self._events.append(envelope)
        return envelope

    def encode_emitted(self) -> None:
        """Serialise the events emitted so far for the outbox now, not when it commits.

        For work that has the CPU to spare while a write of its own is in flight: the
        serialisation of large events then overlaps the database's work. Staging the
        events reuses what was serialised here (an emitted event is immutable).
        """
        self._records.extend(
            OutboxRecord.from_envelope(envelope) for envelope in self._events[len(self._records) :]
        )

    @property
    def records(self) -> tuple[OutboxRecord, ...]:
        """The events serialised so far by `encode_emitted`, in emission order."""
        return tuple(self._records)

    @property
    def events(self) -> tuple[Envelope[IntegrationEvent], ...]:
        """The events emitted so far."""
        return tuple(self._events)


class Transactor:
    """Runs units of work as MongoDB transactions that stage their events in the outbox."""

    def __init__(
        self, client: MongoClient, outbox: Outbox, *, source: str, metrics: Metrics
    ) -> None:
        self._client = client
        self._outbox = outbox
        self._source = source
        self._metrics = metrics

    async def run(
        self, work: Callable[[Transaction], Awaitable[T]], *, retry_on_duplicate_key: bool = False
    ) -> T:
        """Run ``work`` in a transaction, retrying it on transient errors.

        ``work`` may run more than once: keep its side effects inside the transaction. With
        ``retry_on_duplicate_key``, a unique-key clash (a concurrent writer inserted the same
        key first) re-runs ``work`` too, which then finds what the other writer stored.
        """
        for attempt in range(1, DUPLICATE_KEY_ATTEMPTS + 1):
            try:
                return await self._run_once(work)
            except DuplicateKeyError:
                if not retry_on_duplicate_key or attempt == DUPLICATE_KEY_ATTEMPTS:
                    raise
                self._metrics.transaction_retries.inc()
        raise AssertionError  # pragma: no cover - the loop returns or raises

    async def _run_once(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        last: Transaction | None = None

        async def attempt(session: AsyncClientSession) -> T:
            nonlocal last
            if last is not None:
                self._metrics.transaction_retries.inc()
            transaction = last = Transaction(session, self._source)
            result = await work(transaction)
            await transaction.finish()
            await self._outbox.stage(transaction.events, session, records=transaction.records)
            return result

        async with self._client.start_session() as session:
            result = await session.with_transaction(attempt)
        assert last is not None, "a committed transaction ran its work"
        if last.events:
            self._outbox.notify()
        last.committed()
        return result
