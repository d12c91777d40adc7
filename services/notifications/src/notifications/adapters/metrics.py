"""The service's own Prometheus metrics: deliveries by channel and kind, and their age."""

from __future__ import annotations

from mentorship_kit.metrics import Metrics
from notifications.domain.deliveries import Delivery, Outcome, Status


class DeliveryMetrics:
    """Sent, failed and retried deliveries (labels: channel and kind, both bounded)."""

    def __init__(self, metrics: Metrics) -> None:
        self.sent = metrics.counter(
            "notifications_sent_total", "Messages sent, by channel and kind.", "channel", "kind"
        )
        self.failed = metrics.counter(
            "notifications_failed_total",
            "Deliveries failed for good (permanent failure or attempts exhausted).",
            "channel",
            "kind",
        )
        self.retried = metrics.counter(
            "notifications_retried_total",
            "Temporary failures that were scheduled for another attempt.",
            "channel",
            "kind",
        )
        self.planned = metrics.counter(
            "notifications_planned_total",
            "Delivery records planned from events, by channel and kind.",
            "channel",
            "kind",
        )
        self.send_duration = metrics.histogram(
            "notifications_send_duration_seconds",
            "Time to compose and send one message.",
            "channel",
        )
        self.oldest_pending_age = metrics.gauge(
            "notifications_oldest_pending_age_seconds",
            "How long the oldest due, unsent delivery has waited (0 when none).",
        )
        self.failed_open = metrics.gauge(
            "notifications_failed_deliveries",
            "Deliveries failed for good and still on record (admins see them).",
        )

    def settled(self, before: Delivery, after: Delivery, outcome: Outcome) -> None:
        """Count one attempt's outcome."""
        labels = (before.channel.value, before.kind.value)
        if after.status is Status.SENT:
            self.sent.labels(*labels).inc()
        elif after.status is Status.FAILED:
            self.failed.labels(*labels).inc()
        elif outcome is Outcome.TEMPORARY:
            self.retried.labels(*labels).inc()
