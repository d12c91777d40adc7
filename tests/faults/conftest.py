"""Fault injection against the real broker and database (issue #12).

Every test here is marked ``faults`` (and ``e2e``): it runs services as real processes and
breaks something under them: a poison record, a record too large to park, a broker restart,
a consumer that cannot commit, a SIGTERM at a bad moment. Tests that restart the broker get
a stack of their own (`own_stack`), on durable storage; the others share the session's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from mentorship_devstack.pytest_plugin import ServiceLauncher, fresh_kafka_prefix
from mentorship_devstack.stack import EmbeddedStack, Infrastructure


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder as a fault test that runs real processes."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@dataclass
class OwnStack:
    """A broker (durable) and a database of this test's own, and services on them."""

    stack: EmbeddedStack
    infrastructure: Infrastructure
    prefix: str
    launch: ServiceLauncher


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[OwnStack]:
    """An embedded stack on durable storage that the test may restart, with a launcher."""
    stack = EmbeddedStack(tmp_path / "stack", kafka_storage="durable")
    infrastructure = stack.start()
    launcher = None
    try:
        prefix = asyncio.run(fresh_kafka_prefix(infrastructure))
        launcher = ServiceLauncher(infrastructure, prefix, tmp_path / "logs")
        yield OwnStack(stack, infrastructure, prefix, launcher)
    finally:
        if launcher is not None:
            launcher.stop_all()
        stack.stop()


def metric(exposition: str, name: str, labels: Mapping[str, str] | None = None) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels`` (0 when none)."""
    total = 0.0
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and all(
                sample.labels.get(key) == value for key, value in (labels or {}).items()
            ):
                total += sample.value
    return total


async def scrape(base_url: str) -> str:
    """A service's /metrics."""
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        return (await client.get("/metrics")).text


async def readiness(base_url: str) -> tuple[int, dict[str, object]]:
    """A service's /readyz status code and body (599 when it does not answer)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as client:
        try:
            response = await client.get("/readyz")
        except httpx.HTTPError as error:
            return 599, {"error": repr(error)}
    body: dict[str, object] = response.json()
    return response.status_code, body


async def committed_offset(bootstrap: str, group: str, topic: str, partition: int) -> int:
    """The offset ``group`` committed on a partition (-1 when none).

    Read by a consumer of that group that only assigns itself the partition (it does not
    join the group, so the members are not disturbed); tansu's answer to the admin client's
    OffsetFetch cannot be decoded by aiokafka.
    """
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await reader.start()
    try:
        position = TopicPartition(topic, partition)
        reader.assign([position])
        offset = await reader.committed(position)
    finally:
        await reader.stop()
    return -1 if offset is None else int(offset)


def timed() -> Iterator[float]:
    """Seconds since the first ``next()``."""
    started = time.monotonic()
    while True:
        yield time.monotonic() - started
