"""A running service runtime: consuming over Kafka, dead letters, probes, relay."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from mentorship_contracts import Envelope, encode, seal
from mentorship_contracts.events import PairCreated
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PAIRS, dead_letter_topic
from mentorship_devstack.kafka_tools import publish_raw, read_topic
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime

pytestmark = pytest.mark.integration


@pytest.fixture
async def started(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        await runtime.database["seen"].update_one(
            {"_id": event.data.pair_id}, {"$inc": {"times": 1}}, upsert=True, session=tx.session
        )

    await runtime.start()
    yield runtime
    await runtime.stop()


async def _eventually(check: Callable[[], object], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():  # type: ignore[misc]
            return
        await asyncio.sleep(0.1)
    pytest.fail("condition not met in time")


async def test_malformed_message_goes_to_dead_letters_and_consuming_goes_on(
    started: ServiceRuntime,
) -> None:
    settings = started.settings
    topic = settings.topic_name(PAIRS.name)
    await publish_raw(
        settings.kafka_bootstrap,
        topic,
        b'{"event_type": "PairCreated", "schema_version": 1, "data": {"pair_id": 7}}',
        key=b"pair-x",
        headers={"ce_type": "PairCreated", "ce_dataschema": "urn:mentorship:event:PairCreated:v1"},
    )
    valid = encode(seal(example(PairCreated, pair_id="after-the-bad-one"), source="matching"))
    await publish_raw(settings.kafka_bootstrap, topic, valid.value, key=b"after-the-bad-one")

    async def processed() -> bool:
        return await started.database["seen"].count_documents({}) == 1

    await _eventually(processed)
    dead = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_name(dead_letter_topic("kit-test").name),
        until=lambda found: len(found) >= 1,
    )
    assert len(dead) == 1
    assert dead[0].key == b"pair-x"
    assert dead[0].headers["dlq_reason"] == "invalid"
    assert "data.pair_id" in dead[0].headers["dlq_error"]
    assert dead[0].headers["dlq_topic"] == topic
    assert dead[0].headers["dlq_consumer_group"] == settings.consumer_group
    assert dead[0].headers["ce_type"] == "PairCreated", "original headers are kept"


async def test_redelivered_event_is_counted_once(started: ServiceRuntime) -> None:
    settings = started.settings
    envelope = seal(example(PairCreated, pair_id="twice"), source="matching")
    encoded = encode(envelope)
    for _ in range(2):
        await publish_raw(
            settings.kafka_bootstrap,
            settings.topic_name(PAIRS.name),
            encoded.value,
            key=encoded.key.encode(),
            headers=encoded.headers,
        )

    async def both_consumed() -> bool:
        value = started.metrics.registry.get_sample_value(
            "mentorship_messages_consumed_total",
            {"topic": PAIRS.name, "event_type": "PairCreated", "outcome": "duplicate"},
        )
        return value == 1.0

    await _eventually(both_consumed)
    seen = await started.database["seen"].find_one({"_id": "twice"})
    assert seen is not None
    assert seen["times"] == 1


async def test_readiness_reports_both_dependencies(started: ServiceRuntime) -> None:
    assert await started.readiness() == {"mongodb": True, "kafka": True}
