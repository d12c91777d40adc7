"""Analytics' Prometheus metrics: projection progress and lag, and the business gauges.

Business gauges carry a ``program`` label only for the most recently started programs (at
most ``ANALYTICS_PROGRAM_LABEL_LIMIT``, 20 by default); the ``all`` series always holds the
platform-wide total, so the number of series stays bounded however many programs run.
"""

from __future__ import annotations

from collections.abc import Mapping

from mentorship_kit.metrics import Metrics

ALL_PROGRAMS = "all"


class AnalyticsMetrics:
    """What analytics reports beyond the kit's consumer metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self._events = metrics.counter(
            "analytics_events_projected_total", "Events folded into the read models."
        )
        self._writes = metrics.counter(
            "analytics_documents_written_total",
            "Documents the projection wrote (read models and their aggregates), per collection.",
            "collection",
        )
        self._lag = metrics.gauge(
            "analytics_projection_lag_seconds",
            "Age (from its event time) of the newest event in the last projected batch.",
        )
        self.participants = metrics.gauge(
            "analytics_participants",
            "Participants in the program: registered, not withdrawn, not erased.",
            "program",
        )
        self.pairs = metrics.gauge("analytics_active_pairs", "Active pairs.", "program")
        self.sessions_held = metrics.gauge("analytics_sessions_held", "Sessions held.", "program")
        self.average_rating = metrics.gauge(
            "analytics_average_session_rating", "Average session rating (1-5).", "program"
        )

    def projected(
        self, events: int, lag_s: float, written: Mapping[str, int] | None = None
    ) -> None:
        """A batch of ``events`` was projected, writing ``written`` documents per collection.

        Its newest event is ``lag_s`` old.
        """
        self._events.inc(events)
        for collection, n in (written or {}).items():
            self._writes.labels(collection).inc(n)
        self._lag.set(max(0.0, lag_s))
