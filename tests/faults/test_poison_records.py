"""#12.1 and #12.2: one bad record never costs the valid ones, and is parked once."""

from __future__ import annotations

import asyncio
import hashlib
import json
from functools import partial

from aiokafka import AIOKafkaProducer

from mentorship_contracts import encode, seal
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PARTICIPANTS, dead_letter_topic
from mentorship_devstack.kafka_tools import RawRecord, read_topic
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.services import ServiceProcess
from mentorship_devstack.stack import Infrastructure

from .conftest import committed_offset, metric, scrape

CONSUMER_GROUPS = ("matching", "scheduling", "feedback", "analytics")
"""Every group that consumes mentorship.participant.v1."""
TYPE = {"topic": PARTICIPANTS.name, "event_type": "ParticipantRegistered"}
Record = tuple[bytes, bytes, list[tuple[str, bytes]]]


async def _consumed(process: ServiceProcess) -> float:
    """How many ParticipantRegistered records the group got past (handled or not)."""
    text = await scrape(process.base_url)
    return sum(
        metric(text, "mentorship_messages_consumed_total", {**TYPE, "outcome": outcome})
        for outcome in ("processed", "duplicate", "ignored")
    )


async def _dead_letters(infrastructure: Infrastructure, prefix: str, group: str) -> list[RawRecord]:
    return await read_topic(
        infrastructure.kafka_bootstrap,
        f"{prefix}{dead_letter_topic(group).name}",
        until=lambda found: len(found) >= 3,
        timeout_s=2.0,
    )


async def _send_all(bootstrap: str, topic: str, records: list[Record]) -> list[int]:
    """Produce records in order on partition 0; returns their offsets."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=4 * 1024 * 1024
    )
    await producer.start()
    try:
        offsets = []
        for key, value, headers in records:
            sent = await producer.send_and_wait(topic, value, key=key, headers=headers, partition=0)
            offsets.append(sent.offset)
        return offsets
    finally:
        await producer.stop()


def _registered(
    program_id: str, participant_id: str
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    encoded = encode(
        seal(
            example(ParticipantRegistered, program_id=program_id, participant_id=participant_id),
            source="registration",
        )
    )
    headers = [(name, value.encode()) for name, value in encoded.headers.items()]
    return participant_id.encode(), encoded.value, headers


async def test_valid_events_after_a_poison_header_are_processed_by_every_group(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    processes = {group: launch(group, wait=False) for group in CONSUMER_GROUPS}
    for process in processes.values():
        process.wait_ready()
    key, value, headers = _registered("poison-prog", "poisoned")
    poison = (key, value, [*headers, ("ce_note", b"\xff\xfe\xfd")])
    topic = f"{kafka_prefix}{PARTICIPANTS.name}"

    offsets = await _send_all(
        infrastructure.kafka_bootstrap,
        topic,
        [poison, _registered("poison-prog", "valid-1"), _registered("poison-prog", "valid-2")],
    )

    for group, process in processes.items():
        assert await eventually(partial(_consumed, process), lambda n: n >= 2) == 2, group
    for group in CONSUMER_GROUPS:
        dead = await _dead_letters(infrastructure, kafka_prefix, group)
        assert [record.key for record in dead] == [b"poisoned"], group
        assert ("ce_note", b"\xff\xfe\xfd") in dead[0].raw_headers
        assert dead[0].headers["dlq_reason"] == "invalid"
        committed = await eventually(
            partial(
                committed_offset, infrastructure.kafka_bootstrap, f"{kafka_prefix}{group}", topic, 0
            ),
            lambda offset: offset >= offsets[-1] + 1,
        )
        assert committed == offsets[-1] + 1, group


async def test_a_two_megabyte_record_is_parked_once_and_the_partition_moves_on(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    analytics = launch("analytics")
    topic = f"{kafka_prefix}{PARTICIPANTS.name}"
    huge = b'{"event_type": "ParticipantRegistered", "padding": "' + b"x" * (2 * 1024 * 1024)
    before = _registered("big-prog", "before-big")
    after = _registered("big-prog", "after-big")

    offsets = await _send_all(
        infrastructure.kafka_bootstrap,
        topic,
        [before, (b"huge", huge, []), (b"junk", b"{not json", []), after],
    )

    await eventually(lambda: _consumed(analytics), lambda n: n >= 2)
    await asyncio.sleep(3.0)  # a redelivery loop would park the batch's bad records again
    dead = await _dead_letters(infrastructure, kafka_prefix, "analytics")
    assert sorted(record.key or b"" for record in dead) == [b"huge", b"junk"]
    parked = next(record for record in dead if record.key == b"huge")
    assert parked.headers["dlq_truncated"] == "value"
    pointer = json.loads(parked.value)
    assert (pointer["topic"], pointer["partition"], pointer["offset"]) == (topic, 0, offsets[1])
    assert pointer["size"] == len(huge)
    assert pointer["sha256"] == hashlib.sha256(huge).hexdigest()
    text = await scrape(analytics.base_url)
    assert metric(text, "mentorship_dead_letters_total") == 2
    committed = await committed_offset(
        infrastructure.kafka_bootstrap, f"{kafka_prefix}analytics", topic, 0
    )
    assert committed == offsets[-1] + 1
