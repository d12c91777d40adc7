"""Matching's event subscriptions: the other services' events, translated into use cases.

The consumer keeps each partition's offset in the batch's transaction (`Idempotence.OFFSETS`,
no marker per event), so a redelivered batch is skipped; an event published twice (at two
offsets) is handled again, and every handler leaves the state as it was then:

- a registration or update: the pool keeps the newest state per participant with the id of
  its event, so the same event again changes nothing (and is counted as a duplicate), and
  an older one loses; manager statements are folded by a total order;
- a withdrawal removes a state only as old as itself or older (someone who registered again
  since stays, pairs and all); one of someone no longer there changes nothing;
- an erasure, a directory change or erasure, a program's settings (newest wins) and a fit
  report (only an active pair ends) come out the same however often they are applied.

A copy comes right after its original (a relay publishes in order and sends a batch again
before any later one), and a participant's events share a partition, so no copy of a
registration comes after the same participant's erasure.
"""

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
        await pool.participant_changed(event.data, event.occurred_at, event.event_id, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await pool.participant_changed(event.data, event.occurred_at, event.event_id, tx)

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        data = event.data
        await pool.participant_left(
            data.program_id,
            data.participant_id,
            PairEndReason.PARTICIPANT_WITHDREW,
            tx,
            as_of=event.occurred_at,
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
