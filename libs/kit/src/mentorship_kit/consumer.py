"""At-least-once, idempotent event consumption with a dead-letter path.

A service declares handlers with `EventHandlers`; `EventConsumer` runs its consumer group
on the topics those events live on (its own aiokafka consumer loop) and, for every batch:

1. reads each record as bytes and decodes it itself: one that cannot be read at any layer
   (headers that are not UTF-8, a value that is not JSON or not a valid event) goes alone
   to the group's dead-letter topic, with its raw headers kept as bytes, and the batch goes
   on (a record aiokafka itself cannot decode, such as one with a header *name* that is not
   UTF-8, is stepped over by reading record by record, and parked as a placeholder naming
   its position);
2. runs the handlers of the batch in one MongoDB transaction, together with a marker per
   ``event_id`` (an event already marked is skipped: redelivery changes nothing);
3. commits, per partition, the offset after the last record of the batch, only once every
   record of it was processed or dead-lettered. Otherwise nothing is committed and the
   partitions are rewound to the batch's first records, so it is delivered again.

If the batch transaction fails, its events are retried one by one, so one bad event cannot
hold back the others: an event whose handler keeps failing (or raises `PermanentError`) is
dead-lettered after ``consumer_max_attempts``. A record is dead-lettered once: a marker
remembers it, so a redelivered batch does not park its bad records again. When MongoDB or
Kafka themselves are unreachable nothing is dead-lettered: the batch is redelivered.

FastStream's batch subscriber is not used for consuming: it decodes every header as UTF-8
before any of this code runs (one bad header made it skip the whole fetched batch) and
acknowledges by committing the consumer's position, not the records actually handled.

`ConsumerHealth` tells readiness whether the group is joined and making progress (or idle
and caught up); a consumer that makes no progress for ``CONSUMER_STALL_TIMEOUT_S`` closes
its Kafka client and starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel
from pymongo.errors import ConnectionFailure, WaitQueueTimeoutError

from mentorship_contracts import CATALOG, Envelope, IntegrationEvent, InvalidEventError, decode
from mentorship_contracts.codec import peek_type
from mentorship_contracts.topics import Topic
from mentorship_contracts.types import utc_now
from mentorship_kit import context
from mentorship_kit.deadletters import (
    ConsumedRecord,
    DeadLetters,
    DeadLetterSink,
    UnreadableHeaderError,
)
from mentorship_kit.failpoints import Failpoints
from mentorship_kit.kafka import client_options
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.settings import ServiceSettings

__all__ = [
    "ConsumedRecord",
    "ConsumerHealth",
    "DeadLetterSink",
    "DeadLetters",
    "EventConsumer",
    "EventHandlers",
    "PermanentError",
]

PROCESSED_COLLECTION = "processed_events"
FETCH_MAX_WAIT_MS = 100
"""How long the broker may hold an empty fetch: bounds the idle-to-busy latency."""
ERROR_PAUSE_S = 1.0
"""Pause after a failed round, before trying again."""
UNREADABLE_READ_WAIT_MS = 500
"""How long to wait for a partition's next record while stepping over an unreadable one."""
IDLE_FETCH_AGE_S = 5.0
"""An idle member counts as caught up only if each of its partitions answered a fetch this
recently (an answered fetch of an idle partition comes every ``FETCH_MAX_WAIT_MS``)."""
RESTART_DELAY_S = 1.0
CLOSE_TIMEOUT_S = 5.0
"""Longest wait for the Kafka client to leave the group when it closes."""
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


