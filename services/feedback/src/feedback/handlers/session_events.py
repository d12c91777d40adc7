"""React to sessions being held: feedback opens for their participants."""

from __future__ import annotations

from feedback.adapters.sessions import HeldSessions
from mentorship_contracts import Envelope
from mentorship_contracts.events import ParticipantErased, SessionCompleted
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


def register_session_handlers(handlers: EventHandlers, held: HeldSessions) -> None:
    """Subscribe feedback to the events that open and close feedback."""

    @handlers.on(SessionCompleted)
    async def on_completed(event: Envelope[SessionCompleted], tx: Transaction) -> None:
        await held.sessions.put(event.data.session_id, event.data, event.occurred_at, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await held.sessions.delete_where({"participant_ids": event.data.participant_id}, tx)
