"""The Kafka side of the kit: a broker configured for at-least-once delivery, and publishing.

Producers wait for every in-sync replica (``acks=all``). Idempotent producers and Kafka
transactions are not used: the outbox plus consumer-side deduplication give effectively
once processing without them (and the embedded broker does not support them).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faststream.kafka import KafkaBroker
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from mentorship_kit.settings import ServiceSettings


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    """One record to publish; ``topic`` is a contract (unprefixed) topic name."""

    topic: str
    key: str
    value: bytes
    headers: Mapping[str, str]


_SASL = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}


def _tls_context(settings: ServiceSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.kafka_ssl_ca_file or None)
    if settings.kafka_ssl_cert_file:
        context.load_cert_chain(settings.kafka_ssl_cert_file, settings.kafka_ssl_key_file)
    return context


def broker_security(settings: ServiceSettings) -> BaseSecurity | None:
    """TLS and SASL as the ``KAFKA_SECURITY_PROTOCOL`` family of settings asks."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = _tls_context(settings) if settings.kafka_uses_tls else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    return _SASL[settings.kafka_sasl_mechanism](
        settings.kafka_sasl_username,
        settings.kafka_sasl_password.get_secret_value(),
        ssl_context=context,
        use_ssl=settings.kafka_uses_tls,
    )


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    """The connection options of a plain aiokafka client, security included."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap,
        "request_timeout_ms": settings.kafka_request_timeout_ms,
        **parse_security(broker_security(settings)),
    }


def create_broker(settings: ServiceSettings, logger: logging.Logger) -> KafkaBroker:
    """A broker for one service: its producer, and the consumers the service subscribes."""
    return KafkaBroker(
        settings.kafka_bootstrap,
        security=broker_security(settings),
        client_id=settings.service_name,
        acks="all",
        enable_idempotence=False,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_request_size=settings.kafka_max_message_bytes,
        logger=logger,
        log_level=logging.DEBUG,  # one line per message is too much at INFO
        graceful_timeout=5.0,
    )


class UnpublishableRecordError(Exception):
    """Kafka will never accept one record (it is too large): retrying cannot help."""

    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        """Position of the record in the batch; every record before it was published."""
        self.reason = reason


class RecordPublisher:
    """Publishes records in order and returns once Kafka acknowledged all of them."""

    def __init__(self, broker: KafkaBroker, settings: ServiceSettings) -> None:
        self._broker = broker
        self._settings = settings

    async def publish(self, records: Sequence[OutgoingRecord]) -> None:
        """Send ``records``, pipelined; raises if any of them was not acknowledged.

        Raises:
            UnpublishableRecordError: a record exceeds the size limit; the ones before it
                were published.
        """
        pending: list[asyncio.Future[object]] = []
        for index, record in enumerate(records):
            try:
                sent = await self._broker.publish(
                    record.value,
                    self._settings.topic_name(record.topic),
                    key=record.key.encode(),
                    headers=dict(record.headers),
                    correlation_id=record.headers.get("ce_correlationid"),
                    no_confirm=True,
                )
            except MessageSizeTooLargeError as error:
                await asyncio.gather(*pending)
                raise UnpublishableRecordError(index, str(error)) from error
            pending.append(sent)
        await asyncio.gather(*pending)
