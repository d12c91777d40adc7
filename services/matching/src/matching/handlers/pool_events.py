"""Keep the matching pool in step with registration's events."""

from __future__ import annotations

from matching.adapters.pool import MatchingPool
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
    ProgramUpdated,
)
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


def register_pool_handlers(handlers: EventHandlers, pool: MatchingPool) -> None:
    """Subscribe the pool to program and participant events."""

    @handlers.on(ProgramCreated)
    async def on_program_created(event: Envelope[ProgramCreated], tx: Transaction) -> None:
        await pool.programs.put(event.data.program_id, event.data, event.occurred_at, tx)

    @handlers.on(ProgramUpdated)
    async def on_program_updated(event: Envelope[ProgramUpdated], tx: Transaction) -> None:
        await pool.programs.put(event.data.program_id, event.data, event.occurred_at, tx)

    @handlers.on(ParticipantRegistered)
    async def on_registered(event: Envelope[ParticipantRegistered], tx: Transaction) -> None:
        await pool.participants.put(event.data.participant_id, event.data, event.occurred_at, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await pool.participants.put(event.data.participant_id, event.data, event.occurred_at, tx)

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)
