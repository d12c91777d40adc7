"""The skills growth report, computed on demand from the live read models."""

from __future__ import annotations

from analytics.adapters.read_models import ReadModels
from analytics.domain.skills_growth import SkillsGrowthReport, skills_growth


class SkillsGrowthReports:
    """Computes the skills growth report of a program."""

    def __init__(self, models: ReadModels) -> None:
        self._models = models

    async def growth(self, program_id: str) -> SkillsGrowthReport:
        """The report, from every assessment projected so far (only those are read)."""
        return skills_growth(await self._models.skills_facts(program_id))
