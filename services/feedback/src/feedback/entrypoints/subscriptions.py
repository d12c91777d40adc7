"""What feedback listens to: programs, participants, pairs, held sessions and erasures."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.sessions import HeldSessions
from feedback.handlers.erasure import Erasure
from mentorship_contracts import Envelope
from mentorship_contracts.events import (
    PairCreated,
    PairEnded,
    ParticipantErased,
    ParticipantRegistered,
    ParticipantUpdated,
    ProgramCreated,
    ProgramUpdated,
    SessionCompleted,
)
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.consumer import EventHandlers
from mentorship_kit.outbox import Transaction


def register_event_handlers(
    handlers: EventHandlers, directory: Directory, held: HeldSessions, erasure: Erasure
) -> None:
    """Subscribe feedback to the facts it checks requests against."""
    directory.programs.follow(handlers, ProgramCreated, ProgramUpdated, key_field="program_id")

    async def remember(
        event: Envelope[ParticipantRegistered] | Envelope[ParticipantUpdated], tx: Transaction
    ) -> None:
        data = event.data
        await directory.remember(
            data.participant_id,
            person_id=data.person_id,
            program_id=data.program_id,
            role=data.role,
            as_of=event.occurred_at,
            tx=tx,
        )

    handlers.on(ParticipantRegistered)(remember)
    handlers.on(ParticipantUpdated)(remember)

    @handlers.on(PairCreated)
    async def on_pair_created(event: Envelope[PairCreated], tx: Transaction) -> None:
        pair = event.data
        members = (pair.mentor_participant_id, pair.mentee_participant_id)
        if await directory.erased(members, tx):
            return  # erasure deletes an erased member's pairs: a late one is not stored
        await directory.pairs.put(pair.pair_id, pair, event.occurred_at, tx, ended=False)
        for participant, person, role in (
            (pair.mentor_participant_id, pair.mentor_person_id, ParticipantRole.MENTOR),
            (pair.mentee_participant_id, pair.mentee_person_id, ParticipantRole.MENTEE),
        ):
            await directory.remember(
                participant,
                person_id=person,
                program_id=pair.program_id,
                role=role,
                as_of=event.occurred_at,
                tx=tx,
                overwrite=False,
            )

    @handlers.on(PairEnded)
    async def on_pair_ended(event: Envelope[PairEnded], tx: Transaction) -> None:
        await directory.pairs.mark(event.data.pair_id, tx, ended=True)

    @handlers.on(SessionCompleted)
    async def on_completed(event: Envelope[SessionCompleted], tx: Transaction) -> None:
        if await directory.erased(event.data.participant_ids, tx):
            return  # erasure deletes the held sessions of an erased participant
        await held.sessions.put(event.data.session_id, event.data, event.occurred_at, tx)

    @handlers.on(ParticipantErased)
    async def on_erased(event: Envelope[ParticipantErased], tx: Transaction) -> None:
        await erasure.erase(event.data.participant_id, tx)
