"""Projecting a batch of events into the read models, in the batch's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics.adapters.read_models import ReadModels
from analytics.domain.facts import Batch
from mentorship_contracts import Envelope
from mentorship_kit.outbox import Transaction


class Projection:
    """Loads the documents a batch touches, folds the batch in and stores them."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def project(self, envelopes: Sequence[Envelope[Any]], tx: Transaction) -> None:
        """Fold ``envelopes`` into their documents and store them, in ``tx``."""
        batch = Batch(tuple(envelopes))
        stored = await self._models.load(batch.targets, tx)
        await self._models.save(batch.fold(stored), tx)
