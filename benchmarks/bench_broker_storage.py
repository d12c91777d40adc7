"""Benchmark: the embedded broker on memory and on durable storage, side by side.

Starts an embedded stack per storage, then times 500 produce requests one after another
(acks=all, each awaited), 5,000 pipelined ones, and one consumer group reading all 5,500 and
committing after every fetch. The last line is the result:

    broker_storage memory_sequential_s=.. memory_pipelined_s=.. memory_consume_s=..
                   durable_sequential_s=.. durable_pipelined_s=.. durable_consume_s=..

Usage: python benchmarks/bench_broker_storage.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from mentorship_contracts.topics import PARTICIPANTS
from mentorship_devstack.stack import EmbeddedStack, KafkaStorage
from mentorship_devstack.topics import create_topics

SEQUENTIAL = 500
PIPELINED = 5000
VALUE = b"x" * 300


async def _measure(bootstrap: str) -> dict[str, float]:
    await create_topics(bootstrap, prefix="bench.")
    topic = f"bench.{PARTICIPANTS.name}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        started = time.monotonic()
        for index in range(SEQUENTIAL):
            await producer.send_and_wait(topic, VALUE, key=str(index).encode())
        sequential = time.monotonic() - started
        started = time.monotonic()
        sends = [
            await producer.send(topic, VALUE, key=str(index).encode()) for index in range(PIPELINED)
        ]
        await asyncio.gather(*sends)
        pipelined = time.monotonic() - started
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id="bench",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        started, read = time.monotonic(), 0
        while read < SEQUENTIAL + PIPELINED and time.monotonic() - started < 300:
            batches = await consumer.getmany(timeout_ms=200)
            read += sum(len(records) for records in batches.values())
            await consumer.commit()
        consume = time.monotonic() - started
    finally:
        await consumer.stop()
    return {"sequential_s": sequential, "pipelined_s": pipelined, "consume_s": consume}


def main() -> None:
    """Measure both storages and print the figures."""
    figures: dict[str, float] = {}
    storages: tuple[KafkaStorage, ...] = ("memory", "durable")
    for storage in storages:
        with tempfile.TemporaryDirectory(prefix=f"bench-{storage}-") as scratch:
            stack = EmbeddedStack(Path(scratch), kafka_storage=storage)
            infrastructure = stack.start()
            try:
                measured = asyncio.run(_measure(infrastructure.kafka_bootstrap))
            finally:
                stack.stop()
        figures |= {f"{storage}_{name}": value for name, value in measured.items()}
    print("broker_storage " + " ".join(f"{name}={value:.2f}" for name, value in figures.items()))


if __name__ == "__main__":
    main()
