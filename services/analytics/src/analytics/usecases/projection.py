"""Projecting a batch of events into the read models and their aggregates, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analytics.adapters.read_models import ReadModels
from analytics.domain.aggregates import Derivation
from analytics.domain.facts import Batch
from mentorship_contracts import Envelope
from mentorship_kit.outbox import Transaction


@dataclass(frozen=True, slots=True)
class Projected:
    """What projecting a batch did."""

    written: dict[str, int]
    """Documents written per collection (read models and aggregates)."""
    applied_before: frozenset[str]
    """Ids of the batch's events that their documents already held (published twice)."""


class Projection:
    """Folds each batch into its documents, settles links and counters, stores the changes."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def project(self, envelopes: Sequence[Envelope[Any]], tx: Transaction) -> Projected:
        """Fold ``envelopes`` into their documents and aggregates, in ``tx``."""
        targets = Batch(tuple(envelopes)).targets
        derivation = Derivation(await self._models.load(targets, tx.session), looked_up=targets)
        derivation.fold(envelopes)
        while wanted := derivation.missing():
            derivation.supply(wanted, await self._models.load(wanted, tx.session))
        written = await self._models.save(derivation.changes(), derivation.created, tx.session)
        return Projected(written, derivation.applied_before)
