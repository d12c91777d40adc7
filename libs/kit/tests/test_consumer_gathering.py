"""The consumer loop gathers the next batch while one commits, paced by the stall timeout.

Against a stand-in for aiokafka's consumer holding one partition of PairCreated records, with
the batch's transaction replaced by a stand-in that takes as long as the test says: no broker,
no database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, ClassVar

import pytest
from aiokafka import TopicPartition
from pymongo.errors import ConnectionFailure

from mentorship_contracts import encode, seal
from mentorship_contracts.events import PairCreated
from mentorship_contracts.examples import example
from mentorship_kit.consumer import AcceptedRecord, ConsumedRecord, EventConsumer
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

TOPIC = "mentorship.pair.v1"
PARTITION = TopicPartition(TOPIC, 0)


class GatheringSettings(ServiceSettings):
    service_name: ClassVar[str] = "gathering-test"


class NoDeadLetters:
    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        raise AssertionError("every record here is readable")


def _records(count: int) -> list[ConsumedRecord]:
    records = []
    for offset in range(count):
        sealed = seal(example(PairCreated, pair_id=f"p{offset}"), source="matching")
        records.append(
            ConsumedRecord(
                topic=TOPIC, partition=0, offset=offset, key=b"k", value=encode(sealed).value
            )
        )
    return records


class Partition:
    """A member holding one partition of ``records``; each fetch answers at most ``fetch_size``.

    Remembers every fetch and every commit, in order, and with each commit the offset after
    the last record stored by then (``stored_upto``).
    """

    def __init__(self, records: list[ConsumedRecord], fetch_size: int) -> None:
        self.records = records
        self.fetch_size = fetch_size
        self.position = 0
        self.commits: list[int] = []
        self.stored_at_commits: list[int] = []
        self.stored_upto: Callable[[], int] = lambda: 0
        self.fetched: list[int] = []
        self._listener: Any = None

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self._listener = listener

    async def start(self) -> None:
        await self._listener.on_partitions_assigned({PARTITION})

    async def stop(self) -> None:
        return None

    async def getmany(self, *partitions: Any, timeout_ms: int, max_records: int) -> dict[Any, Any]:
        found = self.records[self.position : self.position + min(max_records, self.fetch_size)]
        if not found:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        await asyncio.sleep(0)
        self.position += len(found)
        self.fetched.append(len(found))
        return {PARTITION: found}

    def seek(self, partition: Any, offset: int) -> None:
        self.position = offset

    async def commit(self, offsets: dict[Any, int]) -> None:
        self.commits.append(offsets[PARTITION])
        self.stored_at_commits.append(self.stored_upto())

    def assignment(self) -> set[Any]:
        return {PARTITION}

    def last_poll_timestamp(self, partition: Any) -> int | None:
        return int(time.time() * 1000)


class Transactions:
    """Stands in for a batch's transaction: records what it applied and when it committed."""

    def __init__(self, partition: Partition) -> None:
        self.partition = partition
        partition.stored_upto = lambda: max(self.committed_offsets, default=0)
        self.batches: list[list[int]] = []
        self.durations: list[float] = []
        self.committed_offsets: list[int] = []
        """The offset after the last record stored, as each batch committed."""
        self.seconds_per_record = 0.0
        self.gate: asyncio.Event | None = None
        self.fail_next: BaseException | None = None
        self.fetches_while_applying: list[int] = []

    async def apply(self, accepted: Sequence[AcceptedRecord]) -> dict[str, str]:
        started = time.perf_counter()
        offsets = [record.offset for record, _ in accepted]
        fetches_before = len(self.partition.fetched)
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(self.seconds_per_record * len(accepted))
        self.fetches_while_applying.append(len(self.partition.fetched) - fetches_before)
        if self.fail_next is not None:
            failure, self.fail_next = self.fail_next, None
            raise failure
        self.batches.append(offsets)
        self.durations.append(time.perf_counter() - started)
        self.committed_offsets.append(max(offsets) + 1)
        return {str(envelope.event_id): "processed" for _, envelope in accepted}

    def stored(self) -> list[int]:
        return [offset for batch in self.batches for offset in batch]


@pytest.fixture
def make_runtime() -> Callable[..., ServiceRuntime]:
    def make(**settings: Any) -> ServiceRuntime:
        service = ServiceRuntime(GatheringSettings(**settings))

        @service.handlers.on(PairCreated)
        async def on_pair(event: Any, tx: Transaction) -> None:
            raise AssertionError("the transaction is a stand-in")

        return service

    return make


@pytest.fixture
async def runtimes() -> AsyncIterator[list[ServiceRuntime]]:
    made: list[ServiceRuntime] = []
    yield made
    for runtime in made:
        await runtime.mongo.close()


