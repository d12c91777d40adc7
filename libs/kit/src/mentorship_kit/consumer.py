"""At-least-once, idempotent event consumption with a dead-letter path.

A service declares handlers with `EventHandlers`; `EventConsumer` runs its consumer group
on the topics those events live on (its own aiokafka consumer loop) and, for every batch:

1. reads each record as bytes and decodes it itself: one that cannot be read at any layer
   (headers that are not UTF-8, a value that is not JSON or not a valid event) goes alone
   to the group's dead-letter topic, with its raw headers kept as bytes, and the batch goes
   on (a record aiokafka itself cannot decode, such as one with a header *name* that is not
   UTF-8, is stepped over by reading record by record, and parked as a placeholder naming
   its position);
2. runs the handlers of the batch in one MongoDB transaction, together with what makes
   redelivery change nothing (`Idempotence`): by default a marker per ``event_id`` (an
   event already marked is skipped; markers are kept ``CONSUMER_MARKER_RETENTION_DAYS`` in
   weekly collections, `mentorship_kit.markers`), or, for handlers that are idempotent
   themselves, the next offset of each partition (a redelivered record below it is skipped, see
   `Idempotence.OFFSETS`); the ``before_batch`` hooks see the batch's new events first, to
   read in one go what the handlers will look up (`EventHandlers.before_batch`);
3. commits, per partition, the offset after the last record of the batch, only once every
   record of it was processed or dead-lettered. Otherwise nothing is committed and the
   partitions are rewound to the batch's first records, so it is delivered again.

If the batch transaction fails, it is split in halves, each tried in its own transaction and
split again while it fails, so one bad event cannot hold back the others (which stay in
batches): an event whose handler keeps failing alone (or raises `PermanentError`) is
dead-lettered after ``consumer_max_attempts``. A record is dead-lettered once: a marker
remembers it, so a redelivered batch does not park its bad records again. When MongoDB or
Kafka themselves are unreachable nothing is dead-lettered: the batch is redelivered.

While a batch's transaction runs, the next batch is gathered: fetched and decoded (decoding
needs nothing the transaction writes) fetch after fetch, until the batch being applied is done
or the next one is full. It is applied once the previous one committed, and thrown away, with
its partitions rewound, if the previous one failed. Offsets are committed only for batches
whose transaction committed. The slower the commits, the larger the batches (fewer, larger
transactions under a backlog), but never larger than ``consumer_batch_size`` nor than what
the last batch shows can be applied in half ``consumer_stall_timeout_s`` (`BatchPace`): a
member working through a backlog does not look stalled.

FastStream's batch subscriber is not used for consuming: it decodes every header as UTF-8
before any of this code runs (one bad header made it skip the whole fetched batch) and
acknowledges by committing the consumer's position, not the records actually handled.

`ConsumerHealth` tells readiness whether the group is joined and making progress (or idle
and caught up); a consumer that makes no progress for ``CONSUMER_STALL_TIMEOUT_S`` closes
its Kafka client and starts a new one. It also lets a background loop wait until the member
has read everything there is on its partitions (`ConsumerHealth.wait_caught_up`), so that
what is decided from the projected state (a weekly digest to a program's managers) is not
decided while a backlog is still being applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from pymongo import UpdateOne
from pymongo.errors import ConnectionFailure, WaitQueueTimeoutError

from mentorship_contracts import CATALOG, Envelope, IntegrationEvent, InvalidEventError, decode
from mentorship_contracts.codec import peek_type
from mentorship_contracts.topics import Topic
from mentorship_contracts.types import utc_now
from mentorship_kit import context
from mentorship_kit.batching import find_in, store
from mentorship_kit.deadletters import (
    ConsumedRecord,
    DeadLetters,
    DeadLetterSink,
    UnreadableHeaderError,
)
from mentorship_kit.failpoints import Failpoints
from mentorship_kit.kafka import client_options
from mentorship_kit.markers import LEGACY_COLLECTION, Marker, MarkerStore
from mentorship_kit.metrics import Metrics
from mentorship_kit.mongo import Collection, Database, Document, Indexes
from mentorship_kit.outbox import Transaction, Transactor
from mentorship_kit.pacing import BatchPace
from mentorship_kit.settings import ServiceSettings

__all__ = [
    "ConsumedRecord",
    "ConsumerHealth",
    "DeadLetterSink",
    "DeadLetters",
    "EventConsumer",
    "EventHandlers",
    "Idempotence",
    "PermanentError",
]

PROCESSED_COLLECTION = LEGACY_COLLECTION
"""Where earlier versions kept the markers (now weekly collections: `MarkerStore`)."""
OFFSETS_COLLECTION = "consumer_offsets"
"""Per consumer group and partition, the offset after the last record applied."""
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
BatchHook = Callable[[Sequence[Envelope[IntegrationEvent]], Transaction], Awaitable[None]]
"""Runs in a batch's transaction before its handlers, with the events they will be given."""

