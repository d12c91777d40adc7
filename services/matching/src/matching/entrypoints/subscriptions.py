"""Matching's event subscriptions: the other services' events, translated into use cases."""

from __future__ import annotations

from matching.usecases.pairs import PairService
from matching.usecases.pool import PoolService
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    DirectoryPersonChanged,
    DirectoryPersonErased,
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
from mentorship_kit.program_access import ProgramManagers


def register_event_handlers(
    handlers: EventHandlers, pool: PoolService, pairs: PairService, managers: ProgramManagers
) -> None:
    """Keep the pool in step with registration, and pairs with the people in them."""

    async def on_program(
        event: Envelope[ProgramCreated] | Envelope[ProgramUpdated], tx: Transaction
    ) -> None:
        await pool.program_changed(event.data, event.occurred_at, tx)

    handlers.on(ProgramCreated)(managers.recording(on_program))
    handlers.on(ProgramUpdated)(managers.recording(on_program))

    @handlers.on(ParticipantRegistered)
    async def on_registered(event: Envelope[ParticipantRegistered], tx: Transaction) -> None:
        await pool.participant_changed(event.data, event.occurred_at, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await pool.participant_changed(event.data, event.occurred_at, tx)

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        data = event.data
        await pool.participant_left(
            data.program_id, data.participant_id, PairEndReason.PARTICIPANT_WITHDREW, tx
        )

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        data = event.data
        await pool.participant_left(
            data.program_id, data.participant_id, PairEndReason.PARTICIPANT_ERASED, tx
        )
        await pairs.erase(data.program_id, data.participant_id, tx)
        await pool.person_erased(data.person_id, tx)

    @handlers.on(DirectoryPersonChanged)
    async def on_directory_change(event: Envelope[DirectoryPersonChanged], tx: Transaction) -> None:
        await pool.directory_changed(event.data, tx)

    @handlers.on(DirectoryPersonErased)
    async def on_directory_erasure(event: Envelope[DirectoryPersonErased], tx: Transaction) -> None:
        await pool.person_erased(event.data.person_id, tx)

    @handlers.on(PairingFitReported)
    async def on_fit(event: Envelope[PairingFitReported], tx: Transaction) -> None:
        if not event.data.good_fit:
            await pairs.end_for_fit(event.data.pair_id, tx)
