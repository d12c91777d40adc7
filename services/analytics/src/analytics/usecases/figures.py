"""The business figures behind the gauges: the platform's and the latest programs'.

They are read from the programs' counters (one document per program and writer), never
counted from the read models' documents.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from analytics.adapters.read_models import ReadModels
from analytics.domain.aggregates import Counts
from analytics.domain.documents import SessionStatus

_FIGURES = (
    ("totals", "participants"),
    ("totals", "active_pairs"),
    ("totals", "status", SessionStatus.HELD.value),
    ("totals", "ratings"),
    ("totals", "rating_sum"),
)


@dataclass(frozen=True, slots=True)
class ProgramFigures:
    """One program's figures (``program_id`` None: the whole platform)."""

    program_id: str | None
    participants: int
    active_pairs: int
    sessions_held: int
    average_rating: float

    @classmethod
    def of(cls, program_id: str | None, counts: Counts) -> ProgramFigures:
        """The figures of ``counts``."""
        ratings = counts.value("totals", "ratings")
        return cls(
            program_id=program_id,
            participants=counts.value("totals", "participants"),
            active_pairs=counts.value("totals", "active_pairs"),
            sessions_held=counts.value("totals", "status", SessionStatus.HELD.value),
            average_rating=counts.value("totals", "rating_sum") / ratings if ratings else 0.0,
        )


class BusinessFigures:
    """Reads the figures from the programs' counters."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def current(self, program_limit: int) -> list[ProgramFigures]:
        """The platform's figures, then those of the ``program_limit`` latest programs."""
        programs = await self._models.latest_programs(program_limit)
        by_program = await self._models.counters_by_program()
        platform: Counter[tuple[str, ...]] = Counter()
        for counts in by_program.values():
            platform.update({path: counts.value(*path) for path in _FIGURES})
        return [
            ProgramFigures.of(None, Counts(platform)),
            *(ProgramFigures.of(p, by_program.get(p, Counts())) for p in programs),
        ]
