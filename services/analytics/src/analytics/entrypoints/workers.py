"""The background loop that keeps the business gauges in step with the read models."""

from __future__ import annotations

import asyncio

from analytics.entrypoints.metrics import ALL_PROGRAMS, AnalyticsMetrics
from analytics.usecases.figures import BusinessFigures


class BusinessGauges:
    """Refreshes the business gauges from the read models now and then."""

    def __init__(
        self,
        figures: BusinessFigures,
        metrics: AnalyticsMetrics,
        *,
        interval_s: float,
        label_limit: int,
    ) -> None:
        self._figures = figures
        self._metrics = metrics
        self._interval_s = interval_s
        self._label_limit = label_limit

    async def run(self) -> None:
        """The background loop."""
        while True:
            await self.refresh()
            await asyncio.sleep(self._interval_s)

    async def refresh(self) -> None:
        """Recount every gauge: the platform total, then the latest programs one by one."""
        for figures in await self._figures.current(self._label_limit):
            program = figures.program_id or ALL_PROGRAMS
            self._metrics.participants.labels(program=program).set(figures.participants)
            self._metrics.pairs.labels(program=program).set(figures.active_pairs)
            self._metrics.sessions_held.labels(program=program).set(figures.sessions_held)
            self._metrics.average_rating.labels(program=program).set(figures.average_rating)
