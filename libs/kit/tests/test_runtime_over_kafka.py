"""A running service runtime: consuming over Kafka, dead letters, probes, relay."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaProducer
from pymongo.errors import AutoReconnect

from mentorship_contracts import Envelope, encode, seal
from mentorship_contracts.events import PairCreated
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PAIRS, dead_letter_topic
from mentorship_contracts.types import utc_now
from mentorship_devstack.kafka_tools import (
    publish_raw,
    publish_with_raw_header_name,
    read_topic,
)
from mentorship_devstack.pytest_plugin import SettingsFactory
from mentorship_kit.consumer import ConsumedRecord, _Decoded
from mentorship_kit.markers import LEGACY_COLLECTION, period_collection, period_end
from mentorship_kit.outbox import Transaction
from mentorship_kit.runtime import ServiceRuntime

from .conftest import KitTestSettings

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


async def test_a_started_consumer_maintains_its_weekly_marker_collections(
    started: ServiceRuntime,
) -> None:
    """This week's and next week's collections are created ahead, and counted; a new
    database gets no collection of earlier versions (it would be read with every batch)."""
    now = utc_now()
    wanted = {
        period_collection(period_end(now)),
        period_collection(period_end(now + timedelta(days=7))),
    }

    def counted() -> float | None:
        return started.metrics.registry.get_sample_value("mentorship_consumer_marker_collections")

    async def created() -> bool:
        return wanted <= set(await started.database.list_collection_names()) and bool(counted())

    await _eventually(created)
    assert LEGACY_COLLECTION not in await started.database.list_collection_names()
    assert counted() == 2


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


async def test_readiness_reports_the_dependencies_and_waits_for_the_consumer_to_join(
    started: ServiceRuntime,
) -> None:
    async def ready() -> bool:
        return await started.readiness() == {"mongodb": True, "kafka": True, "consumer": True}

    await _eventually(ready)


async def _publish_pair(started: ServiceRuntime, pair_id: str) -> None:
    settings = started.settings
    encoded = encode(seal(example(PairCreated, pair_id=pair_id), source="matching"))
    await publish_raw(
        settings.kafka_bootstrap,
        settings.topic_name(PAIRS.name),
        encoded.value,
        key=encoded.key.encode(),
        headers=encoded.headers,
    )


async def _seen(started: ServiceRuntime) -> set[str]:
    return {document["_id"] async for document in started.database["seen"].find()}


async def test_a_header_that_is_not_utf8_parks_its_record_alone_and_the_batch_goes_on(
    started: ServiceRuntime,
) -> None:
    settings = started.settings
    await _publish_pair(started, "before-the-poison")
    poison = encode(seal(example(PairCreated, pair_id="poisoned"), source="matching"))
    await publish_raw(
        settings.kafka_bootstrap,
        settings.topic_name(PAIRS.name),
        poison.value,
        key=b"poisoned",
        headers={**poison.headers, "ce_note": b"\xff\xfe\xfd"},
    )
    await _publish_pair(started, "after-the-poison-1")
    await _publish_pair(started, "after-the-poison-2")

    async def all_valid_ones_seen() -> bool:
        return {"before-the-poison", "after-the-poison-1", "after-the-poison-2"} <= await _seen(
            started
        )

    await _eventually(all_valid_ones_seen)
    dead = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_name(dead_letter_topic("kit-test").name),
        until=lambda found: len(found) >= 1,
        timeout_s=3.0,
    )
    assert [record.key for record in dead] == [b"poisoned"]
    [parked] = dead
    assert parked.headers["dlq_reason"] == "invalid"
    assert "'ce_note' is not UTF-8" in parked.headers["dlq_error"]
    assert ("ce_note", b"\xff\xfe\xfd") in parked.raw_headers, "raw header bytes are kept"
    assert parked.value == poison.value
    assert "poisoned" not in await _seen(started)


async def test_a_record_the_kafka_client_cannot_read_is_parked_alone_and_nothing_else_is_lost(
    started: ServiceRuntime,
) -> None:
    """aiokafka itself raises on a header *name* that is not UTF-8 (clients such as
    librdkafka send any bytes): the consumer must not crash on it forever, and must not lose
    the records the failed fetch had already taken from other partitions."""
    settings = started.settings
    topic = settings.topic_name(PAIRS.name)
    before = [f"before-{n}" for n in range(6)]
    after = [f"after-{n}" for n in range(6)]
    for pair_id in before:
        await _publish_pair(started, pair_id)
    unreadable = encode(seal(example(PairCreated, pair_id="unreadable"), source="matching"))
    offset = await publish_with_raw_header_name(
        settings.kafka_bootstrap,
        topic,
        unreadable.value,
        key=b"unreadable",
        header_name=b"\xff\xfe\xfd\xfc",
        partition=0,
    )
    for pair_id in after:
        await _publish_pair(started, pair_id)
    encoded = encode(seal(example(PairCreated, pair_id="after-on-its-partition"), source="x"))
    await publish_raw(settings.kafka_bootstrap, topic, encoded.value, key=b"k", partition=0)

    async def every_valid_one_seen() -> bool:
        return {*before, *after, "after-on-its-partition"} <= await _seen(started)

    await _eventually(every_valid_one_seen, timeout_s=30)
    dead = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_name(dead_letter_topic("kit-test").name),
        until=lambda found: len(found) >= 2,
        timeout_s=3.0,
    )
    assert len(dead) == 1
    [parked] = dead
    assert parked.headers["dlq_reason"] == "unreadable"
    assert (parked.headers["dlq_partition"], parked.headers["dlq_offset"]) == ("0", str(offset))
    assert "UnicodeDecodeError" in parked.headers["dlq_error"]
    assert parked.headers["dlq_truncated"] == "record", "a placeholder: never re-driven"
    assert "unreadable" not in await _seen(started)
    assert started.consumer is not None
    assert started.consumer.health.ready


@pytest.mark.parametrize("codec", ["gzip", "lz4", "snappy", "zstd"])
async def test_events_in_compressed_batches_are_processed(
    started: ServiceRuntime, codec: str
) -> None:
    """Producers of other teams, or a topic's compression.type on the brokers, compress
    batches with any codec Kafka has: one the consumer cannot decompress stops its group."""
    settings = started.settings
    encoded = encode(seal(example(PairCreated, pair_id=f"compressed-{codec}"), source="x"))
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", compression_type=codec
    )
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic_name(PAIRS.name), encoded.value, key=encoded.key.encode()
        )
    finally:
        await producer.stop()

    async def seen() -> bool:
        return f"compressed-{codec}" in await _seen(started)

    await _eventually(seen)


async def test_a_two_megabyte_record_is_parked_once_as_a_pointer_and_the_partition_moves_on(
    started: ServiceRuntime,
) -> None:
    settings = started.settings
    topic = settings.topic_name(PAIRS.name)
    huge = b"x" * (2 * 1024 * 1024)
    await publish_raw(
        settings.kafka_bootstrap, topic, huge, key=b"huge", max_request_size=4 * 1024 * 1024
    )
    await publish_raw(settings.kafka_bootstrap, topic, b"{not json", key=b"small-junk")
    await _publish_pair(started, "after-the-huge-one")

    async def after_seen() -> bool:
        return "after-the-huge-one" in await _seen(started)

    await _eventually(after_seen)
    await asyncio.sleep(2.0)  # time for a redelivery loop to show itself, were there one
    dead = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_name(dead_letter_topic("kit-test").name),
        until=lambda found: len(found) >= 3,
        timeout_s=3.0,
    )
    assert sorted(record.key or b"" for record in dead) == [b"huge", b"small-junk"]
    parked = next(record for record in dead if record.key == b"huge")
    assert parked.headers["dlq_truncated"] == "value"
    pointer = json.loads(parked.value)
    assert pointer["topic"] == topic
    assert pointer["size"] == len(huge)
    assert pointer["sha256"] == hashlib.sha256(huge).hexdigest()
    assert pointer["offset"] == int(parked.headers["dlq_offset"])


async def test_a_batch_the_database_refused_is_delivered_again_not_skipped(
    runtime: ServiceRuntime,
) -> None:
    refusals = {"flaky": 1}

    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        pair_id = event.data.pair_id
        if refusals.get(pair_id, 0) > 0:
            refusals[pair_id] -= 1
            raise AutoReconnect("the database went away")
        await runtime.database["seen"].update_one(
            {"_id": pair_id}, {"$inc": {"times": 1}}, upsert=True, session=tx.session
        )

    await runtime.start()
    try:
        for pair_id in ("first", "flaky", "last"):
            await _publish_pair(runtime, pair_id)

        async def all_seen() -> bool:
            return await _seen(runtime) == {"first", "flaky", "last"}

        await _eventually(all_seen)
        times = {d["_id"]: d["times"] async for d in runtime.database["seen"].find()}
    finally:
        await runtime.stop()
    assert times == {"first": 1, "flaky": 1, "last": 1}


async def test_an_idle_consumer_stays_ready_past_the_stall_timeout(
    make_settings: SettingsFactory,
) -> None:
    """Idle and caught up is progress: every partition answers its fetches."""
    runtime = ServiceRuntime(make_settings(KitTestSettings, consumer_stall_timeout_s=2.0))

    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        raise AssertionError("nothing is published")

    await runtime.start()
    try:
        consumer = runtime.consumer
        assert consumer is not None
        await _eventually(lambda: _true(consumer.health.ready))
        answers = []
        for _ in range(30):
            await asyncio.sleep(0.2)
            answers.append(consumer.health.ready)
    finally:
        await runtime.stop()
    assert all(answers)
    assert runtime.metrics.registry.get_sample_value("mentorship_consumer_restarts_total") == 0


async def _true(value: bool) -> bool:
    return value


async def test_the_next_batch_is_decoded_while_the_previous_one_is_in_its_transaction(
    runtime: ServiceRuntime,
) -> None:
    log: list[str] = []
    release = asyncio.Event()

    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        pair_id = event.data.pair_id
        log.append(f"applying {pair_id}")
        if pair_id == "first":
            await release.wait()  # the first batch's transaction stays open
        await runtime.database["seen"].update_one(
            {"_id": pair_id}, {"$inc": {"times": 1}}, upsert=True, session=tx.session
        )

    await runtime.start()
    consumer = runtime.consumer
    assert consumer is not None
    decode = consumer._decode

    async def observed(records: Sequence[ConsumedRecord]) -> _Decoded:
        decoded = await decode(records)
        log.extend(
            f"decoded {envelope.data.model_dump()['pair_id']}" for _, envelope in decoded.accepted
        )
        return decoded

    consumer._decode = observed  # type: ignore[method-assign]
    try:
        await _publish_pair(runtime, "first")
        await _eventually(lambda: asyncio.sleep(0, "applying first" in log))
        await _publish_pair(runtime, "second")
        await _eventually(lambda: asyncio.sleep(0, "decoded second" in log))
        assert "applying second" not in log, "applied only once the first batch committed"
        release.set()

        async def both_seen() -> bool:
            return await _seen(runtime) == {"first", "second"}

        await _eventually(both_seen)
    finally:
        await runtime.stop()
    assert log == ["decoded first", "applying first", "decoded second", "applying second"]


async def test_a_loop_waiting_for_the_consumer_to_catch_up_goes_on_after_the_backlog(
    make_settings: SettingsFactory,
) -> None:
    """What was published while the service was down is applied before the wait returns."""
    runtime = ServiceRuntime(make_settings(KitTestSettings, consumer_batch_size=4))
    applied: list[str] = []

    @runtime.handlers.on(PairCreated)
    async def on_pair(event: Envelope[PairCreated], tx: Transaction) -> None:
        await asyncio.sleep(0.02)
        applied.append(event.data.pair_id)

    backlog = [f"pair-{number}" for number in range(20)]
    for pair_id in backlog:
        await _publish_pair(runtime, pair_id)
    await runtime.start()
    try:
        async with asyncio.timeout(30):
            await runtime.consumer_caught_up()
        assert sorted(set(applied)) == sorted(backlog)
    finally:
        await runtime.stop()
