"""What scheduling listens to: programs, participants' time zones, pairs and erasures.

Each subscription hands the event's content to a use case, in the consumer's transaction.
"""

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
from mentorship_kit.program_access import ProgramManagers
from scheduling.usecases.pairs import Pairs
from scheduling.usecases.participants import Participants
from scheduling.usecases.programs import Programs


def subscribe(
    handlers: EventHandlers,
    *,
    programs: Programs,
    participants: Participants,
    pairs: Pairs,
    managers: ProgramManagers,
) -> None:
    """Subscribe scheduling to the events it plans from (and who manages each program)."""

    async def on_program(
        event: Envelope[ProgramCreated] | Envelope[ProgramUpdated], tx: Transaction
    ) -> None:
        await programs.changed(event.data, event.occurred_at, tx)

    handlers.on(ProgramCreated)(managers.recording(on_program))
    handlers.on(ProgramUpdated)(managers.recording(on_program))

    @handlers.on(ParticipantRegistered)
    async def on_registered(event: Envelope[ParticipantRegistered], tx: Transaction) -> None:
        await participants.registered(event.data, event.occurred_at, tx)

    @handlers.on(ParticipantUpdated)
    async def on_updated(event: Envelope[ParticipantUpdated], tx: Transaction) -> None:
        await participants.registered(event.data, event.occurred_at, tx)

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        await pairs.created(event.data, event.occurred_at, tx)

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await pairs.ended(event.data, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await participants.erased(event.data, tx)
