"""Scheduling's background workers: planning new pairs' series, and sending reminders."""

from __future__ import annotations

import asyncio
import logging
import time

from mentorship_kit.metrics import Metrics
from scheduling.usecases.planning import Planner
from scheduling.usecases.reminders import Reminders

logger = logging.getLogger(__name__)
BATCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class PlanningWorker:
    """Plans the queued pairs' series, a batch per transaction, as soon as they arrive."""

    def __init__(self, planner: Planner, metrics: Metrics, *, poll_s: float) -> None:
        self._planner = planner
        self._poll_s = poll_s
        self._planned = metrics.counter(
            "scheduling_pairs_planned_total",
            "New pairs whose series was planned (or joined, for a group's new mentee).",
        )
        self._batch_seconds = metrics.histogram(
            "scheduling_planning_batch_duration_seconds",
            "How long planning one batch of new pairs took, including its transaction.",
            buckets=BATCH_BUCKETS,
        )

    async def run(self) -> None:
        """The background loop: plan what is queued; when the queue is empty, wait for more."""
        while True:
            started = time.perf_counter()
            outcome = await self._planner.plan_pending()
            if outcome.planned:
                elapsed = time.perf_counter() - started
                self._batch_seconds.observe(elapsed)
                self._planned.inc(outcome.planned)
                logger.info(
                    "pairs planned",
                    extra={"pairs": outcome.planned, "seconds": round(elapsed, 3)},
                )
            if outcome.planned < self._planner.batch_size:
                await self._planner.signal.wait(self._poll_s)


class ReminderWorker:
    """Sends due reminders, then waits a poll interval."""

    def __init__(self, reminders: Reminders, metrics: Metrics, *, poll_s: float) -> None:
        self._reminders = reminders
        self._poll_s = poll_s
        self._sent = metrics.counter(
            "scheduling_reminders_sent_total", "Session reminders published, by lead time.", "lead"
        )
        self._stale = metrics.counter(
            "scheduling_reminders_dropped_total",
            "Reminders dropped because their session had started or a later one superseded them.",
        )

    async def run(self) -> None:
        """The background loop: send what is due, then wait a poll interval.

        On start, first every series stored without lookups (by an earlier version's pod
        during a rolling upgrade) gets them; each round then catches those stored since.
        """
        backfilled = await self._reminders.backfill_lookups()
        if backfilled:
            logger.info("series lookups backfilled", extra={"series": backfilled})
        while True:
            outcome = await self._reminders.send_due()
            for reminder in outcome.sent:
                self._sent.labels(lead=str(reminder.lead_minutes)).inc()
            if outcome.dropped:
                self._stale.inc(outcome.dropped)
            if outcome.due < self._reminders.batch_size:
                await asyncio.sleep(self._poll_s)
