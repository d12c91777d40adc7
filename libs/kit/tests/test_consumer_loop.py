"""The consumer loop's idea of progress, against a stand-in for aiokafka's consumer."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from mentorship_contracts.events import PairCreated
from mentorship_kit.consumer import ConsumedRecord, EventConsumer
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime
from mentorship_kit.settings import ServiceSettings

PARTITION = ("t.mentorship.pair.v1", 0)


class LoopSettings(ServiceSettings):
    service_name: ClassVar[str] = "loop-test"


class NoDeadLetters:
    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        raise AssertionError("nothing is consumed here")


class MemberWithNothingToRead:
    """A group member holding one partition, with nothing new to read.

    With ``fetches_answered`` False every fetch fails, as when the partition's leader cannot
    be reached: aiokafka logs that and ``getmany()`` answers nothing, as it does when the
    partition is merely idle - only ``last_poll_timestamp`` (the last fetch answered) tells
    them apart.
    """

    def __init__(self, *, fetches_answered: bool) -> None:
        self._answered = fetches_answered
        self._listener: Any = None
        self._partition: Any = None

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self._listener = listener

    async def start(self) -> None:
        from aiokafka import TopicPartition

        self._partition = TopicPartition(*PARTITION)
        await self._listener.on_partitions_assigned({self._partition})

    async def stop(self) -> None:
        return None

    async def getmany(self, *partitions: Any, timeout_ms: int, max_records: int) -> dict[Any, Any]:
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    def assignment(self) -> set[Any]:
        return {self._partition}

    def last_poll_timestamp(self, partition: Any) -> int | None:
        return int(time.time() * 1000) if self._answered else None


@pytest.fixture
async def runtime() -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(LoopSettings(consumer_stall_timeout_s=0.5))

    @service.handlers.on(PairCreated)
    async def on_pair(event: Any, tx: Transaction) -> None:
        raise AssertionError("nothing is consumed here")

    yield service
    await service.mongo.close()


async def _run(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch, *, fetches_answered: bool
) -> tuple[EventConsumer, list[bool]]:
    member = MemberWithNothingToRead(fetches_answered=fetches_answered)
    readiness: list[bool] = []
    async with _running(runtime, monkeypatch, member) as consumer:
        for _ in range(30):
            await asyncio.sleep(0.1)
            readiness.append(consumer.health.ready)
    return consumer, readiness


def _restarts(runtime: ServiceRuntime) -> float:
    value = runtime.metrics.registry.get_sample_value("mentorship_consumer_restarts_total")
    return value or 0.0


async def test_an_idle_member_whose_fetches_are_answered_stays_ready(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, readiness = await _run(runtime, monkeypatch, fetches_answered=True)

    assert all(readiness)
    assert _restarts(runtime) == 0


async def test_a_member_whose_fetches_all_fail_is_not_taken_for_idle_and_caught_up(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readiness must not say 'idle, no lag' of a member that reads nothing because every
    fetch fails: it is not ready past the stall timeout, and starts a new Kafka client."""
    _, readiness = await _run(runtime, monkeypatch, fetches_answered=False)

    assert not all(readiness)
    assert _restarts(runtime) >= 1


class MemberBehindASlowFetch(MemberWithNothingToRead):
    """A member whose first fetch brings a record, and whose next fetch is not answered yet.

    As in a backlog on a broker slower than ``consumer_batch_wait_ms``: ``getmany()`` finds
    nothing new, and the last answered fetch (the one that brought the record) is recent.
    """

    def __init__(self) -> None:
        super().__init__(fetches_answered=True)
        self._answered_ms: int | None = None
        self._pending = True
        self.committed: list[dict[Any, int]] = []

    async def getmany(self, *partitions: Any, timeout_ms: int, max_records: int) -> dict[Any, Any]:
        if self._pending and self._partition is not None:
            self._pending = False
            self._answered_ms = int(time.time() * 1000)
            await asyncio.sleep(0.005)
            value = b'{"event_type": "ParticipantRegistered", "schema_version": 1}'
            record = SimpleNamespace(
                topic=PARTITION[0], partition=0, offset=0, key=b"k", value=value, headers=()
            )
            return {self._partition: [record]}
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    async def commit(self, offsets: dict[Any, int]) -> None:
        self.committed.append(dict(offsets))

    def answer(self) -> None:
        """The next fetch is answered, with nothing new."""
        self._answered_ms = int(time.time() * 1000)

    def last_poll_timestamp(self, partition: Any) -> int | None:
        return self._answered_ms


