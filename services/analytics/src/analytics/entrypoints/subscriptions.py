"""The event subscription: every projected event, one projection per consumer batch.

Handlers only collect the batch's events; just before the batch's transaction commits, the
projection use case loads the documents they touch, folds the events in (see
`analytics.domain.facts`), keeps the program aggregates in step (`analytics.domain.aggregates`)
and writes what changed. The consumer stores its partitions' offsets in the same transaction
(`Idempotence.OFFSETS`), so a redelivered batch is skipped; an event published twice (at
two offsets) is found in its document, which remembers the newest events folded into it: it
is not folded again, and the consumer counts it as a duplicate.
"""

from __future__ import annotations

from typing import Any

from analytics.entrypoints.metrics import AnalyticsMetrics
from analytics.usecases.projection import Projection
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.events import ProgramCreated, ProgramUpdated
from mentorship_contracts.types import utc_now
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from mentorship_kit.program_access import ProgramManagers

PENDING = "analytics.pending"


class Projector:
    """Hands each consumer batch of events to the projection."""

    def __init__(self, projection: Projection, metrics: AnalyticsMetrics) -> None:
        self._projection = projection
        self._metrics = metrics

    def subscribe(
        self,
        handlers: EventHandlers,
        event_types: tuple[type[IntegrationEvent], ...],
        managers: ProgramManagers,
    ) -> None:
        """Project every event of ``event_types``; keep who manages each program."""
        for event_type in event_types:
            if event_type in {ProgramCreated, ProgramUpdated}:
                handlers.on(event_type)(managers.recording(self._collect))
            else:
                handlers.on(event_type)(self._collect)

    async def _collect(self, envelope: Envelope[Any], tx: Transaction) -> None:
        pending: list[Envelope[Any]] | None = tx.scratch.get(PENDING)
        if pending is None:
            pending = []
            tx.scratch[PENDING] = pending
            tx.before_commit(lambda: self._project(pending, tx))
        pending.append(envelope)

    async def _project(self, envelopes: list[Envelope[Any]], tx: Transaction) -> None:
        projected = await self._projection.project(envelopes, tx)
        for event_id in projected.applied_before:
            tx.already_applied(event_id)  # counted as duplicates, as markers would have
        newest = max(envelope.occurred_at for envelope in envelopes)
        tx.after_commit(
            lambda: self._metrics.projected(
                len(envelopes), (utc_now() - newest).total_seconds(), projected.written
            )
        )
