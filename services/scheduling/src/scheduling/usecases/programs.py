"""Scheduling's copy of the programs, and what a program's change does to its series."""

from __future__ import annotations

from datetime import datetime

from mentorship_contracts.events.program import ProgramState
from mentorship_kit.outbox import Transaction
from mentorship_kit.snapshots import SnapshotStore
from scheduling.usecases.planning import Planner


class Programs:
    """Programs as their events describe them."""

    def __init__(self, programs: SnapshotStore[ProgramState], planner: Planner) -> None:
        self._programs = programs
        self._planner = planner

    async def changed(self, program: ProgramState, as_of: datetime, tx: Transaction) -> None:
        """Keep the program's newest state; a new end date reaches the planned series.

        Pairs that arrived before their program are planned by the planning worker, woken
        once this commits.
        """
        before = await self._programs.get(program.program_id, tx)
        stored = await self._programs.put(program.program_id, program, as_of, tx)
        if stored and before is not None:
            await self._planner.program_changed(before, program, tx)
        tx.after_commit(self._planner.signal.notify)

    async def names(self, program_ids: set[str]) -> dict[str, str]:
        """The names of the known programs among ``program_ids`` (one read)."""
        found = await self._programs.find({"program_id": {"$in": sorted(program_ids)}})
        return {program.program_id: program.name for program in found}
