"""Builds a program's reports from its read-model documents."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pydantic import BaseModel

from analytics.adapters.read_models import ReadModels
from analytics.domain import reports
from analytics.domain.documents import ProgramFacts
from mentorship_contracts.types import utc_now


class ReportName(StrEnum):
    """The reports a program has."""

    REGISTRATION = "registration"
    PAIRING = "pairing"
    SESSIONS = "sessions"
    SCORES = "scores"
    SKILLS = "skills"
    HEALTH = "health"


class ReportService:
    """Computes reports on demand from the live read models."""

    def __init__(self, models: ReadModels, *, inactive_after_days: int) -> None:
        self._models = models
        self._inactive_after_days = inactive_after_days

    async def registration(self, program_id: str) -> reports.RegistrationReport:
        """The registration report."""
        return reports.registration(await self._models.of_program(program_id))

    async def pairing(self, program_id: str) -> reports.PairingReport:
        """The pairing report."""
        return reports.pairing(await self._models.of_program(program_id))

    async def sessions(self, program_id: str) -> reports.SessionsReport:
        """The sessions report."""
        return reports.sessions(await self._models.of_program(program_id))

    async def scores(self, program_id: str) -> reports.ScoresReport:
        """The scores report."""
        return reports.scores(await self._models.of_program(program_id))

    async def skills(self, program_id: str) -> reports.SkillsReport:
        """The skills and goals report."""
        return reports.skills(await self._models.of_program(program_id))

    async def health(self, program_id: str) -> reports.HealthReport:
        """The health flags, as of now."""
        return self._health(await self._models.of_program(program_id))

    def _health(self, facts: ProgramFacts) -> reports.HealthReport:
        return reports.health(facts, now=utc_now(), inactive_after_days=self._inactive_after_days)

    async def report(self, program_id: str, name: ReportName) -> BaseModel:
        """Any report by name."""
        build: dict[ReportName, Callable[[ProgramFacts], BaseModel]] = {
            ReportName.REGISTRATION: reports.registration,
            ReportName.PAIRING: reports.pairing,
            ReportName.SESSIONS: reports.sessions,
            ReportName.SCORES: reports.scores,
            ReportName.SKILLS: reports.skills,
            ReportName.HEALTH: self._health,
        }
        return build[name](await self._models.of_program(program_id))
