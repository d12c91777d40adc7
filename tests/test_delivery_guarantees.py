"""Redelivery is absorbed and poison messages are parked, across real processes."""

from __future__ import annotations

import httpx
import pytest

from mentorship_contracts import seal
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PARTICIPANTS, dead_letter_topic
from mentorship_devstack.api import ADMIN_HEADERS
from mentorship_devstack.kafka_tools import publish_events, publish_raw, read_topic
from mentorship_devstack.pytest_plugin import Launcher, eventually
from mentorship_devstack.stack import Infrastructure

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _participants(client: httpx.AsyncClient, program_id: str) -> int:
    response = await client.get(
        f"/v1/programs/{program_id}/reports/registration", headers=ADMIN_HEADERS
    )
    count: int = response.json()["participants"]
    return count


async def _metrics(client: httpx.AsyncClient) -> str:
    return (await client.get("/metrics")).text


async def test_the_same_event_delivered_twice_is_counted_once(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    analytics = launch("analytics")
    event = seal(example(ParticipantRegistered, program_id="dup-prog"), source="registration")
    other = example(ParticipantRegistered, program_id="dup-prog", participant_id="marker")

    await publish_events(infrastructure.kafka_bootstrap, [event, event], prefix=kafka_prefix)
    await publish_events(infrastructure.kafka_bootstrap, [other, event], prefix=kafka_prefix)

    duplicates_seen = 'outcome="duplicate",topic="mentorship.participant.v1"} 2.0'
    async with httpx.AsyncClient(base_url=analytics.base_url) as client:
        # The four records land on different partitions (keyed by participant), so the marker
        # may be counted before the last copy is read: wait for both copies to be recognised.
        await eventually(lambda: _metrics(client), lambda metrics: duplicates_seen in metrics)
        count = await _participants(client, "dup-prog")
    assert count == 2


async def test_a_malformed_message_is_dead_lettered_and_the_consumer_keeps_going(
    launch: Launcher, infrastructure: Infrastructure, kafka_prefix: str
) -> None:
    analytics = launch("analytics")
    topic = f"{kafka_prefix}{PARTICIPANTS.name}"
    await publish_raw(
        infrastructure.kafka_bootstrap,
        topic,
        b'{"event_type": "ParticipantRegistered", "schema_version": 1, "data": {"role": "x"}}',
        key=b"poison",
    )
    await publish_raw(infrastructure.kafka_bootstrap, topic, b"\xff\xfe binary junk", key=b"junk")
    await publish_events(
        infrastructure.kafka_bootstrap,
        [example(ParticipantRegistered, program_id="after-poison")],
        prefix=kafka_prefix,
    )

    async with httpx.AsyncClient(base_url=analytics.base_url) as client:
        await eventually(lambda: _participants(client, "after-poison"), lambda n: n == 1)
        metrics = (await client.get("/metrics")).text
    dead = await read_topic(
        infrastructure.kafka_bootstrap,
        f"{kafka_prefix}{dead_letter_topic('analytics').name}",
        until=lambda found: len(found) >= 2,
    )
    assert sorted(record.key for record in dead if record.key) == [b"junk", b"poison"]
    poison = next(record for record in dead if record.key == b"poison")
    assert poison.headers["dlq_reason"] == "invalid"
    assert "data.role" in poison.headers["dlq_error"]
    assert poison.value.startswith(b'{"event_type": "ParticipantRegistered"')
    assert (
        'mentorship_dead_letters_total{reason="invalid",topic="mentorship.participant.v1"} 2.0'
        in metrics
    )
