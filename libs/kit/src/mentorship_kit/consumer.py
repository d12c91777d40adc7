"""At-least-once, idempotent event consumption with a dead-letter path.

A service declares handlers with `EventHandlers`; `EventConsumer` subscribes its consumer
group to the topics those events live on and, for every batch of records:

1. decodes each record; one that is not a valid event goes to the group's dead-letter
   topic with the error, and the batch goes on;
2. runs the handlers of the batch in one MongoDB transaction, together with a marker per
   ``event_id`` (an event already marked is skipped: redelivery changes nothing);
3. commits the Kafka offsets only after that transaction committed.

If the batch transaction fails, its events are retried one by one, so one bad event cannot
hold back the others: an event whose handler keeps failing (or raises `PermanentError`) is
dead-lettered after ``consumer_max_attempts``. When MongoDB or Kafka themselves are
unreachable nothing is dead-lettered: the batch is not committed and Kafka redelivers it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel
from pymongo.errors import ConnectionFailure, WaitQueueTimeoutError

from mentorship_contracts import CATALOG, Envelope, IntegrationEvent, InvalidEventError, decode
from mentorship_contracts.codec import peek_type
from mentorship_contracts.topics import Topic, dead_letter_topic
from mentorship_contracts.types import utc_now
from mentorship_kit import context
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.settings import ServiceSettings

PROCESSED_COLLECTION = "processed_events"
FETCH_MAX_WAIT_MS = 100
"""How long the broker may hold an empty fetch: bounds the idle-to-busy latency."""
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    WaitQueueTimeoutError,
    KafkaError,
)
"""Errors that mean MongoDB or Kafka is unreachable: redeliver, never dead-letter."""

_KNOWN_EVENT_TYPES = frozenset(route.event.event_type for route in CATALOG)
_KNOWN_TOPICS = frozenset(route.topic.name for route in CATALOG)

E = TypeVar("E", bound=IntegrationEvent)
Handler = Callable[[Envelope[E], Transaction], Awaitable[None]]

logger = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler for an event that can never be processed: dead-letter it now."""


