"""Builds a program's reports from its read-model documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

from pydantic import BaseModel

from analytics.adapters.read_models import ReadModels
from analytics.domain import reports
from analytics.domain.facts import (
    FEEDBACK,
    FITS,
    GOALS,
    PAIRS,
    PARTICIPANTS,
    PROGRAMS,
    RUNS,
    SESSIONS,
    SURVEYS,
)
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
        docs = await self._models.of_program(program_id)
        return reports.registration(program_id, docs[PARTICIPANTS])

    async def pairing(self, program_id: str) -> reports.PairingReport:
        """The pairing report."""
        docs = await self._models.of_program(program_id)
        peer = reports.is_peer_program(docs[PROGRAMS])
        return reports.pairing(program_id, docs[PARTICIPANTS], docs[PAIRS], docs[RUNS], peer=peer)

    async def sessions(self, program_id: str) -> reports.SessionsReport:
        """The sessions report."""
        docs = await self._models.of_program(program_id)
        return reports.sessions(program_id, docs[SESSIONS], docs[FEEDBACK])

    async def scores(self, program_id: str) -> reports.ScoresReport:
        """The scores report."""
        docs = await self._models.of_program(program_id)
        return reports.scores(program_id, docs[FEEDBACK], docs[FITS], docs[SURVEYS])

    async def skills(self, program_id: str) -> reports.SkillsReport:
        """The skills and goals report."""
        docs = await self._models.of_program(program_id)
        return reports.skills(program_id, docs[FEEDBACK], docs[GOALS])

    async def health(self, program_id: str) -> reports.HealthReport:
        """The health flags, as of now."""
        docs = await self._models.of_program(program_id)
        program = docs[PROGRAMS][0] if docs[PROGRAMS] else {"_id": program_id}
        return reports.health(
            program, docs, now=utc_now(), inactive_after_days=self._inactive_after_days
        )

    async def report(self, program_id: str, name: ReportName) -> BaseModel:
        """Any report by name."""
        build: dict[ReportName, Callable[[str], Awaitable[BaseModel]]] = {
            ReportName.REGISTRATION: self.registration,
            ReportName.PAIRING: self.pairing,
            ReportName.SESSIONS: self.sessions,
            ReportName.SCORES: self.scores,
            ReportName.SKILLS: self.skills,
            ReportName.HEALTH: self.health,
        }
        return await build[name](program_id)
