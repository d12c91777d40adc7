"""The matching pool: each program's registered participants, projected from events."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Collection, Database, Indexes
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore

POOL = "pool"


class MatchingPool:
    """Programs and the participants waiting in them."""

    def __init__(self, database: Database) -> None:
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(
            database, "programs", ProgramState
        )
        self.participants: SnapshotStore[ParticipantState] = SnapshotStore(
            database, POOL, ParticipantState
        )
        self._pool: Collection = database[POOL]

    def indexes(self) -> tuple[Indexes, ...]:
        """The pool is read per program."""
        return (
            self.programs.indexes(),
            self.participants.indexes(
                IndexModel([("state.program_id", ASCENDING)], name="by_program")
            ),
        )

    async def participants_of(self, program_id: str) -> list[ParticipantState]:
        """Everyone registered in a program and not withdrawn."""
        return await self.participants.find({"program_id": program_id})

    async def claim(
        self, participant_ids: Iterable[str], tx: Transaction
    ) -> dict[str, ParticipantState]:
        """Those of ``participant_ids`` still in the pool, read and claimed in ``tx``.

        Claiming writes each one's pool document, which a withdrawal or erasure deletes: the
        two transactions conflict, so either ``tx`` sees the person gone, or the withdrawal
        is retried after ``tx`` and ends the pairs ``tx`` made.
        """
        ids = sorted(set(participant_ids))
        await self._pool.update_many(
            {"_id": {"$in": ids}}, {"$inc": {"claims": 1}}, session=tx.session
        )
        found = await self.participants.find({"participant_id": {"$in": ids}}, tx)
        return {person.participant_id: person for person in found}

    async def role_counts(self, program_id: str) -> dict[ParticipantRole, int]:
        """How many participants of each role wait in a program's pool."""
        return {
            role: await self.participants.count({"program_id": program_id, "role": role.value})
            for role in ParticipantRole
        }
