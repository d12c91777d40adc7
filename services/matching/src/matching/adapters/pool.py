"""The matching pool: each program's registered participants, projected from events."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from mentorship_contracts.events.participant import ParticipantState
from mentorship_contracts.events.program import ProgramState
from mentorship_contracts.types import ParticipantRole
from mentorship_kit.mongo import Database, Indexes
from mentorship_kit.snapshots import SnapshotStore


class MatchingPool:
    """Programs and the participants waiting in them."""

    def __init__(self, database: Database) -> None:
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(
            database, "programs", ProgramState
        )
        self.participants: SnapshotStore[ParticipantState] = SnapshotStore(
            database, "pool", ParticipantState
        )

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

    async def role_counts(self, program_id: str) -> dict[ParticipantRole, int]:
        """How many participants of each role wait in a program's pool."""
        return {
            role: await self.participants.count({"program_id": program_id, "role": role.value})
            for role in ParticipantRole
        }