logger = logging.getLogger(__name__)


class PermanentError(Exception):
    """Raised by a handler for an event that can never be processed: dead-letter it now."""


class Idempotence(StrEnum):
    """What a consumer group writes in each batch's transaction so redelivery changes nothing."""

    EVENT_ID = "event_id"
    """A marker per event id (a read and a write per event): an event handled before is
    skipped however it comes again, redelivered or published twice. For any handler."""
    OFFSETS = "offsets"
    """The next offset of each partition of the batch, with the record it follows (a read
    and a write per partition): a redelivered record is skipped, once the batch shows the
    stored offset is this topic's (see `EventConsumer._trusted`). An event published twice
    is two records, and is handled twice: only for handlers whose effects are idempotent
    themselves. Such a handler tells which events its state already held
    (`Transaction.already_applied`), and those are counted as duplicates, as with markers."""


AcceptedRecord = tuple[ConsumedRecord, Envelope[IntegrationEvent]]


@dataclass(frozen=True, slots=True)
class _Mark:
    """What `Idempotence.OFFSETS` stores per partition.

    The offset after the last record applied, and that record (its anchor: offset, event id).
    """

    offset: int
    anchor_offset: int
    anchor_event: str


@dataclass(frozen=True, slots=True)
class _Decoded:
    """A fetched batch, decoded: what to apply (unreadable records are already parked)."""

    records: Sequence[ConsumedRecord]
    accepted: Sequence[AcceptedRecord]


@dataclass(slots=True)
class _Gathering:
    """The next batch, fetch after fetch decoded, while the one before is applied."""

    records: list[ConsumedRecord] = field(default_factory=list)
    accepted: list[AcceptedRecord] = field(default_factory=list)

    def add(self, decoded: _Decoded) -> None:
        self.records.extend(decoded.records)
        self.accepted.extend(decoded.accepted)

    def take(self) -> _Decoded:
        """The batch gathered so far; the gathering starts again empty."""
        batch = _Decoded(self.records, self.accepted)
        self.records, self.accepted = [], []
        return batch

    def clear(self) -> None:
        self.records, self.accepted = [], []

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True, slots=True)
class _Applying:
    """A batch whose transaction runs."""

    task: asyncio.Task[None]
    batch: _Decoded

    @property
    def running(self) -> bool:
        return not self.task.done()


