"""Program names for calendar titles, from scheduling's copy of the programs."""

from __future__ import annotations

from collections.abc import Iterable

from mentorship_contracts.events.program import ProgramState
from mentorship_kit.snapshots import SnapshotStore


class ProgramNames:
    """Looks up the names of programs."""

    def __init__(self, programs: SnapshotStore[ProgramState]) -> None:
        self._programs = programs

    async def names(self, program_ids: Iterable[str]) -> dict[str, str]:
        """The names of ``program_ids`` that are known."""
        names = {}
        for program_id in program_ids:
            program = await self._programs.get(program_id)
            if program is not None:
                names[program_id] = program.name
        return names
