"""What scheduling listens to: programs, participants' time zones, pairs and erasures."""

from __future__ import annotations

from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ProgramCreated,
    ProgramUpdated,
)
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from scheduling.adapters.pairs import SchedulingPairs
from scheduling.adapters.people import People
from scheduling.handlers.planning import Planner


def register_event_handlers(
    handlers: EventHandlers, store: SchedulingPairs, people: People, planner: Planner
) -> None:
    """Subscribe scheduling to the events it plans from."""

    async def plan_waiting_pairs(program_id: str, tx: Transaction) -> None:
        """Pairs that arrived before their program are planned once it is known."""
        for pair in await store.pairs.find(
            {"program_id": program_id}, tx, planned=False, ended=False
        ):
            if await planner.pair_created(pair, tx):
                await store.pairs.mark(pair.pair_id, tx, planned=True)

    @handlers.on(ProgramCreated)
    async def on_program_created(event: Envelope[ProgramCreated], tx: Transaction) -> None:
        await store.programs.put(event.data.program_id, event.data, event.occurred_at, tx)
        await plan_waiting_pairs(event.data.program_id, tx)

    @handlers.on(ProgramUpdated)
    async def on_program_updated(event: Envelope[ProgramUpdated], tx: Transaction) -> None:
        """A new end date reaches the planned series (see `Planner.program_changed`)."""
        before = await store.programs.get(event.data.program_id, tx)
        stored = await store.programs.put(event.data.program_id, event.data, event.occurred_at, tx)
        if stored and before is not None:
            await planner.program_changed(before, event.data, tx)
        await plan_waiting_pairs(event.data.program_id, tx)

    @handlers.on(ParticipantRegistered)
    async def on_registered(event: Envelope[ParticipantRegistered], tx: Transaction) -> None:
        await people.remember(event.data, event.occurred_at, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await people.remember(event.data, event.occurred_at, tx)

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        """Plan the pair; one naming an erased participant is forgotten, as erasure does."""
        members = (event.data.mentor_participant_id, event.data.mentee_participant_id)
        if await people.erased(members, tx):
            return
        planned = await planner.pair_created(event.data, tx)
        await store.pairs.put(
            event.data.pair_id, event.data, event.occurred_at, tx, ended=False, planned=planned
        )

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await store.pairs.mark(event.data.pair_id, tx, ended=True)
        await planner.pair_ended(event.data, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        participant = event.data.participant_id
        await store.pairs.delete_where({"mentor_participant_id": participant}, tx)
        await store.pairs.delete_where({"mentee_participant_id": participant}, tx)
        await planner.participant_erased(event.data, tx)
