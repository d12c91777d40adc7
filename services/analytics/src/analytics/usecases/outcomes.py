"""Outcome reports: participants against non-participants; each mentor's impact."""

from __future__ import annotations

import asyncio

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
        """The outcomes report, as of today.

        The program's participants are read only if the directory or the HRIS told of
        anyone: with neither, no one can be compared, whoever registered.
        """
        people, outcome_facts = await asyncio.gather(
            self._organisation.people(), self._organisation.outcomes()
        )
        return outcomes(
            await self._models.outcome_facts(
                program_id, participants=bool(people or outcome_facts)
            ),
            people,
            outcome_facts,
            today=utc_now().date(),
        )

    async def mentor_impact(self, program_id: str) -> MentorImpactReport:
        """The mentor impact view."""
        return mentor_impact(await self._models.impact_facts(program_id))
