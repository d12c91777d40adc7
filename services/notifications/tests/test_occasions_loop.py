"""The occasions loop: rounds wait for the consumer to catch up (up to a limit), and a poll."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from notifications.entrypoints.workers import occasions
from notifications.usecases.scheduled import Scheduled


class _Recorder:
    """Stands in for `Scheduled`: notes each round's steps."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def digests(self) -> None:
        self.calls.append("digests")

    async def survey_openings(self) -> None:
        self.calls.append("survey_openings")

    async def health_digests(self) -> None:
        self.calls.append("health_digests")


class _Consumer:
    """Stands in for the runtime's consumer: caught up when the test says so."""

    def __init__(self) -> None:
        self.caught_up = asyncio.Event()
        self.waits = 0

    async def wait(self) -> None:
        self.waits += 1
        await self.caught_up.wait()


async def _calls(recorder: _Recorder, count: int) -> list[str]:
    async with asyncio.timeout(10):
        while len(recorder.calls) < count:  # noqa: ASYNC110 - a stand-in with nothing to await
            await asyncio.sleep(0.02)
    return recorder.calls[:count]


async def test_the_first_round_comes_a_poll_after_the_start() -> None:
    recorder = _Recorder()
    consumer = _Consumer()
    consumer.caught_up.set()
    loop: Any = occasions(cast("Scheduled", recorder), 0.5, consumer.wait, catch_up_limit_s=60)
    task = asyncio.create_task(loop())
    try:
        await asyncio.sleep(0.1)
        assert recorder.calls == []  # nothing at start-up
        assert await _calls(recorder, 3) == ["digests", "survey_openings", "health_digests"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_no_round_runs_before_the_consumer_has_caught_up() -> None:
    """After an outage longer than a poll the backlog (managers, channels) comes first."""
    recorder = _Recorder()
    consumer = _Consumer()
    loop: Any = occasions(cast("Scheduled", recorder), 0.05, consumer.wait, catch_up_limit_s=60)
    task = asyncio.create_task(loop())
    try:
        await asyncio.sleep(0.5)  # ten polls
        assert recorder.calls == []
        assert consumer.waits == 1
        consumer.caught_up.set()
        assert await _calls(recorder, 6) == ["digests", "survey_openings", "health_digests"] * 2
        assert consumer.waits >= 2  # every round waits for it
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_consumer_that_never_catches_up_holds_the_rounds_back_only_so_long(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Kafka unreachable for hours must not cost a day's digests or a week's health digest."""
    recorder = _Recorder()
    consumer = _Consumer()  # never caught up
    loop: Any = occasions(cast("Scheduled", recorder), 0.05, consumer.wait, catch_up_limit_s=0.3)
    task = asyncio.create_task(loop())
    try:
        await asyncio.sleep(0.2)
        assert recorder.calls == []
        assert await _calls(recorder, 3) == ["digests", "survey_openings", "health_digests"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert "the consumer has not caught up" in caplog.text
