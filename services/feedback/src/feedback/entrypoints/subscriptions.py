"""What feedback listens to: programs, participants, pairs, held sessions and erasures.

Each handler translates its event and calls a use case, in the consumer's transaction.
"""

from __future__ import annotations

from feedback.usecases.erasure import Erasure
from feedback.usecases.facts import Facts
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    DirectoryPersonErased,
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ProgramCreated,
    ProgramUpdated,
    SessionCompleted,
)
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction
from mentorship_kit.program_access import ProgramManagers


def register_event_handlers(
    handlers: EventHandlers, facts: Facts, erasure: Erasure, managers: ProgramManagers
) -> None:
    """Subscribe feedback to the facts it checks requests against (and programs' managers)."""

    async def program_changed(
        event: Envelope[ProgramCreated] | Envelope[ProgramUpdated], tx: Transaction
    ) -> None:
        await facts.program_changed(event.data, event.occurred_at, tx)

    handlers.on(ProgramCreated)(managers.recording(program_changed))
    handlers.on(ProgramUpdated)(managers.recording(program_changed))

    async def participant_known(
        event: Envelope[ParticipantRegistered] | Envelope[ParticipantUpdated], tx: Transaction
    ) -> None:
        data = event.data
        await facts.participant_known(
            data.participant_id,
            person_id=data.person_id,
            program_id=data.program_id,
            role=data.role,
            as_of=event.occurred_at,
            tx=tx,
            skills=data.profile.skills_wanted,
            manager_person_id=data.reporting_line[0] if data.reporting_line else None,
        )

    handlers.on(ParticipantRegistered)(participant_known)
    handlers.on(ParticipantUpdated)(participant_known)

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        await facts.pair_created(event.data, event.occurred_at, tx)

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await facts.pair_ended(event.data.pair_id, tx)

    @handlers.on(SessionCompleted)
    async def on_completed(event: Envelope[SessionCompleted], tx: Transaction) -> None:
        await facts.session_held(event.data, event.occurred_at, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await facts.flush(tx)  # what the batch said before the erasure is erased with it
        await erasure.erase(event.data.participant_id, tx)

    @handlers.on(DirectoryPersonErased)
    async def on_person_erased(event: Envelope[DirectoryPersonErased], tx: Transaction) -> None:
        await erasure.erase_person(event.data.person_id, tx)
