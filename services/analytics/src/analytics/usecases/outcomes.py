"""Outcome reports: participants against non-participants; each mentor's impact."""

from __future__ import annotations

from analytics.adapters.outcome_models import OrganisationModels
from analytics.adapters.read_models import ReadModels
from analytics.domain.mentor_impact import MentorImpactReport, mentor_impact
from analytics.domain.outcome_report import OutcomesReport, outcomes
from mentorship_contracts.types import utc_now


class OutcomeReports:
    """Computes the outcomes report on demand from the live read models."""

    def __init__(self, models: ReadModels, organisation: OrganisationModels) -> None:
        self._models = models
        self._organisation = organisation

    async def outcomes(self, program_id: str) -> OutcomesReport:
        """The outcomes report, as of today."""
        return outcomes(
            await self._models.outcome_facts(program_id),
            await self._organisation.people(),
            await self._organisation.outcomes(),
            today=utc_now().date(),
        )

    async def mentor_impact(self, program_id: str) -> MentorImpactReport:
        """The mentor impact view."""
        return mentor_impact(await self._models.impact_facts(program_id))
