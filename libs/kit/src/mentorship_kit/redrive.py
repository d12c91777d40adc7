"""Re-drive dead letters: publish the records a consumer group parked back to their topics.

Once the cause of a dead letter is fixed (a bug deployed away, a missing reference created),
the records are published again, unchanged, to the topic they came from. That is safe to repeat:
every consumer group skips events it already processed (by event id), so only groups that have
not processed an event act on it, and a record that fails again is simply parked again.

Run it where a service runs, with the same settings (Kafka address, prefix, credentials)::

    python -m mentorship_kit.redrive matching            # re-drive matching's dead letters
    python -m mentorship_kit.redrive matching --dry-run  # only count them, by reason and topic

The re-drive reads the dead-letter topic with a consumer group of its own
(``<group>.redrive``) and commits its position once the records are published, so each run
handles only what was parked since the last one. ``--dry-run`` and ``--reason`` (re-drive only
records parked for one reason) leave that position where it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from mentorship_contracts.topics import CONSUMER_GROUPS, EVENT_TOPICS, dead_letter_topic
from mentorship_kit.kafka import client_options
from mentorship_kit.settings import ServiceSettings

DLQ_HEADER_PREFIX = "dlq_"
REDRIVEN_FROM = "redriven_from"
TRUNCATED_HEADER = "dlq_truncated"
POLL_MS = 500


@dataclass
class RedriveSummary:
    """What a re-drive found and did."""

    group: str
    dry_run: bool
    read: int = 0
    redriven: int = 0
    skipped: int = 0
    """Records left alone: another reason than the one asked for."""
    refused: int = 0
    """Records never published back: their origin is not one of the platform's event topics,
    or they were parked shortened (``dlq_truncated``: too large to park whole)."""
    by_reason: Counter[str] = field(default_factory=Counter)
    by_topic: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> str:
        """The summary as one JSON line."""
        return json.dumps(
            {
                "group": self.group,
                "dry_run": self.dry_run,
                "read": self.read,
                "redriven": self.redriven,
                "skipped": self.skipped,
                "refused": self.refused,
                "by_reason": dict(sorted(self.by_reason.items())),
                "by_topic": dict(sorted(self.by_topic.items())),
            }
        )


async def redrive(
    settings: ServiceSettings,
    group: str,
    *,
    reason: str | None = None,
    dry_run: bool = False,
    idle_s: float = 5.0,
) -> RedriveSummary:
    """Publish ``group``'s dead letters back to their topics; stop after ``idle_s`` of silence."""
    if group not in CONSUMER_GROUPS:
        msg = f"unknown consumer group {group!r}; one of {', '.join(CONSUMER_GROUPS)}"
        raise ValueError(msg)
    origins = {settings.topic_name(topic.name) for topic in EVENT_TOPICS}
    summary = RedriveSummary(group=group, dry_run=dry_run)
    consumer = AIOKafkaConsumer(
        settings.topic_name(dead_letter_topic(group).name),
        group_id=f"{settings.kafka_topic_prefix}{group}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        **client_options(settings),
    )
    producer = AIOKafkaProducer(acks="all", enable_idempotence=False, **client_options(settings))
    await consumer.start()
    await producer.start()
    try:
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < idle_s:
            batches = await consumer.getmany(timeout_ms=POLL_MS)
            records = [record for batch in batches.values() for record in batch]
            if not records:
                continue
            quiet_since = time.monotonic()
            sends = [
                await _redrive_one(record, producer, origins, reason, summary) for record in records
            ]
            await asyncio.gather(*(send for send in sends if send is not None))
            if not dry_run and reason is None:
                await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()
    return summary


async def _redrive_one(
    record: Any,
    producer: AIOKafkaProducer,
    origins: set[str],
    reason: str | None,
    summary: RedriveSummary,
) -> asyncio.Future[Any] | None:
    raw_headers: list[tuple[str, bytes]] = [
        (name, value or b"") for name, value in record.headers or ()
    ]
    headers = {name: value.decode(errors="replace") for name, value in raw_headers}
    parked_for, origin = headers.get("dlq_reason", "unknown"), headers.get("dlq_topic", "")
    summary.read += 1
    summary.by_reason[parked_for] += 1
    if reason is not None and parked_for != reason:
        summary.skipped += 1
        return None
    if origin not in origins or TRUNCATED_HEADER in headers:
        summary.refused += 1  # never published, or parked shortened: not the original record
        return None
    summary.by_topic[origin] += 1
    if summary.dry_run:
        return None
    kept = [(name, value) for name, value in raw_headers if not name.startswith(DLQ_HEADER_PREFIX)]
    summary.redriven += 1
    future: asyncio.Future[Any] = await producer.send(
        origin,
        record.value,
        key=record.key,
        headers=[*kept, (REDRIVEN_FROM, record.topic.encode())],
    )
    return future


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: prints the summary as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m mentorship_kit.redrive",
        description="Publish a consumer group's dead letters back to the topics they came from.",
    )
    parser.add_argument("group", choices=CONSUMER_GROUPS, help="whose dead letters")
    parser.add_argument("--reason", help="only records parked for this reason (dlq_reason)")
    parser.add_argument("--dry-run", action="store_true", help="count only; publish nothing")
    parser.add_argument(
        "--idle-s", type=float, default=5.0, help="stop after this long without records"
    )
    arguments = parser.parse_args(argv)
    summary = asyncio.run(
        redrive(
            ServiceSettings(),
            arguments.group,
            reason=arguments.reason,
            dry_run=arguments.dry_run,
            idle_s=arguments.idle_s,
        )
    )
    print(summary.as_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
