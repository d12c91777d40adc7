"""The occasions loop waits a poll before its first round (start-up is when consumers catch up)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

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


async def test_the_first_round_comes_a_poll_after_the_start() -> None:
    recorder = _Recorder()
    loop: Any = occasions(cast("Scheduled", recorder), poll_s=0.5)
    task = asyncio.create_task(loop())
    try:
        await asyncio.sleep(0.1)
        assert recorder.calls == []  # nothing at start-up
        async with asyncio.timeout(10):
            while len(recorder.calls) < 3:  # noqa: ASYNC110 - a stand-in with nothing to await
                await asyncio.sleep(0.02)
        assert recorder.calls[:3] == ["digests", "survey_openings", "health_digests"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