async def _caught_up_within(consumer: EventConsumer, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await consumer.health.wait_caught_up()
    except TimeoutError:
        return False
    return True


@contextlib.asynccontextmanager
async def _running(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch, member: MemberWithNothingToRead
) -> AsyncIterator[EventConsumer]:
    """The service's consumer, running against ``member`` until the block ends."""
    consumer = EventConsumer(
        handlers=runtime.handlers,
        transactor=runtime.transactor,
        database=runtime.database,
        dead_letters=NoDeadLetters(),
        metrics=runtime.metrics,
        settings=runtime.settings,
    )
    monkeypatch.setattr(consumer, "_new_kafka_consumer", lambda: member)
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize("fetches_answered", [True, False])
async def test_an_idle_member_finds_itself_caught_up_only_if_its_fetches_are_answered(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch, *, fetches_answered: bool
) -> None:
    member = MemberWithNothingToRead(fetches_answered=fetches_answered)
    async with _running(runtime, monkeypatch, member) as consumer:
        assert await _caught_up_within(consumer, 0.4) is fetches_answered


async def test_a_member_is_not_caught_up_until_a_fetch_after_its_last_read_finds_nothing(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readiness's 'idle' (nothing fetched, a fetch answered lately) is not enough: the
    answer may be the one that brought the records just read, the next one still coming."""
    member = MemberBehindASlowFetch()
    async with _running(runtime, monkeypatch, member) as consumer:
        waiting = asyncio.create_task(consumer.health.wait_caught_up())
        async with asyncio.timeout(5):
            while not member.committed:  # noqa: ASYNC110 - a stand-in with nothing to await
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        assert consumer.health.ready  # readiness takes it for idle
        assert not waiting.done()
        member.answer()
        async with asyncio.timeout(2):
            await waiting


class MemberRebalancedWhileIdle(MemberWithNothingToRead):
    """An idle member whose partition is taken and given back (``rebalance``).

    Until ``answer``, no fetch of the partition given back has answered; each round's
    ``getmany()`` sets ``round_started`` as it begins.
    """

    def __init__(self) -> None:
        super().__init__(fetches_answered=True)
        self._rebalanced = False
        self._answered_ms: int | None = None
        self.round_started = asyncio.Event()

    async def rebalance(self) -> None:
        await self._listener.on_partitions_revoked({self._partition})
        self._rebalanced = True
        await self._listener.on_partitions_assigned({self._partition})

    def answer(self) -> None:
        """The first fetch after the rebalance answers (with what, the next round reads)."""
        self._answered_ms = int(time.time() * 1000)

    async def getmany(self, *partitions: Any, timeout_ms: int, max_records: int) -> dict[Any, Any]:
        self.round_started.set()
        return await super().getmany(*partitions, timeout_ms=timeout_ms, max_records=max_records)

    def last_poll_timestamp(self, partition: Any) -> int | None:
        return self._answered_ms if self._rebalanced else int(time.time() * 1000)


async def test_quiet_rounds_before_a_rebalance_do_not_count_after_it(
    runtime: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer after a rebalance may bring a backlog the next round reads: the
    member is not caught up in the round that answer arrives, however long it was idle."""
    member = MemberRebalancedWhileIdle()
    async with _running(runtime, monkeypatch, member) as consumer:
        assert await _caught_up_within(consumer, 2)
        await asyncio.sleep(0.3)  # more quiet rounds
        await member.rebalance()
        waiting = asyncio.create_task(consumer.health.wait_caught_up())
        await asyncio.sleep(0.3)  # rounds with no fetch answered since
        assert not waiting.done()
        member.answer()
        member.round_started.clear()
        await member.round_started.wait()  # the round that saw the answer has ended
        await asyncio.sleep(0)
        assert not waiting.done()
        async with asyncio.timeout(2):
            await waiting  # two quiet rounds later
