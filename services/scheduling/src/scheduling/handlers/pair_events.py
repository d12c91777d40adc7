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

    @handlers.on(ProgramCreated)
    async def on_program_created(event: Envelope[ProgramCreated], tx: Transaction) -> None:
        await store.programs.put(event.data.program_id, event.data, event.occurred_at, tx)

    @handlers.on(ProgramUpdated)
    async def on_program_updated(event: Envelope[ProgramUpdated], tx: Transaction) -> None:
        await store.programs.put(event.data.program_id, event.data, event.occurred_at, tx)

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