class EventHandlers:
    """The handler of each event type a service consumes."""

    def __init__(self) -> None:
        self._handlers: dict[type[IntegrationEvent], Handler[Any]] = {}
        self._before_batch: list[BatchHook] = []

    def before_batch(self, hook: BatchHook) -> BatchHook:
        """Register ``hook`` to see each batch's events before their handlers run.

        For one read of everything a batch's handlers will look up (a ``$in`` over the ids
        the events name) instead of a read per event; the handlers then find it in the
        transaction's scratch. It runs in the batch's transaction, once per attempt, with the
        events not handled before (duplicates left out). Handlers must not depend on it:
        an event handed to a handler another way (a test, a replay) is handled all the same.
        """
        self._before_batch.append(hook)
        return hook

    async def prepare(self, events: Sequence[Envelope[IntegrationEvent]], tx: Transaction) -> None:
        """Run the ``before_batch`` hooks on ``events``, in registration order."""
        if events:
            for hook in self._before_batch:
                await hook(events, tx)

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
        self._caught_up = asyncio.Event()

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

    def caught_up(self) -> None:
        """The member read everything there is on its partitions, and applied it.

        Its fetches found nothing new twice in a row, each partition's answered after the
        member last read a record of it, and nothing is left to apply or commit. Wakes those
        waiting in `wait_caught_up`.
        """
        self.progressed()
        self._caught_up.set()
        self._caught_up = asyncio.Event()

    async def wait_caught_up(self) -> None:
        """Return the next time the member finds itself caught up (see `caught_up`).

        Only a finding made after the call counts, so a member that fell behind since (a
        backlog after an outage, a rebalance, a broker it cannot reach) makes the caller
        wait until it has caught up again. An idle member finds it every round (about
        every ``CONSUMER_BATCH_WAIT_MS`` to ``FETCH_MAX_WAIT_MS``).
        """
        await self._caught_up.wait()

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
    """Tells the health, and the consumer (``moved``), when partitions come and go."""

    def __init__(
        self, health: ConsumerHealth, moved: Callable[[Sequence[TopicPartition]], None]
    ) -> None:
        self._health = health
        self._moved = moved

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        logger.info("consumer partitions revoked", extra={"partitions": len(list(revoked))})
        self._health.revoked()
        self._moved(())

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        positions = list(assigned)
        logger.info("consumer partitions assigned", extra={"partitions": len(positions)})
        self._health.assigned()
        self._moved(positions)


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
        idempotence: Idempotence = Idempotence.EVENT_ID,
    ) -> None:
        self._handlers = handlers
        self._transactor = transactor
        self._idempotence = idempotence
        self.markers = MarkerStore(
            database,
            retention=timedelta(days=settings.consumer_marker_retention_days),
            metrics=metrics,
        )
        """The processed-event markers (`MarkerStore.run` maintains them: the runtime runs it)."""
        self._offsets: Collection = database[OFFSETS_COLLECTION]
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._settings = settings
        self._group = settings.consumer_group
        self.health = ConsumerHealth(settings.consumer_stall_timeout_s)
        self.pace = BatchPace(settings.consumer_batch_size, settings.consumer_stall_timeout_s / 2)
        self._read_at: dict[TopicPartition, int] = {}
        """When (ms since the epoch) each partition's records were last read or sought."""
        self._quiet_rounds = 0
        """Idle rounds in a row that found every partition drained (see `_drained`)."""
        self._failpoints = failpoints or Failpoints()

    @staticmethod
    def indexes() -> Indexes:
        """The processed-event markers are looked up by ``_id`` only.

        No query reads them by time: the index by ``processed_at`` only cost every marker
        insert an index entry (about a fifth of an import's marker writes on SecantusDB).
        """
        return Indexes(PROCESSED_COLLECTION, (), retired=("by_time",))

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
            kafka.subscribe(self.topics(), listener=_Rebalances(self.health, self._moved))
            self.health.started()
            self._read_at.clear()
            self._quiet_rounds = 0
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
        applying: _Applying | None = None
        gathered = _Gathering()
        try:
            while True:
                if self.health.stalled:
                    raise _RestartConsumerError
                room = self.pace.limit() - len(gathered)
                if room > 0:
                    applying, gathering = await self._gather(
                        kafka, gathered, room, applying, uncommitted
                    )
                    if not gathering:
                        continue
                    if (
                        applying is not None
                        and applying.running
                        and len(gathered) < self.pace.limit()
                    ):
                        continue  # keep gathering while the batch is applied
                settled, applying = await self._settle(kafka, applying, uncommitted, gathered)
                if not settled:  # both batches come again
                    continue
                batch = gathered.take()
                if batch.accepted:
                    task = asyncio.create_task(self._apply_decoded(batch))
                    applying = _Applying(task, batch)
                else:
                    self._advance(uncommitted, batch.records)
                if await self._commit(kafka, uncommitted, busy=applying is not None):
                    uncommitted.clear()
        finally:
            if applying is not None:  # cancelled mid-batch: its transaction is aborted
                applying.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await applying.task

    async def _gather(
        self,
        kafka: AIOKafkaConsumer,
        gathered: _Gathering,
        room: int,
        applying: _Applying | None,
        uncommitted: dict[TopicPartition, int],
    ) -> tuple[_Applying | None, bool]:
        """Fetch up to ``room`` more records and decode them into ``gathered``.

        Returns the batch still being applied and whether the round goes on (False: start
        it again, after a failure that rewound or threw away what was gathered).
        """
        try:
            records = await self._fetch(kafka, room)
            if records is None:  # a record aiokafka cannot read: step over it
                # Reading around it rewinds to where processing stopped: the batch being
                # applied must be done (and counted in ``uncommitted``) first, and what was
                # gathered after it is read again.
                settled, applying = await self._settle(kafka, applying, uncommitted, gathered)
                gathered.clear()
                if not settled:
                    return applying, False
                records = await self._read_around_unreadable(kafka, uncommitted)
        except KafkaError as error:
            self._round_failed(f"fetch failed: {error!r}")
            await asyncio.sleep(ERROR_PAUSE_S)
            return applying, False
        if not records:
            return applying, True
        try:
            gathered.add(await self._decode(records))
        except Exception as error:  # noqa: BLE001 - reported once the batch applied is done
            gathered.add(_Decoded(records, ()))
            settled, applying = await self._settle(kafka, applying, uncommitted, gathered)
            if settled:
                await self._failed(kafka, gathered.records, error)
            gathered.clear()
            return applying, False
        return applying, True

    async def _settle(
        self,
        kafka: AIOKafkaConsumer,
        applying: _Applying | None,
        uncommitted: dict[TopicPartition, int],
        gathered: _Gathering,
    ) -> tuple[bool, None]:
        """Wait for the batch being applied; whether it committed (then Kafka may be told).

        If it failed, its partitions and those of the ``gathered`` records are rewound, and
        the gathering is thrown away.
        """
        if applying is None:
            return True, None
        failure = await _outcome(applying.task)
        if failure is not None:
            await self._failed(kafka, [*applying.batch.records, *gathered.records], failure)
            gathered.clear()
            return False, None
        self._advance(uncommitted, applying.batch.records)
        return True, None

    async def _fetch(self, kafka: AIOKafkaConsumer, most: int) -> list[ConsumedRecord] | None:
        """The next records, at most ``most`` (none when there is nothing new).

        None if aiokafka could not read one of them (see `_read_around_unreadable`).

        Raises:
            KafkaError: the fetch failed.
        """
        try:
            batches = await kafka.getmany(
                timeout_ms=max(self._settings.consumer_batch_wait_ms, 10),
                max_records=most,
            )
        except KafkaError:
            raise
        except Exception as error:  # noqa: BLE001 - aiokafka could not read a record
            logger.warning(
                "a fetched record cannot be read; reading record by record to step over it",
                extra={"error": f"{type(error).__name__}: {error}"},
            )
            return None
        self._read([position for position, batch in batches.items() if batch])
        return [ConsumedRecord.from_kafka(item) for batch in batches.values() for item in batch]

    def _read(self, positions: Iterable[TopicPartition]) -> None:
        """Records of ``positions`` were read, or they were sought: not drained yet."""
        now_ms = int(time.time() * 1000)
        for position in positions:
            self._read_at[position] = now_ms
            self._quiet_rounds = 0

    def _moved(self, assigned: Sequence[TopicPartition]) -> None:
        """Partitions were revoked or ``assigned``: start counting quiet rounds again.

        A partition just assigned is read from its committed offset: like one sought, a
        fetch must answer after now before it counts as drained.
        """
        self._quiet_rounds = 0
        self._read(assigned)

    def _drained(self, kafka: AIOKafkaConsumer) -> bool:
        """Whether each partition held answered a fetch since its records were last read.

        aiokafka fetches a partition again only once the records of its last answer were
        all read, at the position they left it; so an answer that came after that read and
        brought nothing means there was nothing more. A recent answer alone (what
        `_fetches_answered` asks) does not: it may have brought the records just read, and
        the next fetch of a backlog may be slower than ``consumer_batch_wait_ms``.
        """
        try:
            return all(
                (kafka.last_poll_timestamp(position) or 0) > self._read_at.get(position, 0)
                for position in kafka.assignment()
            )
        except AssertionError:  # a partition was revoked meanwhile
            return False

    async def _read_around_unreadable(
        self, kafka: AIOKafkaConsumer, uncommitted: dict[TopicPartition, int]
    ) -> list[ConsumedRecord]:
        """The next records, read one at a time, with a placeholder for one aiokafka cannot read.

        aiokafka raises while it decodes a fetched record it cannot read (a header name that
        is not UTF-8, say), and raises again at every fetch: the record must be stepped over.
        The failed call may also have moved other partitions past records it never returned,
        so every partition first goes back to where processing stopped. Then each is read
        one record at a time up to the unreadable one, which becomes a placeholder (its
        position, and why) to dead-letter; the partition resumes after it.
        """
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
        self._read(owned)  # sought, and read record by record: a fetch must answer again
        return records

    async def _failed(
        self, kafka: AIOKafkaConsumer, records: Sequence[ConsumedRecord], error: Exception
    ) -> None:
        """A batch failed: rewind its partitions so it is delivered again."""
        self._rewind(kafka, records)
        if isinstance(error, INFRASTRUCTURE_ERRORS):
            self._round_failed(f"batch not processed: {error!r}")
            return
        logger.error("batch failed; it will be delivered again", exc_info=error)
        self._round_failed(f"batch failed: {error!r}")
        await asyncio.sleep(ERROR_PAUSE_S)

    @staticmethod
    def _advance(uncommitted: dict[TopicPartition, int], records: Sequence[ConsumedRecord]) -> None:
        for record in records:
            position = TopicPartition(record.topic, record.partition)
            uncommitted[position] = max(uncommitted.get(position, 0), record.offset + 1)

    async def _commit(
        self, kafka: AIOKafkaConsumer, uncommitted: dict[TopicPartition, int], *, busy: bool
    ) -> bool:
        """Commit the processed positions still ours; whether nothing is left to commit.

        ``busy``: a batch is being applied (the member is not idle).
        """
        if uncommitted:
            owned = kafka.assignment()
            for position in [tp for tp in uncommitted if tp not in owned]:
                del uncommitted[position]
        if not uncommitted:
            if self.health.joined and not busy and _fetches_answered(kafka):
                self.health.progressed()  # idle and caught up: not between owners, not cut off
                # Twice in a row: a fetch answered just as getmany() gave up waiting leaves
                # its records for the next round, which then reads them.
                self._quiet_rounds = min(self._quiet_rounds + 1, 2) if self._drained(kafka) else 0
                if self._quiet_rounds == 2:
                    self.health.caught_up()
            else:  # between owners, applying a batch, or cut off: not a quiet round
                self._quiet_rounds = 0
            return True
        try:
            self._failpoints.hit("consumer.before_commit")
            await kafka.commit(uncommitted)
        except Exception as error:  # noqa: BLE001 - any failure to commit is retried
            # Processed, not yet committed: redelivery would be deduplicated. The
            # offsets are committed with the next round's, or by the next owner.
            self._round_failed(f"commit failed: {error!r}")
            await asyncio.sleep(ERROR_PAUSE_S)
            return False
        self._metrics.consumer_last_processed.set(time.time())
        self.health.progressed()
        return True

    def _rewind(self, kafka: AIOKafkaConsumer, records: Sequence[ConsumedRecord]) -> None:
        """Seek every partition of ``records`` back to its first record in the batch."""
        first: dict[TopicPartition, int] = {}
        for record in records:
            position = TopicPartition(record.topic, record.partition)
            first[position] = min(first.get(position, record.offset), record.offset)
        for position, offset in first.items():
            with contextlib.suppress(Exception):  # a partition no longer ours: its new owner
                kafka.seek(position, offset)  # starts from the committed offset anyway
        self._read(first)

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
        await self._apply_decoded(await self._decode(records))

    async def _decode(self, records: Sequence[ConsumedRecord]) -> _Decoded:
        """Decode a batch; park what cannot be read."""
        accepted: list[AcceptedRecord] = []
        for record in records:
            envelope = await self._accept(record)
            if envelope is not None:
                accepted.append((record, envelope))
        return _Decoded(records, accepted)

    async def _apply_decoded(self, decoded: _Decoded) -> None:
        """Handle a decoded batch in one transaction (failing events isolated)."""
        started = time.perf_counter()
        accepted = decoded.accepted
        if accepted:
            outcomes = await self._apply_isolating(accepted)
            self._record_outcomes(accepted, outcomes)
        duration = time.perf_counter() - started
        self.pace.applied(len(decoded.records), duration)
        self._metrics.consumer_batch_duration.observe(duration)
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
        if await self.markers.found({marker: None}):
            return
        await self._dead_letters.send(record, self._base_topic(record.topic), reason, message)
        await self.markers.mark(marker, {"event_type": "dead_letter", "processed_at": utc_now()})

    async def _apply(
        self, transaction: Transaction, accepted: Sequence[AcceptedRecord]
    ) -> dict[str, str]:
        """Handle the events not yet processed and record them; returns outcome by event id."""
        outcomes = {str(envelope.event_id): "duplicate" for _, envelope in accepted}
        stored: dict[str, _Mark] = {}
        trusted: set[str] = set()
        if self._idempotence is Idempotence.OFFSETS:
            stored = await self._stored_offsets(transaction, accepted)
            trusted = self._trusted(accepted, stored)
            fresh = self._after_offsets(accepted, stored, trusted)
        else:
            fresh = await self._unmarked(transaction, accepted)
        await self._handlers.prepare(fresh, transaction)
        for envelope in fresh:
            handler = self._handlers.handler_for(envelope.event_type, envelope.schema_version)
            if handler is None:  # pragma: no cover - filtered in _accept
                continue
            with context.handling(envelope.correlation_id, envelope.event_id):
                await handler(envelope, transaction)
            outcomes[str(envelope.event_id)] = "processed"

        def known_before() -> None:  # once committed: every flush has told what it found
            for event_id in transaction.applied_before & outcomes.keys():
                outcomes[event_id] = "duplicate"

        transaction.after_commit(known_before)
        if self._idempotence is Idempotence.OFFSETS:
            written = await self._store_offsets(transaction, accepted, stored, trusted)
        elif fresh:
            written = len(fresh)
            await self.markers.write(
                [
                    Marker(
                        self._marker(item),
                        item.occurred_at,
                        {"event_type": item.event_type, "processed_at": transaction.now},
                    )
                    for item in fresh
                ],
                transaction,
            )
        else:
            written = 0
        transaction.after_commit(lambda: self._metrics.consumer_idempotence_writes.inc(written))
        return outcomes

    def _marker(self, envelope: Envelope[IntegrationEvent]) -> str:
        return f"{self._group}:{envelope.event_id}"

    async def _unmarked(
        self, transaction: Transaction, accepted: Sequence[AcceptedRecord]
    ) -> list[Envelope[IntegrationEvent]]:
        """The batch's events without a marker, each once."""
        by_marker = {self._marker(envelope): envelope for _, envelope in accepted}
        occurred = {marker: item.occurred_at for marker, item in by_marker.items()}
        seen = await self.markers.found(occurred, transaction)
        return [item for marker, item in by_marker.items() if marker not in seen]

    def _offset_id(self, record: ConsumedRecord) -> str:
        return f"{self._group}:{record.topic}:{record.partition}"

    async def _stored_offsets(
        self, transaction: Transaction, accepted: Sequence[AcceptedRecord]
    ) -> dict[str, _Mark]:
        """The stored mark of each partition of the batch."""
        ids = sorted({self._offset_id(record) for record, _ in accepted})
        return {
            document["_id"]: _Mark(
                offset=int(document["offset"]),
                anchor_offset=int(document.get("anchor_offset", -1)),
                anchor_event=str(document.get("anchor_event", "")),
            )
            async for document in find_in(self._offsets, ids, tx=transaction)
        }

    def _trusted(self, accepted: Sequence[AcceptedRecord], stored: dict[str, _Mark]) -> set[str]:
        """The partitions whose stored offset this batch shows to be this topic's.

        A stored offset is trusted only when the batch holds the record it was set after
        (its anchor) and that record is the same event: then the records below it are
        redelivered ones. A topic deleted and created again (a development broker on
        memory storage, an operator's reset) numbers its records from 0 again, and an
        offset stored before would otherwise skip records never handled. Where the batch
        does not show the anchor, nothing is skipped: the handlers are idempotent.
        """
        trusted: set[str] = set()
        for record, envelope in accepted:
            key = self._offset_id(record)
            mark = stored.get(key)
            if (
                mark is not None
                and record.offset == mark.anchor_offset
                and str(envelope.event_id) == mark.anchor_event
            ):
                trusted.add(key)
        return trusted

    def _after_offsets(
        self, accepted: Sequence[AcceptedRecord], stored: dict[str, _Mark], trusted: set[str]
    ) -> list[Envelope[IntegrationEvent]]:
        """The batch's events but those redelivered below a trusted offset, each once."""
        fresh: dict[str, Envelope[IntegrationEvent]] = {}
        for record, envelope in accepted:
            key = self._offset_id(record)
            mark = stored.get(key)
            if key in trusted and mark is not None and record.offset < mark.offset:
                continue
            fresh.setdefault(str(envelope.event_id), envelope)
        return list(fresh.values())

    async def _store_offsets(
        self,
        transaction: Transaction,
        accepted: Sequence[AcceptedRecord],
        stored: dict[str, _Mark],
        trusted: set[str],
    ) -> int:
        """Record, per partition, the offset after the batch's last record; how many moved.

        A mark moves forward, or back when the batch showed it is not this topic's (the
        batch holds another event at its anchor); a redelivered stretch leaves it alone.
        """
        last: dict[str, AcceptedRecord] = {}
        for record, envelope in accepted:
            key = self._offset_id(record)
            if key not in last or record.offset > last[key][0].offset:
                last[key] = (record, envelope)
        new: list[Document] = []
        changed: list[UpdateOne] = []
        for key, (record, envelope) in last.items():
            mark = stored.get(key)
            shown_foreign = mark is not None and any(
                r.offset == mark.anchor_offset and self._offset_id(r) == key for r, _ in accepted
            )
            if (
                mark is not None
                and record.offset + 1 <= mark.offset
                and (key in trusted or not shown_foreign)
            ):
                continue  # redelivered, or not shown to be another topic's: keep it
            body = {
                "group": self._group,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset + 1,
                "anchor_offset": record.offset,
                "anchor_event": str(envelope.event_id),
                "updated_at": transaction.now,
            }
            if mark is None:
                new.append({"_id": key, **body})
            else:
                changed.append(UpdateOne({"_id": key}, {"$set": body}))
        await store(self._offsets, transaction, new=new, changed=changed)
        return len(new) + len(changed)

    async def _apply_isolating(self, accepted: Sequence[AcceptedRecord]) -> dict[str, str]:
        """Apply ``accepted`` in one transaction; on a failure, isolate the failing events.

        A batch whose transaction fails (for any reason but an unreachable MongoDB or Kafka)
        is split in two halves, applied one after the other, each again in one transaction
        and split again if it fails; an event alone is retried with backoff and
        dead-lettered after ``consumer_max_attempts`` (at once for `PermanentError`). One
        bad event among n costs about 2·log2(n) transactions, and the others stay in
        batches (handlers that buffer their writes keep doing one bulk write per half).
        The halves keep the batch's order, so events of one key are applied in order.
        """
        try:
            return await self._transactor.run(lambda tx: self._apply(tx, accepted))
        except INFRASTRUCTURE_ERRORS:
            await self._pause_before_redelivery()
            raise
        except Exception as error:
            logger.warning(
                "batch failed; isolating the failing events",
                exc_info=error,
                extra={"events": len(accepted)},
            )
        outcomes: dict[str, str] = {}
        middle = len(accepted) // 2
        for part in (accepted[:middle], accepted[middle:]):
            if len(part) == 1:
                outcomes |= await self._apply_with_retries(*part[0])
            elif part:
                outcomes |= await self._apply_isolating(part)
        return outcomes

    async def _apply_with_retries(
        self, record: ConsumedRecord, envelope: Envelope[IntegrationEvent]
    ) -> dict[str, str]:
        attempts = self._settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                return await self._transactor.run(lambda tx: self._apply(tx, [(record, envelope)]))
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


async def _outcome(task: asyncio.Task[None]) -> Exception | None:
    """Wait for ``task``; the exception it failed with, if any."""
    try:
        await task
    except Exception as error:  # noqa: BLE001 - every failure means redelivery
        return error
    return None


async def _close(kafka: AIOKafkaConsumer) -> None:
    """Stop the Kafka client, bounded in time (a broker that is gone must not hold us)."""
    try:
        await asyncio.wait_for(asyncio.shield(kafka.stop()), CLOSE_TIMEOUT_S)
    except (TimeoutError, asyncio.CancelledError):
        logger.warning("the Kafka consumer did not stop in time; abandoned")
    except Exception:
        logger.exception("the Kafka consumer failed to stop")
