"""React to programs and pairs: the input of session planning."""

from __future__ import annotations

from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    PairCreated,
    PairEnded,
    ParticipantErased,
    ProgramCreated,
    ProgramUpdated,
)
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from scheduling.adapters.pairs import SchedulingPairs


def register_pair_handlers(handlers: EventHandlers, store: SchedulingPairs) -> None:
    """Subscribe scheduling to the events it plans from."""
    store.programs.follow(handlers, ProgramCreated, ProgramUpdated, key_field="program_id")

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        await store.pairs.put(event.data.pair_id, event.data, event.occurred_at, tx, ended=False)

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await store.pairs.mark(event.data.pair_id, tx, ended=True)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        participant = event.data.participant_id
        await store.pairs.delete_where({"mentor_participant_id": participant}, tx)
        await store.pairs.delete_where({"mentee_participant_id": participant}, tx)
