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
    pool.programs.follow(handlers, ProgramCreated, ProgramUpdated, key_field="program_id")
    pool.participants.follow(
        handlers, ParticipantRegistered, ParticipantUpdated, key_field="participant_id"
    )

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)
