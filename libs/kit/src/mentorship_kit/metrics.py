"""Prometheus metrics of the mechanics: RED for HTTP and messaging, outbox health.

Names follow the Prometheus guide: one ``mentorship_`` prefix, base units, ``_total`` on
counters. Label values are bounded: HTTP routes are templates (never raw paths), topics
and event types come from the contracts (anything else is reported as ``unknown``). Each
service gets its own registry so tests can run several services in one process.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# The *_created series double the output and nobody reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

NAMESPACE = "mentorship"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

__all__ = ["CONTENT_TYPE_LATEST", "NAMESPACE", "Metrics"]


class Metrics:
    """The kit's metrics, registered in one registry per service.

    Services add their own (domain gauges and the like) with `counter`, `gauge` and
    `histogram`, which apply the namespace and the registry.
    """

    def __init__(self, service: str, version: str = "0.0.0") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        info = self.gauge(
            "build_info", "Always 1; labels name the service and version.", "service", "version"
        )
        info.labels(service=service, version=version).set(1)

        self.http_requests = self.counter(
            "http_requests_total",
            "HTTP requests served, by route template and status code.",
            "method",
            "route",
            "status_code",
        )
        self.http_request_duration = self.histogram(
            "http_request_duration_seconds", "Time to serve an HTTP request.", "method", "route"
        )
        self.http_in_flight = self.gauge("http_requests_in_flight", "HTTP requests being served.")

        self.messages_consumed = self.counter(
            "messages_consumed_total",
            "Records consumed, by outcome: processed, duplicate, ignored, dead_lettered.",
            "topic",
            "event_type",
            "outcome",
        )
        self.consumer_batch_duration = self.histogram(
            "consumer_batch_duration_seconds",
            "Time to process one consumed batch, commit included.",
        )
        self.consumer_errors = self.counter(
            "consumer_errors_total",
            "Failed attempts to process events (retried, or dead-lettered when permanent).",
            "kind",
        )
        self.consumer_lag = self.gauge(
            "consumer_lag_seconds",
            "Age of the newest event processed from each topic when it was processed "
            "(processing time minus the event's occurred_at).",
            "topic",
        )
        self.consumer_last_processed = self.gauge(
            "consumer_last_processed_timestamp_seconds",
            "When the consumer last committed a batch (Unix time).",
        )
        self.consumer_ready = self.gauge(
            "consumer_ready",
            "1 while the consumer group member is joined and making progress (or idle and "
            "caught up), as /readyz reports it.",
        )
        self.consumer_restarts = self.counter(
            "consumer_restarts_total",
            "Times the consumer closed its Kafka client and started a new one, having made no "
            "progress for CONSUMER_STALL_TIMEOUT_S.",
        )
        self.consumer_idempotence_writes = self.counter(
            "consumer_idempotence_writes_total",
            "Documents a consumer wrote so that redelivery changes nothing: processed-event "
            "markers, or partition offsets (see Idempotence).",
        )
        self.consumer_marker_collections = self.gauge(
            "consumer_marker_collections",
            "Collections of processed-event markers (one per week, and the one of earlier "
            "versions until it ages out), as the last maintenance counted them.",
        )
        self.consumer_marker_collections_dropped = self.counter(
            "consumer_marker_collections_dropped_total",
            "Marker collections dropped by the weekly clean-up, their retention passed.",
        )
        self.dead_letters = self.counter(
            "dead_letters_total",
            "Records sent to the dead-letter topic, by reason.",
            "topic",
            "reason",
        )

        self.messages_published = self.counter(
            "messages_published_total",
            "Events published to Kafka by the outbox relay.",
            "topic",
            "event_type",
        )
        self.publish_errors = self.counter(
            "publish_errors_total", "Failed attempts of the outbox relay to publish a batch."
        )
        self.outbox_pending = self.gauge(
            "outbox_pending_messages", "Events written to the outbox and not yet published."
        )
        self.outbox_oldest_pending_age = self.gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished outbox event (0 when none).",
        )
        self.transaction_retries = self.counter(
            "transaction_retries_total",
            "Units of work re-run after a transient transaction error (write conflicts).",
        )
        self.outbox_relay_leader = self.gauge(
            "outbox_relay_leader", "1 while this replica holds the outbox publishing lease."
        )

    def counter(self, name: str, documentation: str, *labels: str) -> Counter:
        """A counter in this registry, named ``mentorship_<name>``."""
        return Counter(name, documentation, labels, namespace=NAMESPACE, registry=self.registry)

    def gauge(self, name: str, documentation: str, *labels: str) -> Gauge:
        """A gauge in this registry, named ``mentorship_<name>``."""
        return Gauge(name, documentation, labels, namespace=NAMESPACE, registry=self.registry)

    def histogram(
        self,
        name: str,
        documentation: str,
        *labels: str,
        buckets: tuple[float, ...] = LATENCY_BUCKETS,
    ) -> Histogram:
        """A histogram in this registry, named ``mentorship_<name>``."""
        return Histogram(
            name,
            documentation,
            labels,
            namespace=NAMESPACE,
            registry=self.registry,
            buckets=buckets,
        )

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