class EventHandlers:
    """The handler of each event type a service consumes."""

    def __init__(self) -> None:
        self._handlers: dict[type[IntegrationEvent], Handler[Any]] = {}

    def on(self, event_type: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """Register the decorated coroutine as the handler of ``event_type``."""
        CATALOG.route(event_type)  # fails fast on an event that is never published

        def register(handler: Handler[E]) -> Handler[E]:
            if event_type in self._handlers:
                msg = f"{event_type.__name__} already has a handler"
                raise ValueError(msg)
            self._handlers[event_type] = handler
            return handler

        return register

    def handler_for(self, event_type: str, schema_version: int) -> Handler[Any] | None:
        """The handler of a wire name and version, if this service consumes it."""
        for registered, handler in self._handlers.items():
            if (registered.event_type, registered.schema_version) == (event_type, schema_version):
                return handler
        return None

    def topics(self) -> tuple[Topic, ...]:
        """The topics carrying the handled events, in catalog order."""
        wanted = {CATALOG.route(event_type).topic for event_type in self._handlers}
        return tuple(dict.fromkeys(route.topic for route in CATALOG if route.topic in wanted))

    def __bool__(self) -> bool:
        return bool(self._handlers)


@dataclass(frozen=True, slots=True)
class ConsumedRecord:
    """A Kafka record as the consumer sees it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()

    @classmethod
    def from_kafka(cls, record: Any) -> ConsumedRecord:
        """Adapt an aiokafka ``ConsumerRecord``."""
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
            headers=tuple(record.headers or ()),
        )

    def text_headers(self) -> dict[str, str]:
        """Headers decoded as UTF-8 (undecodable bytes replaced)."""
        return {name: value.decode(errors="replace") for name, value in self.headers}


class DeadLetterSink(Protocol):
    """Where records that can never be processed go."""

    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        """Park ``record`` with why it failed; raise if it could not be parked."""


class DeadLetters:
    """Publishes records a consumer group can never process to its dead-letter topic."""

    def __init__(self, broker: KafkaBroker, settings: ServiceSettings, metrics: Metrics) -> None:
        self._broker = broker
        self._settings = settings
        self._metrics = metrics
        self.topic = settings.topic_name(dead_letter_topic(settings.service_name).name)

    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        """Publish ``record`` unchanged, with why it failed in ``dlq_*`` headers."""
        headers = record.text_headers() | {
            "dlq_reason": reason,
            "dlq_error": error[:4000],
            "dlq_topic": record.topic,
            "dlq_partition": str(record.partition),
            "dlq_offset": str(record.offset),
            "dlq_consumer_group": self._settings.consumer_group,
            "dlq_failed_at": utc_now().isoformat(),
        }
        await self._broker.publish(record.value, self.topic, key=record.key, headers=headers)
        self._metrics.dead_letters.labels(base_topic, reason).inc()
        logger.error(
            "record dead-lettered",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "reason": reason,
                "error": error[:500],
            },
        )


class EventConsumer:
    """One service's consumer group: decode, deduplicate, handle, dead-letter, commit."""

    def __init__(
        self,
        *,
        handlers: EventHandlers,
        transactor: Transactor,
        database: Database,
        dead_letters: DeadLetterSink,
        metrics: Metrics,
        settings: ServiceSettings,
    ) -> None:
        self._handlers = handlers
        self._transactor = transactor
        self._processed: Collection = database[PROCESSED_COLLECTION]
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._settings = settings
        self._group = settings.consumer_group

    @staticmethod
    def indexes() -> Indexes:
        """The processed-event markers are looked up by ``_id`` only."""
        return Indexes(
            PROCESSED_COLLECTION, (IndexModel([("processed_at", ASCENDING)], name="by_time"),)
        )

    def subscribe(self, broker: KafkaBroker) -> None:
        """Attach the consumer group to ``broker`` (consuming starts with the broker)."""
        topics = [self._settings.topic_name(topic.name) for topic in self._handlers.topics()]
        subscriber = broker.subscriber(
            *topics,
            group_id=self._group,
            batch=True,
            max_records=self._settings.consumer_batch_size,
            batch_timeout_ms=self._settings.consumer_batch_wait_ms,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            session_timeout_ms=self._settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=self._settings.kafka_heartbeat_interval_ms,
            title=f"{self._group}:events",
            description=f"The {self._settings.service_name} service's consumer group.",
        )
        subscriber(self._on_message)

    async def _on_message(self, message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        await self.process([ConsumedRecord.from_kafka(record) for record in records])

    def _base_topic(self, topic: str) -> str:
        return topic.removeprefix(self._settings.kafka_topic_prefix)

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        """Process one batch; returns once every record is handled or dead-lettered.

        Raises:
            ConnectionFailure, KafkaError: MongoDB or Kafka is unreachable; nothing of the
                batch may be committed and it must be redelivered.
        """
        started = time.perf_counter()
        accepted: list[tuple[ConsumedRecord, Envelope[IntegrationEvent]]] = []
        for record in records:
            envelope = await self._accept(record)
            if envelope is not None:
                accepted.append((record, envelope))
        if accepted:
            try:
                outcomes = await self._transactor.run(
                    lambda tx: self._apply(tx, [envelope for _, envelope in accepted])
                )
            except INFRASTRUCTURE_ERRORS:
                await self._pause_before_redelivery()
                raise
            except Exception as error:
                logger.warning("batch failed; retrying its events one by one", exc_info=error)
                outcomes = await self._apply_one_by_one(accepted)
            self._record_outcomes(accepted, outcomes)
        self._metrics.consumer_batch_duration.observe(time.perf_counter() - started)
        self._metrics.consumer_last_processed.set(time.time())

    async def _accept(self, record: ConsumedRecord) -> Envelope[IntegrationEvent] | None:
        """Decode a record this consumer handles; dead-letter it if it is malformed."""
        base_topic = self._base_topic(record.topic)
        kind = peek_type(record.value, record.text_headers())
        if kind is not None and self._handlers.handler_for(*kind) is None:
            self._count(base_topic, kind[0], "ignored")
            return None
        try:
            return decode(record.value)
        except InvalidEventError as error:
            reason, message = "invalid", str(error)
        except LookupError as error:  # an unknown type we claim to handle: impossible
            reason, message = "unknown_type", str(error)
        await self._dead_letters.send(record, base_topic, reason, message)
        self._count(base_topic, kind[0] if kind else "unknown", "dead_lettered")
        return None

    async def _apply(
        self, transaction: Transaction, envelopes: Sequence[Envelope[IntegrationEvent]]
    ) -> dict[str, str]:
        """Handle the events not yet processed and mark them; returns outcome by event id."""
        by_marker = {f"{self._group}:{item.event_id}": item for item in envelopes}
        cursor = self._processed.find(
            {"_id": {"$in": list(by_marker)}}, projection={"_id": 1}, session=transaction.session
        )
        seen = {document["_id"] async for document in cursor}
        outcomes = {str(item.event_id): "duplicate" for item in envelopes}
        fresh = [(marker, item) for marker, item in by_marker.items() if marker not in seen]
        for _, envelope in fresh:
            handler = self._handlers.handler_for(envelope.event_type, envelope.schema_version)
            if handler is None:  # pragma: no cover - filtered in _accept
                continue
            with context.handling(envelope.correlation_id, envelope.event_id):
                await handler(envelope, transaction)
            outcomes[str(envelope.event_id)] = "processed"
        if fresh:
            await self._processed.insert_many(
                [
                    {"_id": marker, "event_type": item.event_type, "processed_at": transaction.now}
                    for marker, item in fresh
                ],
                session=transaction.session,
            )
        return outcomes

    async def _apply_one_by_one(
        self, accepted: Sequence[tuple[ConsumedRecord, Envelope[IntegrationEvent]]]
    ) -> dict[str, str]:
        outcomes: dict[str, str] = {}
        for record, envelope in accepted:
            outcomes |= await self._apply_with_retries(record, envelope)
        return outcomes

    async def _apply_with_retries(
        self, record: ConsumedRecord, envelope: Envelope[IntegrationEvent]
    ) -> dict[str, str]:
        attempts = self._settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return await self._transactor.run(lambda tx: self._apply(tx, [envelope]))
            except INFRASTRUCTURE_ERRORS:
                await self._pause_before_redelivery()
                raise
            except (PermanentError, ValidationError) as error:
                self._metrics.consumer_errors.labels("rejected").inc()
                reason, message = "rejected", f"{type(error).__name__}: {error}"
                break
            except Exception as error:
                self._metrics.consumer_errors.labels("handler").inc()
                logger.warning(
                    "handler failed",
                    exc_info=error,
                    extra={"event_id": str(envelope.event_id), "attempt": attempt},
                )
                reason, message = "handler_error", f"{type(error).__name__}: {error}"
                if attempt < attempts:
                    await asyncio.sleep(
                        self._settings.consumer_retry_backoff_s * 2 ** (attempt - 1)
                    )
        await self._dead_letters.send(record, self._base_topic(record.topic), reason, message)
        return {str(envelope.event_id): "dead_lettered"}

    async def _pause_before_redelivery(self) -> None:
        logger.warning("infrastructure unavailable; the batch will be redelivered")
        await asyncio.sleep(max(self._settings.consumer_retry_backoff_s, 1.0))

    def _record_outcomes(
        self,
        accepted: Sequence[tuple[ConsumedRecord, Envelope[IntegrationEvent]]],
        outcomes: dict[str, str],
    ) -> None:
        now = utc_now()
        newest: dict[str, float] = {}
        counted: set[str] = set()
        for record, envelope in accepted:
            base_topic = self._base_topic(record.topic)
            event_id = str(envelope.event_id)
            outcome = "duplicate" if event_id in counted else outcomes.get(event_id, "processed")
            counted.add(event_id)
            self._count(base_topic, envelope.event_type, outcome)
            age = (now - envelope.occurred_at).total_seconds()
            newest[base_topic] = min(newest.get(base_topic, age), age)
        for base_topic, age in newest.items():
            self._metrics.consumer_lag.labels(base_topic).set(max(age, 0.0))

    def _count(self, base_topic: str, event_type: str, outcome: str) -> None:
        known_type = event_type if event_type in _KNOWN_EVENT_TYPES else "unknown"
        known_topic = base_topic if base_topic in _KNOWN_TOPICS else "unknown"
        self._metrics.messages_consumed.labels(known_topic, known_type, outcome).inc()
