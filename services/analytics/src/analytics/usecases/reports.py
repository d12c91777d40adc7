"""Builds a program's reports from its aggregates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from analytics.adapters.read_models import ReadModels
from analytics.domain import reports
from analytics.domain.aggregates import HEAD_OF_SET, EntrySet, ProgramAggregates
from analytics.domain.documents import RhythmFact
from analytics.domain.heads import HEAD_SIZE, Head
from mentorship_contracts.types import utc_now

HEALTH_SETS = (EntrySet.LOW_RATINGS, EntrySet.POOR_FITS, EntrySet.OVER_CAPACITY)
HEALTH_HEADS = (Head.INACTIVE, *(HEAD_OF_SET[kind] for kind in HEALTH_SETS))


class ReportName(StrEnum):
    """The reports a program has."""

    REGISTRATION = "registration"
    PAIRING = "pairing"
    SESSIONS = "sessions"
    SCORES = "scores"
    SKILLS = "skills"
    HEALTH = "health"


class ReportService:
    """Computes reports on demand from the live aggregates (a few documents per report)."""

    def __init__(self, models: ReadModels, *, inactive_after_days: int) -> None:
        self._models = models
        self._inactive_after_days = inactive_after_days

    async def registration(self, program_id: str) -> reports.RegistrationReport:
        """The registration report (with the invitation funnel)."""
        aggregates, directory = await asyncio.gather(
            self._models.aggregates(program_id),
            self._models.directory_facts(program_id, funnel=True),
        )
        return reports.registration(aggregates, directory)

    async def pairing(self, program_id: str) -> reports.PairingReport:
        """The pairing report."""
        return reports.pairing(await self._models.aggregates(program_id, (EntrySet.RUNS,)))

    async def sessions(self, program_id: str) -> reports.SessionsReport:
        """The sessions report."""
        return reports.sessions(await self._models.aggregates(program_id))

    async def scores(self, program_id: str) -> reports.ScoresReport:
        """The scores report."""
        return reports.scores(await self._models.aggregates(program_id))

    async def skills(self, program_id: str) -> reports.SkillsReport:
        """The skills and goals report."""
        return reports.skills(await self._models.aggregates(program_id))

    async def health(
        self, program_id: str, limit: int = reports.DEFAULT_LIST_LIMIT
    ) -> reports.HealthReport:
        """The health flags, as of now; each list holds at most ``limit`` items.

        Lists of up to `HEAD_SIZE` items are their heads (their first rows, kept in order);
        longer ones are cut from their whole sets of entries (inactive pairs: from the stalest
        rhythms).
        """
        now = utc_now()
        lists = (
            self._models.aggregates(program_id, heads=HEALTH_HEADS)
            if limit <= HEAD_SIZE
            else self._models.aggregates(program_id, HEALTH_SETS)
        )
        cutoff = reports.inactive_cutoff(now, self._inactive_after_days)
        aggregates, directory, goals, stalest = await asyncio.gather(
            lists,
            self._models.directory_facts(program_id, conflicts=True),
            self._models.milestone_goals(program_id),
            self._stalest_beyond_head(program_id, cutoff.isoformat(), limit),
        )
        return reports.health(
            aggregates,
            now=now,
            inactive_after_days=self._inactive_after_days,
            inactive=stalest,
            limit=limit,
            directory=directory,
            goals=goals,
        )

    async def _stalest_beyond_head(
        self, program_id: str, until_day: str, limit: int
    ) -> list[RhythmFact]:
        """The rhythms of the first ``limit`` inactive pairs, when more than a head holds."""
        if limit <= HEAD_SIZE:  # the head of the stalest pairs lists them
            return []
        return await self._models.stalest_rhythms(program_id, until_day, limit)

    async def report(
        self, program_id: str, name: ReportName, limit: int = reports.DEFAULT_LIST_LIMIT
    ) -> BaseModel:
        """Any report by name."""
        if name is ReportName.HEALTH:
            return await self.health(program_id, limit)
        if name is ReportName.PAIRING:
            return await self.pairing(program_id)
        if name is ReportName.REGISTRATION:
            return await self.registration(program_id)
        build: dict[ReportName, Callable[[ProgramAggregates], BaseModel]] = {
            ReportName.SESSIONS: reports.sessions,
            ReportName.SCORES: reports.scores,
            ReportName.SKILLS: reports.skills,
        }
        return build[name](await self._models.aggregates(program_id))