class ConsumerHealth:
    """Whether a consumer group member is joined and making progress.

    Progress is a fetched batch processed and committed, or, while the member holds its
    assignment, a fetch that found nothing new with nothing left to commit and every
    partition answering its fetches (idle and caught up). Lag is never computed from the
    broker's end offsets (tansu answers them wrongly).

    Ready means: the member has joined its group since its Kafka client started, and has made
    progress within the stall timeout. A rebalance (a replica coming or going) does not make
    it unready by itself, so replicas are not all taken out of service at once during a
    deployment; a rebalance that does not finish within the stall timeout does.
    """

    def __init__(self, stall_timeout_s: float, clock: Callable[[], float] = time.monotonic):
        self._stall_timeout_s = stall_timeout_s
        self._clock = clock
        self.running = False
        self.joined = False
        """The member holds an assignment now (False during a rebalance)."""
        self.has_joined = False
        """The member joined its group at least once since its Kafka client started."""
        self._last_progress = clock()
        self.problem = ""
        """What went wrong last (empty while everything works)."""

    def started(self) -> None:
        """A new Kafka client starts: it has a stall timeout's time to join and progress."""
        self.running = True
        self.joined = self.has_joined = False
        self._last_progress = self._clock()

    def stopped(self) -> None:
        """The consumer is not running."""
        self.running = False
        self.joined = self.has_joined = False

    def assigned(self) -> None:
        """The group gave this member its partitions (possibly none)."""
        self.joined = self.has_joined = True
        self._last_progress = self._clock()

    def revoked(self) -> None:
        """A rebalance started: partitions are being handed over."""
        self.joined = False

    def progressed(self) -> None:
        """A batch was committed, or the member is idle and caught up."""
        self._last_progress = self._clock()
        self.problem = ""

    def failed(self, problem: str) -> None:
        """Something kept this round from progressing."""
        self.problem = problem

    def stalled_for(self) -> float:
        """Seconds since the last progress."""
        return self._clock() - self._last_progress

    @property
    def stalled(self) -> bool:
        """No progress for longer than the stall timeout."""
        return self.stalled_for() > self._stall_timeout_s

    @property
    def ready(self) -> bool:
        """Running, joined since it started, and not stalled."""
        return self.running and self.has_joined and not self.stalled

    def describe(self) -> dict[str, object]:
        """The state, for logs and the readiness answer."""
        return {
            "running": self.running,
            "joined": self.joined,
            "seconds_since_progress": round(self.stalled_for(), 1),
            "problem": self.problem,
        }


class _Rebalances(ConsumerRebalanceListener):  # type: ignore[misc]
    """Tells the health when partitions come and go."""

    def __init__(self, health: ConsumerHealth) -> None:
        self._health = health

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        logger.info("consumer partitions revoked", extra={"partitions": len(list(revoked))})
        self._health.revoked()

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        logger.info("consumer partitions assigned", extra={"partitions": len(list(assigned))})
        self._health.assigned()


