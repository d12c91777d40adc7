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
    """The kit's metrics, registered in one registry per service."""

    def __init__(self, service: str, version: str = "0.0.0") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        info = Gauge(
            "build_info",
            "Always 1; labels name the service and its version.",
            ["service", "version"],
            namespace=NAMESPACE,
            registry=registry,
        )
        info.labels(service=service, version=version).set(1)

        self.http_requests = Counter(
            "http_requests_total",
            "HTTP requests served, by route template and status code.",
            ["method", "route", "status_code"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.http_request_duration = Histogram(
            "http_request_duration_seconds",
            "Time to serve an HTTP request.",
            ["method", "route"],
            namespace=NAMESPACE,
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.http_in_flight = Gauge(
            "http_requests_in_flight",
            "HTTP requests being served.",
            namespace=NAMESPACE,
            registry=registry,
        )

        self.messages_consumed = Counter(
            "messages_consumed_total",
            "Records consumed, by outcome: processed, duplicate, ignored, dead_lettered.",
            ["topic", "event_type", "outcome"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.consumer_batch_duration = Histogram(
            "consumer_batch_duration_seconds",
            "Time to process one consumed batch, commit included.",
            namespace=NAMESPACE,
            registry=registry,
            buckets=LATENCY_BUCKETS,
        )
        self.consumer_errors = Counter(
            "consumer_errors_total",
            "Failed attempts to process events (retried, or dead-lettered when permanent).",
            ["kind"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "consumer_lag_seconds",
            "Age of the newest event processed from each topic when it was processed "
            "(processing time minus the event's occurred_at).",
            ["topic"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.consumer_last_processed = Gauge(
            "consumer_last_processed_timestamp_seconds",
            "When the consumer last committed a batch (Unix time).",
            namespace=NAMESPACE,
            registry=registry,
        )
        self.dead_letters = Counter(
            "dead_letters_total",
            "Records sent to the dead-letter topic, by reason.",
            ["topic", "reason"],
            namespace=NAMESPACE,
            registry=registry,
        )

        self.messages_published = Counter(
            "messages_published_total",
            "Events published to Kafka by the outbox relay.",
            ["topic", "event_type"],
            namespace=NAMESPACE,
            registry=registry,
        )
        self.publish_errors = Counter(
            "publish_errors_total",
            "Failed attempts of the outbox relay to publish a batch.",
            namespace=NAMESPACE,
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "outbox_pending_messages",
            "Events written to the outbox and not yet published.",
            namespace=NAMESPACE,
            registry=registry,
        )
        self.outbox_oldest_pending_age = Gauge(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest unpublished outbox event (0 when none).",
            namespace=NAMESPACE,
            registry=registry,
        )
        self.outbox_relay_leader = Gauge(
            "outbox_relay_leader",
            "1 while this replica holds the outbox publishing lease.",
            namespace=NAMESPACE,
            registry=registry,
        )

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
