"""Readiness of a consumer: joined, and making progress or idle and caught up."""

from __future__ import annotations

import asyncio

from mentorship_kit.consumer import ConsumerHealth


def ready(health: ConsumerHealth) -> bool:
    return health.ready


def stalled(health: ConsumerHealth) -> bool:
    return health.stalled


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_is_ready_only_once_it_joined_its_group() -> None:
    clock = Clock()
    health = ConsumerHealth(30.0, clock)
    assert not ready(health)
    health.started()
    assert not ready(health)
    health.assigned()
    assert ready(health)


def test_a_consumer_without_progress_for_the_stall_timeout_is_not_ready() -> None:
    clock = Clock()
    health = ConsumerHealth(30.0, clock)
    health.started()
    health.assigned()
    clock.now += 29
    health.failed("commit failed: UnknownTopicOrPartitionError")
    assert ready(health)
    clock.now += 2
    assert stalled(health)
    assert not ready(health)
    assert health.describe()["problem"] == "commit failed: UnknownTopicOrPartitionError"
    health.progressed()
    assert ready(health)
    assert health.describe()["problem"] == ""


def test_a_short_rebalance_keeps_it_ready_a_long_one_does_not() -> None:
    clock = Clock()
    health = ConsumerHealth(30.0, clock)
    health.started()
    health.assigned()
    health.revoked()
    clock.now += 10
    assert ready(health), "replicas are not all taken out of service during a deployment"
    clock.now += 21
    assert not ready(health)
    health.assigned()
    assert ready(health)


def test_a_stopped_or_restarted_consumer_is_not_ready_until_it_joins_again() -> None:
    health = ConsumerHealth(30.0, Clock())
    health.started()
    health.assigned()
    health.stopped()
    assert not ready(health)
    health.started()
    assert not ready(health)
    health.assigned()
    assert ready(health)


async def test_waiting_for_caught_up_takes_a_finding_made_after_the_call() -> None:
    """A member caught up before an outage must catch up again before a waiter goes on."""
    health = ConsumerHealth(30.0, Clock())
    health.started()
    health.assigned()
    health.caught_up()  # before the wait: does not count
    waiting = asyncio.create_task(health.wait_caught_up())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    health.progressed()  # a batch committed: progress, not caught up
    await asyncio.sleep(0.01)
    assert not waiting.done()
    health.caught_up()
    async with asyncio.timeout(1):
        await waiting
    assert ready(health)
    again = asyncio.create_task(health.wait_caught_up())
    await asyncio.sleep(0.01)
    assert not again.done()
    again.cancel()
