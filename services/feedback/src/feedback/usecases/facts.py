"""The other services' facts feedback checks requests against: programs, people, pairs, sessions.

An erased participant is never recorded again: a pair or held session naming them that
arrives after the erasure (another topic, a replay) is not stored.
"""

from __future__ import annotations

from datetime import datetime

from feedback.adapters.directory import Directory
from feedback.adapters.sessions import HeldSessions
from mentorship_contracts.events import PairCreated, SessionCompleted
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.outbox import Transaction


class Facts:
    """Keeps feedback's copies of programs, participants, pairs and held sessions."""

    def __init__(self, directory: Directory, held: HeldSessions) -> None:
        self._directory = directory
        self._held = held

    async def program_changed(
        self, program: ProgramState, as_of: datetime, tx: Transaction
    ) -> None:
        """The program's latest settings (an older state never replaces a newer one)."""
        await self._directory.programs.put(program.program_id, program, as_of, tx)

    async def participant_known(
        self,
        participant_id: str,
        *,
        person_id: str,
        program_id: str,
        role: ParticipantRole,
        as_of: datetime,
        tx: Transaction,
        skills: tuple[str, ...] = (),
        manager_person_id: str | None = None,
    ) -> None:
        """Who a registered participant is, the skills they chose to grow, their manager."""
        await self._directory.remember(
            participant_id,
            person_id=person_id,
            program_id=program_id,
            role=role,
            as_of=as_of,
            tx=tx,
            skills=skills,
            manager_person_id=manager_person_id,
        )

    async def pair_created(self, pair: PairCreated, as_of: datetime, tx: Transaction) -> None:
        """A new pair, and its members if their registrations have not arrived yet."""
        members = (pair.mentor_participant_id, pair.mentee_participant_id)
        if await self._directory.erased(members, tx):
            return  # erasure deletes an erased member's pairs: a late one is not stored
        await self._directory.pairs.put(pair.pair_id, pair, as_of, tx, ended=False)
        for participant, person, role in (
            (pair.mentor_participant_id, pair.mentor_person_id, ParticipantRole.MENTOR),
            (pair.mentee_participant_id, pair.mentee_person_id, ParticipantRole.MENTEE),
        ):
            await self._directory.remember(
                participant,
                person_id=person,
                program_id=pair.program_id,
                role=role,
                as_of=as_of,
                tx=tx,
                overwrite=False,
            )

    async def pair_ended(self, pair_id: str, tx: Transaction) -> None:
        """The pair ended (its records stay readable)."""
        await self._directory.pairs.mark(pair_id, tx, ended=True)

    async def session_held(
        self, session: SessionCompleted, as_of: datetime, tx: Transaction
    ) -> None:
        """A held session: feedback opens on it for its participants."""
        if await self._directory.erased(session.participant_ids, tx):
            return  # erasure deletes the held sessions of an erased participant
        await self._held.sessions.put(session.session_id, session, as_of, tx)
