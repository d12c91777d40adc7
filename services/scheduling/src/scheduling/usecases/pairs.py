"""The pairs matching announces: queued for planning as they arrive, ended, looked up.

A batch of `PairCreated` events is consumed in one transaction: each new pair is only noted
in it, and all of them are recorded together before it commits (one erasure-guard round and
one bulk write for the batch). Any other event about pairs or people handled in the same
transaction first records what was noted, so events keep their order.
"""

from __future__ import annotations

from datetime import datetime

from mentorship_contracts.events import PairCreated, PairEnded
from mentorship_kit.batching import Buffer
from mentorship_kit.outbox import Transaction
from scheduling.adapters.pairs import PairRepository
from scheduling.adapters.people import People
from scheduling.domain.planning import KnownPair
from scheduling.usecases.errors import PairNotFoundError
from scheduling.usecases.planning import Planner


class Pairs:
    """New pairs into the planning queue; ended pairs out of their series."""

    def __init__(self, *, pairs: PairRepository, people: People, planner: Planner) -> None:
        self._pairs = pairs
        self._people = people
        self._planner = planner
        self._noted: Buffer[tuple[PairCreated, datetime]] = Buffer("scheduling.pairs", self._record)

    async def created(self, pair: PairCreated, as_of: datetime, tx: Transaction) -> None:
        """Queue a new pair for planning, unless it names an erased participant.

        Recorded with the transaction's other new pairs just before it commits (or when another
        event about pairs or people comes first); the planning worker is woken once it has.
        """
        self._noted.add((pair, as_of), tx)

    async def record_noted(self, tx: Transaction) -> None:
        """Record the pairs noted in ``tx`` so far (one guard round, one bulk write)."""
        await self._noted.flush(tx)

    async def _record(self, noted: list[tuple[PairCreated, datetime]], tx: Transaction) -> None:
        erased = await self._people.erased_among(
            (p for pair, _ in noted for p in _member_ids(pair)), tx, registered=True
        )
        await self._pairs.record(
            [(pair, as_of) for pair, as_of in noted if not erased.intersection(_member_ids(pair))],
            tx,
        )
        tx.after_commit(self._planner.signal.notify)

    async def ended(self, ended: PairEnded, tx: Transaction) -> None:
        """A pair ended: it leaves the queue if still there, and its series otherwise."""
        await self.record_noted(tx)
        await self._pairs.mark_ended(ended.pair_id, tx)
        await self._planner.pair_ended(ended, tx)

    async def forget_naming(self, participant_id: str, tx: Transaction) -> None:
        """Forget every pair an erased participant is in."""
        await self.record_noted(tx)
        await self._pairs.forget_naming(participant_id, tx)

    async def known(self, pair_id: str) -> KnownPair:
        """A pair as scheduling knows it.

        Raises:
            PairNotFoundError: no such pair (or its people were erased).
        """
        found = await self._pairs.get(pair_id)
        if found is None:
            raise PairNotFoundError(pair_id)
        return found


def _member_ids(pair: PairCreated) -> tuple[str, str]:
    return pair.mentor_participant_id, pair.mentee_participant_id
