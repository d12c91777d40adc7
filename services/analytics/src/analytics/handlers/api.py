"""HTTP API of the analytics service: the reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel

from analytics.adapters.participants import ParticipantsReadModel

ProgramId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$", max_length=64)]


class RegistrationReport(BaseModel):
    """Who is registered for a program right now."""

    program_id: str
    participants: int
    mentors: int
    mentees: int
    both: int
    withdrawn: int
    mentor_capacity: int
    mentee_demand: int


def reports_router(participants: ParticipantsReadModel) -> APIRouter:
    """Routes serving the reports."""
    router = APIRouter(prefix="/v1", tags=["reports"])

    @router.get(
        "/programs/{program_id}/reports/registration",
        summary="Registration report: participants by role, capacity against demand",
    )
    async def registration_report(program_id: ProgramId) -> RegistrationReport:
        summary = await participants.summary(program_id)
        return RegistrationReport(
            program_id=summary.program_id,
            participants=summary.participants,
            mentors=summary.mentors,
            mentees=summary.mentees,
            both=summary.both,
            withdrawn=summary.withdrawn,
            mentor_capacity=summary.mentor_capacity,
            mentee_demand=summary.mentee_demand,
        )

    return router
