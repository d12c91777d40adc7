"""Matching's event subscriptions: the other services' events, translated into use cases."""

from __future__ import annotations

from matching.adapters.pool import MatchingPool
from matching.usecases.pairs import PairService
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    PairingFitReported,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
    ProgramCreated,
    ProgramUpdated,
)
from mentorship_contracts.types import PairEndReason
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


def register_event_handlers(
    handlers: EventHandlers, pool: MatchingPool, pairs: PairService
) -> None:
    """Keep the pool in step with registration, and pairs with the people in them."""
    pool.programs.follow(handlers, ProgramCreated, ProgramUpdated, key_field="program_id")
    pool.participants.follow(
        handlers, ParticipantRegistered, ParticipantUpdated, key_field="participant_id"
    )

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)
        await pairs.participant_left(
            event.data.participant_id, PairEndReason.PARTICIPANT_WITHDREW, tx
        )

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await pool.participants.delete(event.data.participant_id, tx)
        await pairs.participant_left(
            event.data.participant_id, PairEndReason.PARTICIPANT_ERASED, tx
        )
        await pairs.erase(event.data.program_id, event.data.participant_id, tx)

    @handlers.on(PairingFitReported)
    async def on_fit(event: Envelope[PairingFitReported], tx: Transaction) -> None:
        if not event.data.good_fit:
            await pairs.end_for_fit(event.data.pair_id, tx)
