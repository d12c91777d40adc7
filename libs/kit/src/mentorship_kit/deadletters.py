"""Dead letters: where a consumer group parks the records it can never process.

A dead letter keeps the original key, value and headers (as the bytes they were: a header
that is not UTF-8 is kept as it came) and adds why and where it failed in ``dlq_*`` headers.
Parking must succeed for anything the broker delivered, so a record too large to be
published again is shortened to fit the producer's limit (``KAFKA_MAX_MESSAGE_BYTES``), and
``dlq_truncated`` names what was shortened:

- ``value``: the value is replaced by a JSON pointer to the original record (topic, partition,
  offset, size, SHA-256) and its first bytes, base64-encoded;
- ``headers``: the original headers are left out (``dlq_headers_sha256`` and
  ``dlq_headers_size`` describe them);
- ``key``: the key is replaced by its SHA-256 (hex);
- ``record``: the Kafka client could not read the record at all (e.g. a header name that is
  not UTF-8): nothing of it is kept, the ``dlq_*`` headers say where it is.

A shortened record is never re-driven (it is not the original any more): read the original
from its topic at ``dlq_partition`` / ``dlq_offset`` while retention keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from mentorship_contracts.topics import dead_letter_topic
from mentorship_contracts.types import utc_now
from mentorship_kit.kafka import client_options
from mentorship_kit.metrics import Metrics
from mentorship_kit.settings import ServiceSettings

TRUNCATED_HEADER = "dlq_truncated"
HEADERS_BUDGET_BYTES = 64 * 1024
"""Original headers larger than this (all together) are left out of a dead letter."""
KEY_BUDGET_BYTES = 4 * 1024
"""A key longer than this is replaced by its hash."""
VALUE_PREFIX_BYTES = 5
"""The most a value's length prefix (a varint) takes on the wire."""
VALUE_HEAD_BYTES = 1024
"""How much of a replaced value its pointer keeps."""
ERROR_TEXT_CHARS = 4000

logger = logging.getLogger(__name__)

RawHeaders = tuple[tuple[str, bytes | None], ...]


class UnreadableHeaderError(ValueError):
    """A record header cannot be read as the text the contracts say it is."""


