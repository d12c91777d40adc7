"""The pairs scheduling plans sessions for, and their programs' cadence."""

from __future__ import annotations

from mentorship_contracts.events import PairCreated
from mentorship_contracts.events.program import ProgramState
from mentorship_kit.mongo import Database, Indexes
from mentorship_kit.snapshots import SnapshotStore


class SchedulingPairs:
    """Pairs (with whether they ended) and the programs they belong to."""

    def __init__(self, database: Database) -> None:
        self.programs: SnapshotStore[ProgramState] = SnapshotStore(
            database, "programs", ProgramState
        )
        self.pairs: SnapshotStore[PairCreated] = SnapshotStore(database, "pairs", PairCreated)

    def indexes(self) -> tuple[Indexes, ...]:
        """Both are read by id."""
        return (self.programs.indexes(), self.pairs.indexes())
