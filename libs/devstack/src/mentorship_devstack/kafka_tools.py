"""Read and write raw Kafka records, for tests that check what really is on a topic."""

from __future__ import annotations

import asyncio
import struct
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.record.util import calc_crc32c

from mentorship_contracts import Envelope, IntegrationEvent, encode, seal


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as read back from a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    """Header values decoded as UTF-8 (undecodable bytes replaced)."""
    raw_headers: tuple[tuple[str, bytes], ...] = ()
    """Header values as the bytes they are on the topic."""


async def publish_raw(
    bootstrap: str,
    topic: str,
    value: bytes,
    *,
    key: bytes | None = None,
    headers: Mapping[str, str | bytes] | None = None,
    max_request_size: int = 1_048_576,
    partition: int | None = None,
) -> int:
    """Produce one record exactly as given (no envelope, no validation).

    Header values given as bytes are sent as they are (they need not be UTF-8); raise
    ``max_request_size`` to send a record larger than a service's producer would. Returns
    the record's offset.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=max_request_size
    )
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic,
            value,
            key=key,
            partition=partition,
            headers=[
                (name, item if isinstance(item, bytes) else item.encode())
                for name, item in (headers or {}).items()
            ],
        )
        return int(sent.offset)
    finally:
        await producer.stop()


_CRC_OFFSET = 17
"""Where a v2 record batch keeps its CRC-32C, which covers every byte after it."""
_PLACEHOLDER = b"\x01\x02\x03\x04"


async def publish_with_raw_header_name(
    bootstrap: str, topic: str, value: bytes, *, key: bytes, header_name: bytes, partition: int
) -> int:
    """Produce one record whose one header is named by ``header_name``, exactly these bytes.

    Clients take header names as text, so they cannot send a name that is not UTF-8 (which
    other clients, librdkafka's for one, can): the batch is built with a placeholder name of
    the same length, patched, and its checksum recomputed. Returns the record's offset.
    """
    placeholder = (_PLACEHOLDER * len(header_name))[: len(header_name)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        batch = producer.create_batch()
        batch.append(timestamp=None, key=key, value=value, headers=[(placeholder.decode(), b"v")])
        built = bytearray(batch._build())  # the only way to reach the bytes
        if len(header_name) < len(_PLACEHOLDER) or built.count(placeholder) != 1:
            msg = "header_name must be at least 4 bytes, unlike anything in key or value"
            raise ValueError(msg)
        at = built.index(placeholder)
        built[at : at + len(placeholder)] = header_name
        struct.pack_into(">I", built, _CRC_OFFSET, calc_crc32c(bytes(built[_CRC_OFFSET + 4 :])))
        batch._buffer = built
        sent = await (await producer.send_batch(batch, topic, partition=partition))
        return int(sent.offset)
    finally:
        await producer.stop()


async def publish_events(
    bootstrap: str,
    events: Sequence[IntegrationEvent | Envelope[IntegrationEvent]],
    *,
    prefix: str = "",
    source: str = "test",
) -> list[Envelope[IntegrationEvent]]:
    """Publish events as a service would (envelope, key, CloudEvents headers), in order."""
    envelopes = [
        item if isinstance(item, Envelope) else seal(item, source=source) for item in events
    ]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for envelope in envelopes:
            encoded = encode(envelope)
            await producer.send_and_wait(
                f"{prefix}{encoded.topic.name}",
                encoded.value,
                key=encoded.key.encode(),
                headers=[(name, value.encode()) for name, value in encoded.headers.items()],
            )
    finally:
        await producer.stop()
    return envelopes


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[Sequence[RawRecord]], bool] = lambda _: False,
    timeout_s: float = 10.0,
) -> list[RawRecord]:
    """Every record of ``topic`` from the beginning, read without a consumer group.

    Reads until ``until(records)`` holds or ``timeout_s`` passes (then returns what it
    has), so a test can also assert that something did *not* arrive.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    records: list[RawRecord] = []
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        deadline = time.monotonic() + timeout_s
        while not partitions and time.monotonic() < deadline:
            await consumer.topics()
            partitions = consumer.partitions_for_topic(topic) or set()
            await asyncio.sleep(0.1)
        assigned = [TopicPartition(topic, partition) for partition in sorted(partitions)]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        while time.monotonic() < deadline and not until(records):
            batches = await consumer.getmany(timeout_ms=200)
            records.extend(
                RawRecord(
                    topic=item.topic,
                    partition=item.partition,
                    offset=item.offset,
                    key=item.key,
                    value=item.value or b"",
                    headers={
                        name: (raw or b"").decode(errors="replace") for name, raw in item.headers
                    },
                    raw_headers=tuple((name, raw or b"") for name, raw in item.headers),
                )
                for batch in batches.values()
                for item in batch
            )
    finally:
        await consumer.stop()
    return records
