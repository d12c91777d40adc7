"""The business figures behind the gauges: the platform's and the latest programs'."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.adapters.read_models import ReadModels
from analytics.domain.documents import (
    ACTIVE_PAIR,
    IN_PROGRAM,
    PairFact,
    ParticipantFact,
    SessionFact,
)


@dataclass(frozen=True, slots=True)
class ProgramFigures:
    """One program's figures (``program_id`` None: the whole platform)."""

    program_id: str | None
    participants: int
    active_pairs: int
    sessions_held: int
    average_rating: float


class BusinessFigures:
    """Counts the figures from the read models."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def current(self, program_limit: int) -> list[ProgramFigures]:
        """The platform's figures, then those of the ``program_limit`` latest programs."""
        programs = await self._models.latest_programs(program_limit)
        return [await self._of(program) for program in (None, *programs)]

    async def _of(self, program_id: str | None) -> ProgramFigures:
        scope: dict[str, object] = {} if program_id is None else {"program_id": program_id}
        return ProgramFigures(
            program_id=program_id,
            participants=await self._models.count(ParticipantFact, {**scope, **IN_PROGRAM}),
            active_pairs=await self._models.count(PairFact, {**scope, **ACTIVE_PAIR}),
            sessions_held=await self._models.count(SessionFact, scope | {"status": "held"}),
            average_rating=await self._models.average_rating(scope),
        )