@dataclass(frozen=True, slots=True)
class ConsumedRecord:
    """A Kafka record as the consumer sees it: bytes, nothing decoded yet."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: RawHeaders = ()
    unreadable: str = ""
    """Why the Kafka client could not read this record (then key, value and headers are
    empty: only its position is known)."""

    @classmethod
    def from_kafka(cls, record: Any) -> ConsumedRecord:
        """Adapt an aiokafka ``ConsumerRecord`` (header values stay bytes, or None)."""
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
            headers=tuple((str(name), value) for name, value in record.headers or ()),
        )

    def decoded_headers(self) -> dict[str, str]:
        """Headers decoded as UTF-8, as the contracts define them (a null value is empty).

        Raises:
            UnreadableHeaderError: a header value is not UTF-8.
        """
        decoded = {}
        for name, value in self.headers:
            try:
                decoded[name] = value.decode() if value is not None else ""
            except UnicodeDecodeError as error:
                msg = f"header {name!r} is not UTF-8 ({error.reason} at byte {error.start})"
                raise UnreadableHeaderError(msg) from error
        return decoded

    def text_headers(self) -> dict[str, str]:
        """Headers decoded as UTF-8 (undecodable bytes replaced, a null value empty)."""
        return {
            name: value.decode(errors="replace") if value is not None else ""
            for name, value in self.headers
        }


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """The record to publish to a dead-letter topic."""

    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    truncated: tuple[str, ...]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _encoded_headers(headers: RawHeaders) -> list[tuple[str, bytes]]:
    return [(name, value if value is not None else b"") for name, value in headers]


def _size(headers: Sequence[tuple[str, bytes]]) -> int:
    return sum(len(name.encode(errors="surrogateescape")) + len(value) for name, value in headers)


def dead_letter(
    record: ConsumedRecord, reasons: Mapping[str, str], *, max_bytes: int
) -> DeadLetter:
    """The dead letter of ``record``: original bytes plus ``reasons``, within ``max_bytes``."""
    truncated: list[str] = ["record"] if record.unreadable else []
    extra: dict[str, str] = {}
    key = record.key
    if key is not None and len(key) > KEY_BUDGET_BYTES:
        key = _sha256(key).encode()
        truncated.append("key")
    original = _encoded_headers(record.headers)
    if _size(original) > HEADERS_BUDGET_BYTES:
        joined = b"".join(name.encode(errors="surrogateescape") + value for name, value in original)
        extra |= {"dlq_headers_sha256": _sha256(joined), "dlq_headers_size": str(len(joined))}
        original = []
        truncated.append("headers")
    reasons_encoded = [(name, text.encode()) for name, text in {**reasons, **extra}.items()]
    ours = {TRUNCATED_HEADER} | {name for name, _ in reasons_encoded}
    kept = [(name, item) for name, item in original if name not in ours]
    # What the producer counts against its limit: every header with its length prefixes
    # (many small headers cost more in prefixes than in bytes), the reasons (error texts in
    # any script), and the longest dlq_truncated header this letter could get.
    longest_truncated = (TRUNCATED_HEADER, b"record,key,headers,value")
    framing = DefaultRecordBatchBuilder.estimate_size_in_bytes(
        key, b"", [*kept, *reasons_encoded, longest_truncated]
    )
    value = record.value
    room = max_bytes - framing - VALUE_PREFIX_BYTES
    if len(value) > room:
        pointer = {
            "dlq_truncated": True,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "size": len(value),
            "sha256": _sha256(value),
            "head_base64": base64.b64encode(value[:VALUE_HEAD_BYTES]).decode(),
        }
        value = json.dumps(pointer).encode()
        truncated.append("value")
    if truncated:
        reasons_encoded.append((TRUNCATED_HEADER, ",".join(truncated).encode()))
    return DeadLetter(key, value, [*kept, *reasons_encoded], tuple(truncated))


class DeadLetterSink(Protocol):
    """Where records that can never be processed go."""

    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        """Park ``record`` with why it failed; raise if it could not be parked."""


class DeadLetters:
    """Publishes records a consumer group can never process to its dead-letter topic.

    Uses a producer of its own (started with `start`), which sends header values as the
    bytes they were.
    """

    def __init__(self, settings: ServiceSettings, metrics: Metrics) -> None:
        self._settings = settings
        self._metrics = metrics
        self.topic = settings.topic_name(dead_letter_topic(settings.service_name).name)
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect the producer."""
        producer = AIOKafkaProducer(
            client_id=f"{self._settings.service_name}-deadletters",
            acks="all",
            enable_idempotence=False,
            max_request_size=self._settings.kafka_max_message_bytes,
            **client_options(self._settings),
        )
        await producer.start()
        self._producer = producer

    async def stop(self) -> None:
        """Flush and close the producer."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def send(self, record: ConsumedRecord, base_topic: str, reason: str, error: str) -> None:
        """Publish ``record`` with why it failed in ``dlq_*`` headers (shortened if too large)."""
        if self._producer is None:
            await self.start()
        assert self._producer is not None
        letter = dead_letter(
            record,
            {
                "dlq_reason": reason,
                "dlq_error": error[:ERROR_TEXT_CHARS],
                "dlq_topic": record.topic,
                "dlq_partition": str(record.partition),
                "dlq_offset": str(record.offset),
                "dlq_consumer_group": self._settings.consumer_group,
                "dlq_failed_at": utc_now().isoformat(),
            },
            max_bytes=self._settings.kafka_max_message_bytes,
        )
        await self._producer.send_and_wait(
            self.topic, letter.value, key=letter.key, headers=letter.headers
        )
        self._metrics.dead_letters.labels(base_topic, reason).inc()
        logger.error(
            "record dead-lettered",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "reason": reason,
                "error": error[:500],
                "truncated": ",".join(letter.truncated),
            },
        )
