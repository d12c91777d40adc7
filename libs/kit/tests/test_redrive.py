"""Re-driving dead letters back to their topics, against a real broker."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mentorship_contracts import decode, encode, seal
from mentorship_contracts.events import ParticipantRegistered
from mentorship_contracts.examples import example
from mentorship_contracts.topics import PARTICIPANTS, dead_letter_topic
from mentorship_devstack.kafka_tools import RawRecord, publish_raw, read_topic
from mentorship_kit.redrive import REDRIVEN_FROM, main, redrive
from mentorship_kit.settings import ServiceSettings

pytestmark = pytest.mark.integration

GROUP = "analytics"


async def _park(
    settings: ServiceSettings, participant_id: str, *, reason: str, origin: str | None = None
) -> str:
    """Put an event on the group's dead-letter topic as its consumer would have."""
    encoded = encode(
        seal(example(ParticipantRegistered, participant_id=participant_id), source="test")
    )
    await publish_raw(
        settings.kafka_bootstrap,
        settings.topic_name(dead_letter_topic(GROUP).name),
        encoded.value,
        key=encoded.key.encode(),
        headers=encoded.headers
        | {
            "dlq_reason": reason,
            "dlq_error": "KeyError: 'program'",
            "dlq_topic": origin or settings.topic_name(PARTICIPANTS.name),
        },
    )
    return encoded.event_id


async def _participant_topic(settings: ServiceSettings, expected: int) -> list[RawRecord]:
    return await read_topic(
        settings.kafka_bootstrap,
        settings.topic_name(PARTICIPANTS.name),
        until=lambda found: len(found) >= expected,
        timeout_s=3,
    )


def _event_ids(records: Sequence[RawRecord]) -> list[str]:
    return sorted(str(decode(record.value).event_id) for record in records)


async def test_dead_letters_go_back_to_their_topic_once(settings: ServiceSettings) -> None:
    first = await _park(settings, "p-1", reason="handler_failed")
    second = await _park(settings, "p-2", reason="handler_failed")
    await _park(settings, "p-3", reason="handler_failed", origin="somewhere.else")

    summary = await redrive(settings, GROUP, idle_s=1.5)

    assert (summary.read, summary.redriven, summary.refused) == (3, 2, 1)
    records = await _participant_topic(settings, 2)
    assert _event_ids(records) == sorted([first, second])
    assert all(not name.startswith("dlq_") for record in records for name in record.headers)
    assert {record.headers[REDRIVEN_FROM] for record in records} == {
        settings.topic_name(dead_letter_topic(GROUP).name)
    }
    assert {record.headers["ce_type"] for record in records} == {"ParticipantRegistered"}

    again = await redrive(settings, GROUP, idle_s=1.5)

    assert again.read == 0, "the re-drive's position was committed"
    assert len(await _participant_topic(settings, 3)) == 2


async def test_a_dry_run_or_one_reason_leaves_the_position_alone(
    settings: ServiceSettings,
) -> None:
    await _park(settings, "p-1", reason="handler_failed")
    await _park(settings, "p-2", reason="malformed")

    counted = await redrive(settings, GROUP, dry_run=True, idle_s=1.5)
    chosen = await redrive(settings, GROUP, reason="handler_failed", idle_s=1.5)

    assert (counted.read, counted.redriven, dict(counted.by_reason)) == (
        2,
        0,
        {"handler_failed": 1, "malformed": 1},
    )
    assert (chosen.read, chosen.redriven, chosen.skipped) == (2, 1, 1)
    assert len(await _participant_topic(settings, 2)) == 1


def test_the_command_refuses_an_unknown_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["nobody"])
    assert "invalid choice" in capsys.readouterr().err