class _RestartConsumerError(Exception):
    """The consumer made no progress for too long: close its Kafka client, start a new one."""


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
        failpoints: Failpoints | None = None,
    ) -> None:
        self._handlers = handlers
        self._transactor = transactor
        self._processed: Collection = database[PROCESSED_COLLECTION]
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._settings = settings
        self._group = settings.consumer_group
        self.health = ConsumerHealth(settings.consumer_stall_timeout_s)
        self._failpoints = failpoints or Failpoints()

    @staticmethod
    def indexes() -> Indexes:
        """The processed-event markers are looked up by ``_id`` only."""
        return Indexes(
            PROCESSED_COLLECTION, (IndexModel([("processed_at", ASCENDING)], name="by_time"),)
        )

    def topics(self) -> list[str]:
        """The (prefixed) topics the group consumes."""
        return [self._settings.topic_name(topic.name) for topic in self._handlers.topics()]

    def _new_kafka_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            group_id=self._group,
            client_id=f"{self._settings.service_name}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._settings.consumer_batch_size,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            session_timeout_ms=self._settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=self._settings.kafka_heartbeat_interval_ms,
            **client_options(self._settings),
        )

    async def run(self) -> None:
        """Consume until cancelled; a consumer that stops progressing is started anew.

        Cancelling it mid-batch leaves the batch uncommitted (its transaction is aborted):
        it is delivered again, to this process after a restart or to another member.
        """
        while True:
            kafka = self._new_kafka_consumer()
            kafka.subscribe(self.topics(), listener=_Rebalances(self.health))
            self.health.started()
            try:
                await kafka.start()
                await self._consume(kafka)
            except _RestartConsumerError:
                self._metrics.consumer_restarts.inc()
                logger.error(  # noqa: TRY400 - the stall is the news, not a traceback
                    "consumer made no progress; starting a new Kafka client",
                    extra={"consumer": self.health.describe()},
                )
            finally:
                self.health.stopped()
                await _close(kafka)
            await asyncio.sleep(RESTART_DELAY_S)

    async def _consume(self, kafka: AIOKafkaConsumer) -> None:
        uncommitted: dict[TopicPartition, int] = {}
        while True:
            if self.health.stalled:
                raise _RestartConsumerError
            try:
                records = await self._fetch(kafka, uncommitted)
            except KafkaError as error:
                self._round_failed(f"fetch failed: {error!r}")
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            if records:
                try:
                    await self.process(records)
                except INFRASTRUCTURE_ERRORS as error:
                    self._rewind(kafka, records)
                    self._round_failed(f"batch not processed: {error!r}")
                    continue
                except Exception as error:
                    self._rewind(kafka, records)
                    logger.exception("batch failed; it will be delivered again")
                    self._round_failed(f"batch failed: {error!r}")
                    await asyncio.sleep(ERROR_PAUSE_S)
                    continue
                for record in records:
                    position = TopicPartition(record.topic, record.partition)
                    uncommitted[position] = max(uncommitted.get(position, 0), record.offset + 1)
            if uncommitted:
                owned = kafka.assignment()
                uncommitted = {tp: offset for tp, offset in uncommitted.items() if tp in owned}
            if uncommitted:
                try:
                    self._failpoints.hit("consumer.before_commit")
                    await kafka.commit(uncommitted)
                except Exception as error:  # noqa: BLE001 - any failure to commit is retried
                    # Processed, not yet committed: redelivery would be deduplicated. The
                    # offsets are committed with the next round's, or by the next owner.
                    self._round_failed(f"commit failed: {error!r}")
                    await asyncio.sleep(ERROR_PAUSE_S)
                    continue
                uncommitted.clear()
                self._metrics.consumer_last_processed.set(time.time())
                self.health.progressed()
            elif self.health.joined and _fetches_answered(kafka):
                self.health.progressed()  # idle and caught up: not between owners, not cut off

    async def _fetch(
        self, kafka: AIOKafkaConsumer, uncommitted: dict[TopicPartition, int]
    ) -> list[ConsumedRecord]:
        """The next batch of records (none when there is nothing new).

        Raises:
            KafkaError: the fetch failed.
        """
        try:
            batches = await kafka.getmany(
                timeout_ms=max(self._settings.consumer_batch_wait_ms, 10),
                max_records=self._settings.consumer_batch_size,
            )
        except KafkaError:
            raise
        except Exception as error:  # noqa: BLE001 - aiokafka could not read a record
            return await self._read_around_unreadable(kafka, uncommitted, error)
        return [ConsumedRecord.from_kafka(item) for batch in batches.values() for item in batch]

    async def _read_around_unreadable(
        self,
        kafka: AIOKafkaConsumer,
        uncommitted: dict[TopicPartition, int],
        error: Exception,
    ) -> list[ConsumedRecord]:
        """The next records, read one at a time, with a placeholder for one aiokafka cannot read.

        aiokafka raises while it decodes a fetched record it cannot read (a header name that
        is not UTF-8, say), and raises again at every fetch: the record must be stepped over.
        The failed call may also have moved other partitions past records it never returned,
        so every partition first goes back to where processing stopped. Then each is read
        one record at a time up to the unreadable one, which becomes a placeholder (its
        position, and why) to dead-letter; the partition resumes after it.
        """
        logger.warning(
            "a fetched record cannot be read; reading record by record to step over it",
            extra={"error": f"{type(error).__name__}: {error}"},
        )
        owned = sorted(kafka.assignment())
        for position in owned:
            resume = uncommitted.get(position)
            if resume is None:
                resume = await kafka.committed(position)
            if resume is None:
                await kafka.seek_to_beginning(position)
            else:
                kafka.seek(position, resume)
        records: list[ConsumedRecord] = []
        for position in owned:
            while len(records) < self._settings.consumer_batch_size:
                try:
                    found = await kafka.getmany(
                        position, timeout_ms=UNREADABLE_READ_WAIT_MS, max_records=1
                    )
                except KafkaError:
                    raise
                except Exception as failure:  # noqa: BLE001 - the record aiokafka cannot read
                    offset = await kafka.position(position)
                    records.append(
                        ConsumedRecord(
                            topic=position.topic,
                            partition=position.partition,
                            offset=offset,
                            key=None,
                            value=b"",
                            unreadable=f"{type(failure).__name__}: {failure}",
                        )
                    )
                    kafka.seek(position, offset + 1)
                    break
                if not found:
                    break
                records.extend(ConsumedRecord.from_kafka(item) for item in found[position])
        return records

    def _rewind(self, kafka: AIOKafkaConsumer, records: Sequence[ConsumedRecord]) -> None:
        """Seek every partition of ``records`` back to its first record in the batch."""
        first: dict[TopicPartition, int] = {}
        for record in records:
            position = TopicPartition(record.topic, record.partition)
            first[position] = min(first.get(position, record.offset), record.offset)
        for position, offset in first.items():
            with contextlib.suppress(Exception):  # a partition no longer ours: its new owner
                kafka.seek(position, offset)  # starts from the committed offset anyway

    def _round_failed(self, problem: str) -> None:
        self.health.failed(problem)
        self._metrics.consumer_errors.labels("infrastructure").inc()
        logger.warning("consumer round failed", extra={"problem": problem})

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
        """Decode a record this consumer handles; dead-letter it if it cannot be read."""
        base_topic = self._base_topic(record.topic)
        kind: tuple[str, int] | None = None
        if record.unreadable:
            await self._dead_letter(record, "unreadable", record.unreadable)
            self._count(base_topic, "unknown", "dead_lettered")
            return None
        try:
            kind = peek_type(record.value, record.decoded_headers())
            if kind is not None and self._handlers.handler_for(*kind) is None:
                self._count(base_topic, kind[0], "ignored")
                return None
            return decode(record.value)
        except (InvalidEventError, UnreadableHeaderError) as error:
            reason, message = "invalid", str(error)
        except LookupError as error:  # an unknown type we claim to handle: impossible
            reason, message = "unknown_type", str(error)
        except Exception as error:  # noqa: BLE001 - whatever cannot be read is parked alone
            reason, message = "unreadable", f"{type(error).__name__}: {error}"
        await self._dead_letter(record, reason, message)
        self._count(base_topic, kind[0] if kind else "unknown", "dead_lettered")
        return None

    async def _dead_letter(self, record: ConsumedRecord, reason: str, message: str) -> None:
        """Park ``record`` unless it was parked before (a redelivered batch parks nothing twice).

        The marker names the record by its position and its bytes: a topic created anew
        numbers its records from 0 again, and a position alone would take another record
        for one parked before, and commit it unparked.
        """
        digest = hashlib.sha256(record.key or b"")
        digest.update(record.value)
        marker = (
            f"{self._group}:dead-letter:{record.topic}:{record.partition}:{record.offset}:"
            f"{digest.hexdigest()[:16]}"
        )
        if await self._processed.find_one({"_id": marker}, projection={"_id": 1}) is not None:
            return
        await self._dead_letters.send(record, self._base_topic(record.topic), reason, message)
        await self._processed.update_one(
            {"_id": marker},
            {"$setOnInsert": {"event_type": "dead_letter", "processed_at": utc_now()}},
            upsert=True,
        )

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
        await self._dead_letter(record, reason, message)
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


def _fetches_answered(kafka: AIOKafkaConsumer) -> bool:
    """Whether every partition the member holds answered a fetch lately.

    aiokafka logs a failed fetch (leader unreachable, unknown partition, a broker error)
    and ``getmany()`` then answers nothing, as for a partition with nothing new: only the
    time of the last answered fetch tells an idle member from one that reads nothing.
    """
    oldest_ms = (time.time() - IDLE_FETCH_AGE_S) * 1000
    try:
        return all(
            (kafka.last_poll_timestamp(position) or 0) >= oldest_ms
            for position in kafka.assignment()
        )
    except AssertionError:  # a partition was revoked meanwhile
        return False


async def _close(kafka: AIOKafkaConsumer) -> None:
    """Stop the Kafka client, bounded in time (a broker that is gone must not hold us)."""
    try:
        await asyncio.wait_for(asyncio.shield(kafka.stop()), CLOSE_TIMEOUT_S)
    except (TimeoutError, asyncio.CancelledError):
        logger.warning("the Kafka consumer did not stop in time; abandoned")
    except Exception:
        logger.exception("the Kafka consumer failed to stop")
