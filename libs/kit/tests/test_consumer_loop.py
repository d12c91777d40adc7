"""The consumer loop's idea of progress, against a stand-in for aiokafka's consumer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
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
    consumer = EventConsumer(
        handlers=runtime.handlers,
        transactor=runtime.transactor,
        database=runtime.database,
        dead_letters=NoDeadLetters(),
        metrics=runtime.metrics,
        settings=runtime.settings,
    )
    monkeypatch.setattr(
        consumer,
        "_new_kafka_consumer",
        lambda: MemberWithNothingToRead(fetches_answered=fetches_answered),
    )
    readiness: list[bool] = []
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(30):
            await asyncio.sleep(0.1)
            readiness.append(consumer.health.ready)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
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
