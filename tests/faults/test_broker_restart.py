"""#12.4 and #12.5: a broker restart loses nothing, and readiness tells the truth."""

from __future__ import annotations

import asyncio
import time
from functools import partial

import httpx
from aiokafka import AIOKafkaConsumer

from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PARTICIPANTS
from mentorship_devstack.api import ADMIN_HEADERS, create_program, register
from mentorship_devstack.kafka_tools import publish_events
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.services import SERVICES, ServiceProcess
from mentorship_devstack.workloads import people

from .conftest import OwnStack, metric, readiness, scrape

CONSUMERS = ("matching", "scheduling", "feedback", "analytics")


async def _participants(analytics: httpx.AsyncClient, program_id: str) -> int:
    response = await analytics.get(
        f"/v1/programs/{program_id}/reports/registration", headers=ADMIN_HEADERS
    )
    if response.status_code != 200:
        return -1
    count: int = response.json()["participants"]
    return count


async def _all_ready(processes: dict[str, ServiceProcess]) -> list[str]:
    """The services whose /readyz is not 200."""
    answers = await asyncio.gather(*(readiness(p.base_url) for p in processes.values()))
    return [name for name, (status, _) in zip(processes, answers, strict=True) if status != 200]


async def _partitions(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer.topics()
        return len(consumer.partitions_for_topic(topic) or ())
    finally:
        await consumer.stop()


async def test_a_broker_restart_loses_no_event_and_every_consumer_resumes(
    own_stack: OwnStack,
) -> None:
    launch = own_stack.launch
    processes = {name: launch(name, wait=False) for name in SERVICES}
    for process in processes.values():
        process.wait_ready()
    persons = people(20)
    async with (
        httpx.AsyncClient(base_url=processes["registration"].base_url, timeout=30) as registration,
        httpx.AsyncClient(base_url=processes["analytics"].base_url, timeout=30) as analytics,
    ):
        program_id = await create_program(registration)
        for person in persons[:10]:
            await register(registration, program_id, person)
        await eventually(partial(_participants, analytics, program_id), lambda n: n == 10)
        duplicates_before = metric(
            await scrape(processes["analytics"].base_url),
            "mentorship_messages_consumed_total",
            {"outcome": "duplicate"},
        )

        restart_started = time.monotonic()
        own_stack.stack.restart_kafka(crash=True)
        broker_back = time.monotonic() - restart_started
        for person in persons[10:]:
            await register(registration, program_id, person)
        await eventually(
            partial(_participants, analytics, program_id), lambda n: n == 20, timeout_s=90
        )
        events_through = time.monotonic() - restart_started
        assert (
            await eventually(partial(_all_ready, processes), lambda late: not late, timeout_s=90)
            == []
        )
        all_ready = time.monotonic() - restart_started

    text = await scrape(processes["analytics"].base_url)
    redelivered = metric(text, "mentorship_messages_consumed_total", {"outcome": "duplicate"})
    assert redelivered - duplicates_before < 10, "a consumer started over from the beginning"
    topic = f"{own_stack.prefix}{PARTICIPANTS.name}"
    assert await _partitions(own_stack.infrastructure.kafka_bootstrap, topic) == 6
    print(
        f"\nbroker restart (SIGKILL): broker back {broker_back:.1f}s, every event through "
        f"{events_through:.1f}s, every service ready {all_ready:.1f}s after the kill"
    )


async def test_readiness_is_503_while_a_consumer_cannot_commit_and_it_restarts_itself(
    launch: Launcher,
) -> None:
    analytics = launch(
        "analytics", FAILPOINTS="consumer.before_commit=raise", CONSUMER_STALL_TIMEOUT_S="3"
    )
    async with httpx.AsyncClient(base_url=analytics.base_url) as client:
        assert (await client.get("/readyz")).status_code == 200
        program_id = "stuck-prog"
        await publish_events(
            launch.environment("analytics")["KAFKA_BOOTSTRAP"],
            [example(ParticipantRegistered, program_id=program_id)],
            prefix=launch.environment("analytics")["KAFKA_TOPIC_PREFIX"],
        )
        _, body = await eventually(
            partial(readiness, analytics.base_url), lambda answer: answer[0] == 503
        )
    assert body["checks"] == {"mongodb": True, "kafka": True, "consumer": False}
    consumer = body["consumer"]
    assert isinstance(consumer, dict)
    assert "commit failed" in str(consumer["problem"])
    restarts = await eventually(
        partial(_restarts, analytics), lambda count: count >= 1, timeout_s=30
    )
    assert restarts >= 1


async def _restarts(process: ServiceProcess) -> float:
    return metric(await scrape(process.base_url), "mentorship_consumer_restarts_total")
