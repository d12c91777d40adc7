"""Outcome reports: participants against non-participants; each mentor's impact."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from analytics.adapters.outcome_models import OrganisationModels
from analytics.adapters.read_models import ReadModels
from analytics.domain.heads import HEAD_SIZE, Head, mentor_rows
from analytics.domain.mentor_impact import (
    DEFAULT_PAGE,
    MAX_PAGE,
    MentorImpact,
    MentorImpactReport,
    first_page,
    mentor_page,
    rank_after,
)
from analytics.domain.outcome_report import OutcomesReport, outcomes
from mentorship_contracts.types import utc_now
from mentorship_kit.errors import InvalidInputError


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

    async def mentor_impact(
        self, program_id: str, *, cursor: str | None = None, limit: int = DEFAULT_PAGE
    ) -> MentorImpactReport:
        """A page of the mentor impact view: ``limit`` mentors from ``cursor`` on.

        A first page of up to `HEAD_SIZE` - 1 mentors is the view's stored head (one read,
        whatever the program's size); the others are read from the mentors' index.
        Raises InvalidInputError for a cursor this view did not give out.
        """
        try:
            after = rank_after(program_id, cursor) if cursor else None
        except ValueError as error:
            raise InvalidInputError([("cursor", str(error))]) from error
        if after is None and limit < HEAD_SIZE:
            rows = await self._models.head(program_id, Head.MENTORS)
            return first_page(program_id, mentor_rows(rows), limit)
        mentors = await self._models.mentors(program_id, after, limit + 1)
        return mentor_page(program_id, mentors, limit)

    async def every_mentor(self, program_id: str) -> AsyncIterator[list[MentorImpact]]:
        """Every mentor of the view, a page (`MAX_PAGE`) at a time (for its CSV export)."""
        cursor: str | None = None
        while True:
            page = await self.mentor_impact(program_id, cursor=cursor, limit=MAX_PAGE)
            yield page.mentors
            if page.next_cursor is None:
                return
            cursor = page.next_cursor
