"""Ending pairs (by an admin, a "not a good fit" answer, or someone leaving) and re-matching."""

from __future__ import annotations

from matching.adapters.metrics import MatchingMetrics
from matching.adapters.pairs import PairRepository
from matching.adapters.pool import MatchingPool
from matching.adapters.runs import RunRepository
from matching.domain.pairs import (
    Pair,
    PairAlreadyEndedError,
    PairStatus,
    end_pair,
    rematch_wanted,
)
from matching.usecases.errors import PairConflictError, PairNotFoundError
from matching.usecases.runs import RunService
from mentorship_contracts.types import PairEndReason
from mentorship_kit.outbox import Transaction, Transactor


class PairService:
    """Pairs as program managers and the other services' events change them."""

    def __init__(
        self,
        transactor: Transactor,
        *,
        pairs: PairRepository,
        runs: RunRepository,
        pool: MatchingPool,
        service: RunService,
        metrics: MatchingMetrics,
        rematch_on_early_end: bool,
        rematch_time_limit_s: float,
    ) -> None:
        self._transactor = transactor
        self._pairs = pairs
        self._runs = runs
        self._pool = pool
        self._service = service
        self._metrics = metrics
        self._rematch = rematch_on_early_end
        self._time_limit_s = rematch_time_limit_s

    async def get(self, pair_id: str) -> Pair:
        """A pair by id."""
        pair = await self._pairs.get(pair_id)
        if pair is None:
            raise PairNotFoundError(pair_id)
        return pair

    async def page(
        self, program_id: str, status: PairStatus | None, after: str | None, limit: int
    ) -> list[Pair]:
        """A program's pairs in id order."""
        await self._service.program(program_id)
        return await self._pairs.page(program_id, status=status, after=after, limit=limit)

    async def end_by_admin(self, pair_id: str, reason: PairEndReason, *, rematch: bool) -> Pair:
        """End an active pair; with ``rematch``, an early end queues a re-match run."""

        async def end(tx: Transaction) -> Pair:
            pair = await self._pairs.get(pair_id, tx)
            if pair is None:
                raise PairNotFoundError(pair_id)
            try:
                ended = await self.end(pair, reason, tx, rematch=rematch)
            except PairAlreadyEndedError as error:
                raise PairConflictError(str(error)) from error
            return ended or pair

        return await self._transactor.run(end)

    async def end(
        self, pair: Pair, reason: PairEndReason, tx: Transaction, *, rematch: bool = True
    ) -> Pair | None:
        """End ``pair`` in ``tx`` and announce it; None if it had ended meanwhile.

        Raises:
            PairAlreadyEndedError: ``pair`` (as read) is not active.
        """
        requested = rematch_wanted(reason, asked=rematch, enabled=self._rematch)
        ending = end_pair(pair, reason, tx.now, rematch_requested=requested)
        if not await self._pairs.end(pair.pair_id, reason, tx.now, tx):
            return None
        await self._pool.touch(pair.program_id, tx)
        tx.emit(ending.event)
        tx.after_commit(self._metrics.pairs_ended.labels(reason.value).inc)
        if requested:
            await self._service.queue_rematch(pair.program_id, self._time_limit_s, tx)
        return ending.pair

    async def end_for_fit(self, pair_id: str, tx: Transaction) -> None:
        """A pair member said the pairing does not fit: end it and re-match both."""
        pair = await self._pairs.get(pair_id, tx)
        if pair is not None and pair.status is PairStatus.ACTIVE:
            await self.end(pair, PairEndReason.NOT_A_GOOD_FIT, tx)

    async def participant_left(
        self, participant_id: str, reason: PairEndReason, tx: Transaction
    ) -> None:
        """End the pairs of someone who withdrew or was erased; re-match their partners."""
        for pair in await self._pairs.active_involving([participant_id], tx):
            await self.end(pair, reason, tx)

    async def erase(self, program_id: str, participant_id: str, tx: Transaction) -> None:
        """Replace an erased participant's ids in pairs and proposals (counts stay)."""
        await self._pairs.erase(participant_id, tx)
        await self._runs.erase_participant(program_id, participant_id, tx)
