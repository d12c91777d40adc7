"""Projects every event into the read models, one bulk write per kind and consumer batch.

Handlers only collect the batch's events; just before the batch's transaction commits, the
projector loads the documents they touch, folds the events in (see
`analytics.domain.facts`) and writes the documents back. The consumer's processed-event
markers commit in the same transaction, so a batch is projected exactly once.
"""

from __future__ import annotations

from typing import Any

from analytics.adapters.read_models import ReadModels
from analytics.domain.facts import Batch
from analytics.handlers.metrics import AnalyticsMetrics
from mentorship_contracts import Envelope, IntegrationEvent
from mentorship_contracts.types import utc_now
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction

PENDING = "analytics.pending"


class Projector:
    """Folds consumed events into the read models."""

    def __init__(self, models: ReadModels, metrics: AnalyticsMetrics) -> None:
        self._models = models
        self._metrics = metrics

    def subscribe(
        self, handlers: EventHandlers, event_types: tuple[type[IntegrationEvent], ...]
    ) -> None:
        """Project every event of ``event_types``."""
        for event_type in event_types:
            handlers.on(event_type)(self._collect)

    async def _collect(self, envelope: Envelope[Any], tx: Transaction) -> None:
        pending: list[Envelope[Any]] | None = tx.scratch.get(PENDING)
        if pending is None:
            pending = []
            tx.scratch[PENDING] = pending
            tx.before_commit(lambda: self.project(pending, tx))
        pending.append(envelope)

    async def project(self, envelopes: list[Envelope[Any]], tx: Transaction) -> None:
        """Fold ``envelopes`` into their documents and store them, in ``tx``."""
        batch = Batch(tuple(envelopes))
        stored = await self._models.load(batch.targets, tx)
        erased_before = await self._models.erased_among(batch.named, tx)
        erasing = batch.erasing
        pairs = await self._models.pairs_of(erasing, tx) if erasing else []
        await self._models.save(batch.fold(stored, erased_before, pairs), tx)
        newest = max(envelope.occurred_at for envelope in envelopes)
        tx.after_commit(
            lambda: self._metrics.projected(len(envelopes), (utc_now() - newest).total_seconds())
        )