async def _consume(
    runtime: ServiceRuntime,
    partition: Partition,
    transactions: Transactions,
    monkeypatch: pytest.MonkeyPatch,
    *,
    until: Callable[[], bool],
    within_s: float = 10.0,
    while_running: Callable[[EventConsumer], Any] | None = None,
) -> EventConsumer:
    consumer = EventConsumer(
        handlers=runtime.handlers,
        transactor=runtime.transactor,
        database=runtime.database,
        dead_letters=NoDeadLetters(),
        metrics=runtime.metrics,
        settings=runtime.settings,
    )
    monkeypatch.setattr(consumer, "_new_kafka_consumer", lambda: partition)
    monkeypatch.setattr(consumer, "_apply_isolating", transactions.apply)
    task = asyncio.create_task(consumer.run())
    try:
        deadline = time.perf_counter() + within_s
        while not until():
            assert time.perf_counter() < deadline, "the consumer did not get there in time"
            if while_running is not None:
                await while_running(consumer)
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return consumer


def _restarts(runtime: ServiceRuntime) -> float:
    value = runtime.metrics.registry.get_sample_value("mentorship_consumer_restarts_total")
    return value or 0.0


async def test_the_next_batch_is_gathered_fetch_after_fetch_while_one_commits(
    make_runtime: Callable[..., ServiceRuntime],
    runtimes: list[ServiceRuntime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the first batch's transaction is held, the rest of the backlog is fetched and
    decoded, several fetches' worth, and becomes one batch once the first commits."""
    runtimes.append(runtime := make_runtime(consumer_batch_size=1000))
    partition = Partition(_records(60), fetch_size=10)
    transactions = Transactions(partition)
    transactions.gate = asyncio.Event()

    async def release_once_gathered(consumer: EventConsumer) -> None:
        if transactions.gate is not None and partition.position == 60:
            transactions.gate.set()

    await _consume(
        runtime,
        partition,
        transactions,
        monkeypatch,
        until=lambda: partition.commits[-1:] == [60],
        while_running=release_once_gathered,
    )

    assert [len(batch) for batch in transactions.batches] == [10, 50]
    assert transactions.fetches_while_applying[0] == 5  # gathered while the first committed
    assert transactions.stored() == list(range(60))


async def test_offsets_are_committed_in_order_and_only_after_their_batch_stored(
    make_runtime: Callable[..., ServiceRuntime],
    runtimes: list[ServiceRuntime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtimes.append(runtime := make_runtime(consumer_batch_size=40))
    partition = Partition(_records(200), fetch_size=7)
    transactions = Transactions(partition)
    transactions.seconds_per_record = 0.001

    await _consume(
        runtime, partition, transactions, monkeypatch, until=lambda: partition.commits[-1:] == [200]
    )

    assert all(map(int.__le__, partition.commits, partition.stored_at_commits))
    assert partition.commits == sorted(partition.commits)
    assert transactions.stored() == list(range(200))  # each once, in order
    assert max(len(batch) for batch in transactions.batches) <= 40
    assert len(transactions.batches) < 200 / 7  # batches gathered several fetches


async def test_a_batch_gathered_during_a_slow_commit_stays_within_half_the_stall_timeout(
    make_runtime: Callable[..., ServiceRuntime],
    runtimes: list[ServiceRuntime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2 ms a record and a 2 s stall timeout: the 2,750 records left after the first batch,
    gathered at once, would take 5.5 s and look stalled; paced, once a batch was measured no
    batch is planned beyond 1 s (500 records), and the member stays ready."""
    runtimes.append(runtime := make_runtime(consumer_batch_size=5000, consumer_stall_timeout_s=2.0))
    partition = Partition(_records(3000), fetch_size=250)
    transactions = Transactions(partition)
    transactions.seconds_per_record = 0.002
    readiness: list[bool] = []

    async def watch(consumer: EventConsumer) -> None:
        readiness.append(consumer.health.ready)

    await _consume(
        runtime,
        partition,
        transactions,
        monkeypatch,
        until=lambda: partition.commits[-1:] == [3000],
        within_s=40.0,
        while_running=watch,
    )

    assert _restarts(runtime) == 0
    assert all(readiness[1:])
    assert max(len(batch) for batch in transactions.batches) <= 1.0 / 0.002
    assert max(transactions.durations) < 2.0
    assert transactions.stored() == list(range(3000))


async def test_a_failed_batch_commits_nothing_after_it_and_comes_again_with_the_gathered_one(
    make_runtime: Callable[..., ServiceRuntime],
    runtimes: list[ServiceRuntime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtimes.append(runtime := make_runtime(consumer_batch_size=1000))
    partition = Partition(_records(30), fetch_size=10)
    transactions = Transactions(partition)
    transactions.gate = asyncio.Event()
    transactions.fail_next = ConnectionFailure("the database went away")
    commits_at_failure: list[list[int]] = []

    async def release_once_gathered(consumer: EventConsumer) -> None:
        if transactions.gate is not None and partition.position == 30:
            commits_at_failure.append(list(partition.commits))
            transactions.gate.set()
            transactions.gate = None

    await _consume(
        runtime,
        partition,
        transactions,
        monkeypatch,
        until=lambda: partition.commits[-1:] == [30],
        while_running=release_once_gathered,
    )

    assert commits_at_failure == [[]]  # nothing committed while the first batch was applied
    assert transactions.stored() == list(range(30))  # the failed batch and the gathered one again
    assert all(map(int.__le__, partition.commits, partition.stored_at_commits))
    assert partition.commits == sorted(partition.commits)
