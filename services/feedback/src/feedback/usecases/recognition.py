"""Recognising mentors: by a manager (through an admin), or every mentor meeting a rule."""

from __future__ import annotations

from feedback.adapters.directory import Directory
from feedback.adapters.records import Records
from feedback.adapters.sessions import HeldSessions
from feedback.domain.recognition import (
    MentorRecord,
    Recognition,
    RecognitionRule,
    recognize,
    recognize_by_rule,
)
from feedback.domain.records import SessionFeedback
from feedback.usecases.staging import stage_events
from mentorship_contracts.types import ParticipantRole, RecognitionSource
from mentorship_kit.errors import NotFoundError
from mentorship_kit.outbox import Transaction, Transactor


class RecognitionService:
    """Records recognitions and announces them."""

    def __init__(
        self,
        transactor: Transactor,
        directory: Directory,
        held: HeldSessions,
        feedback: Records[SessionFeedback],
        recognitions: Records[Recognition],
    ) -> None:
        self._transactor = transactor
        self._directory = directory
        self._held = held
        self._feedback = feedback
        self._recognitions = recognitions

    async def _record(self, program_id: str, participant_id: str) -> MentorRecord:
        sessions = [
            s for s in await self._held.sessions_of([participant_id]) if s.program_id == program_id
        ]
        ratings = await self._feedback.find(
            {
                "session_id": {"$in": [s.session_id for s in sessions]},
                "author_role": ParticipantRole.MENTEE.value,
            }
        )
        return MentorRecord(participant_id, len(sessions), tuple(r.rating for r in ratings))

    async def _already(self, program_id: str) -> set[str]:
        return {r.recognition_id for r in await self._recognitions.find({"program_id": program_id})}

    async def by_manager(self, program_id: str, participant_id: str) -> Recognition:
        """A manager recognises one of the program's mentors (again: the first one stands)."""
        if participant_id not in await self._directory.mentors_of(program_id):
            raise NotFoundError(f"{participant_id} is not a mentor of program {program_id}")
        mentor = await self._record(program_id, participant_id)

        async def store(tx: Transaction) -> Recognition:
            decision = recognize(
                mentor,
                program_id=program_id,
                source=RecognitionSource.MANAGER,
                already=await self._already(program_id),
                now=tx.now,
            )
            if decision is None:
                found = await self._recognitions.find(
                    {
                        "program_id": program_id,
                        "participant_id": participant_id,
                        "source": "manager",
                    },
                    tx,
                )
                return found[0]
            await self._recognitions.put(decision.state, tx)
            stage_events(decision, tx)
            return decision.state

        return await self._transactor.run(store)

    async def by_rule(self, program_id: str, rule: RecognitionRule) -> list[Recognition]:
        """Recognise every mentor of the program who meets ``rule`` (once)."""
        mentors = [
            await self._record(program_id, m) for m in await self._directory.mentors_of(program_id)
        ]

        async def store(tx: Transaction) -> list[Recognition]:
            decisions = recognize_by_rule(
                mentors,
                rule,
                program_id=program_id,
                already=await self._already(program_id),
                now=tx.now,
            )
            for decision in decisions:
                await self._recognitions.put(decision.state, tx)
                stage_events(decision, tx)
            return [decision.state for decision in decisions]

        return await self._transactor.run(store)

    async def of_program(self, program_id: str) -> list[Recognition]:
        """The program's recognitions."""
        return await self._recognitions.find({"program_id": program_id})
