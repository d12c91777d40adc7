"""The outbox survives a SIGKILL at either side of the publish; analytics counts once."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest

from mentorship_contracts import decode
from mentorship_contracts.topics import PARTICIPANTS
from mentorship_devstack.api import ADMIN_HEADERS, create_program, register
from mentorship_devstack.kafka_tools import RawRecord, read_topic
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.stack import Infrastructure
from mentorship_devstack.workloads import people

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PERSON = people(1, seed=11)[0]


async def _program(launch: Launcher) -> str:
    """A program, created by a registration process that is then stopped cleanly."""
    registration = launch("registration")
    async with httpx.AsyncClient(base_url=registration.base_url, timeout=10) as client:
        program_id = await create_program(client)
    registration.stop()
    return program_id


async def _register(registration: ServiceProcess, program_id: str) -> None:
    """POST a registration; the process may die before it answers."""
    async with httpx.AsyncClient(base_url=registration.base_url, timeout=10) as client:
        try:
            await register(client, program_id, PERSON)
        except httpx.TransportError:
            return  # killed right after committing: the topic will tell whether it did


async def _killed(process: ServiceProcess) -> int:
    for _ in range(200):
        if not process.running:
            return process.process.returncode
        await asyncio.sleep(0.05)
    pytest.fail(f"{process.name} was not killed by its failpoint")


async def _participant_records(
    infrastructure: Infrastructure, prefix: str, expected: int, timeout_s: float
) -> list[RawRecord]:
    return await read_topic(
        infrastructure.kafka_bootstrap,
        f"{prefix}{PARTICIPANTS.name}",
        until=lambda found: len(found) > expected,
        timeout_s=timeout_s,
    )


async def _counted(analytics: ServiceProcess, program_id: str) -> int:
    async with httpx.AsyncClient(base_url=analytics.base_url) as client:

        async def report() -> int:
            response = await client.get(
                f"/v1/programs/{program_id}/reports/registration", headers=ADMIN_HEADERS
            )
            count: int = response.json()["participants"]
            return count

        await eventually(report, lambda count: count >= 1)
        await asyncio.sleep(1.5)  # a double count would show up by now
        return await report()


async def test_killed_between_commit_and_publish_then_published_exactly_once(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    analytics = launch("analytics", wait=False)
    program_id = await _program(launch)
    doomed = launch("registration", FAILPOINTS="outbox.before_publish=kill")
    analytics.wait_ready()

    await _register(doomed, program_id)

    assert await _killed(doomed) == -signal.SIGKILL
    assert await _participant_records(infrastructure, kafka_prefix, 0, timeout_s=2) == []

    launch("registration")
    records = await _participant_records(infrastructure, kafka_prefix, 1, timeout_s=3)
    assert len(records) == 1, "published exactly once after the restart"
    event = decode(records[0].value)
    assert event.event_type == "ParticipantRegistered"
    assert await _counted(analytics, program_id) == 1


async def test_killed_between_publish_and_mark_then_counted_once(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    analytics = launch("analytics", wait=False)
    program_id = await _program(launch)
    doomed = launch("registration", FAILPOINTS="outbox.after_publish=kill")
    analytics.wait_ready()

    await _register(doomed, program_id)

    assert await _killed(doomed) == -signal.SIGKILL
    launch("registration")
    records = await _participant_records(infrastructure, kafka_prefix, 2, timeout_s=3)
    assert len(records) == 2, "the relay could not know the first publish succeeded"
    assert len({record.headers["ce_id"] for record in records}) == 1
    assert await _counted(analytics, program_id) == 1
    async with httpx.AsyncClient(base_url=analytics.base_url) as client:
        metrics = (await client.get("/metrics")).text
    assert (
        'mentorship_messages_consumed_total{event_type="ParticipantRegistered",'
        'outcome="duplicate",topic="mentorship.participant.v1"} 1.0'
    ) in metrics
