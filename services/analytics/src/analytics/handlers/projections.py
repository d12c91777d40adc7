"""Event handlers that keep the read models up to date."""

from __future__ import annotations

from analytics.adapters.participants import ParticipantsReadModel
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    ParticipantRegistered,
    ParticipantUpdated,
    ParticipantWithdrew,
)
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


def register_projections(handlers: EventHandlers, participants: ParticipantsReadModel) -> None:
    """Subscribe the read models to the events they project."""

    @handlers.on(ParticipantRegistered)
    async def on_registered(event: Envelope[ParticipantRegistered], tx: Transaction) -> None:
        await participants.record(event.data, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await participants.record(event.data, tx)

    @handlers.on(ParticipantWithdrew)
    async def on_withdrew(event: Envelope[ParticipantWithdrew], tx: Transaction) -> None:
        data = event.data
        await participants.withdraw(data.participant_id, data.program_id, data.withdrew_at, tx)
